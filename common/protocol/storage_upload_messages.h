// Bodies of the storage service's upload messages (POST_BEGIN, POST_CHUNK, POST_COMMIT,
// POST_IMAGE, UPLOADS, USAGE, ABANDON) and their OK replies, with the values of `mode` and
// the Grant every e2e image carries.
// Part of messages.h; see there for the conventions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"
#include "common/protocol/fields.h"
#include "common/protocol/limits.h"
#include "common/protocol/message_types.h"


namespace imgshare {

// The values of every `mode` field (replies, summaries, events).
inline constexpr std::string_view kEscrowMode = "escrow";
inline constexpr std::string_view kEndToEndMode = "e2e";

// A content key sealed (crypto_box_seal) to one recipient's box_pk.
struct Grant {
    std::string recipient;
    Bytes sealed_key;
    static constexpr auto fields() {
        return std::make_tuple(field("recipient", &Grant::recipient),
                               field("sealed_key", &Grant::sealed_key));
    }
    bool operator==(const Grant&) const = default;
};

struct PostBeginRequest {
    static constexpr std::string_view kType = "POST_BEGIN";
    static constexpr std::string_view kService = kStorageService;
    static constexpr Sender kSentBy = Sender::registered_user;
    Bytes certificate;          // the owner's
    Bytes envelope;             // canonical encoded envelope: exactly the bytes signed
    Bytes signature;            // Ed25519 over envelope
    Bytes wrapped_key;          // escrow mode: sealed to the server's wrap key; else empty
    std::vector<Grant> grants;  // end-to-end mode: one per recipient; else empty
    static constexpr auto fields() {
        using M = PostBeginRequest;
        return std::make_tuple(
            field("certificate", &M::certificate, kMaxCertificateBytes),
            field("envelope", &M::envelope, kMaxEnvelopeBytes), field("signature", &M::signature),
            field("wrapped_key", &M::wrapped_key), field("grants", &M::grants, kMaxRecipients));
    }
    bool operator==(const PostBeginRequest&) const = default;
};

struct PostBeginReply {
    static constexpr std::string_view kType = kOkType;
    std::string upload;
    std::uint32_t next_index = 0;  // first chunk the server still needs (resumed uploads)
    static constexpr auto fields() {
        return std::make_tuple(field("upload", &PostBeginReply::upload),
                               field("next_index", &PostBeginReply::next_index));
    }
    bool operator==(const PostBeginReply&) const = default;
};

struct PostChunkRequest {
    static constexpr std::string_view kType = "POST_CHUNK";
    static constexpr std::string_view kService = kStorageService;
    static constexpr Sender kSentBy = Sender::registered_user;
    static constexpr bool kCarriesPayload = true;  // the ciphertext chunk
    std::string upload;
    std::uint32_t index = 0;
    static constexpr auto fields() {
        return std::make_tuple(field("upload", &PostChunkRequest::upload),
                               field("index", &PostChunkRequest::index));
    }
    bool operator==(const PostChunkRequest&) const = default;
};

struct PostChunkReply {
    static constexpr std::string_view kType = kOkType;
    std::uint32_t index = 0;
    static constexpr auto fields() {
        return std::make_tuple(field("index", &PostChunkReply::index));
    }
    bool operator==(const PostChunkReply&) const = default;
};

struct PostCommitRequest {
    static constexpr std::string_view kType = "POST_COMMIT";
    static constexpr std::string_view kService = kStorageService;
    static constexpr Sender kSentBy = Sender::registered_user;
    std::string upload;
    static constexpr auto fields() {
        return std::make_tuple(field("upload", &PostCommitRequest::upload));
    }
    bool operator==(const PostCommitRequest&) const = default;
};

struct PostCommitReply {
    static constexpr std::string_view kType = kOkType;
    std::string name;
    std::string owner;
    std::uint64_t seq = 0;
    std::uint64_t size = 0;
    std::int64_t created_at = 0;
    std::string mode;
    std::vector<std::string> recipients;
    static constexpr auto fields() {
        using M = PostCommitReply;
        return std::make_tuple(
            field("name", &M::name, kMaxImageNameBytes), field("owner", &M::owner),
            field("seq", &M::seq), field("size", &M::size), field("created_at", &M::created_at),
            field("mode", &M::mode), field("recipients", &M::recipients, kMaxRecipients));
    }
    bool operator==(const PostCommitReply&) const = default;
};

// An image of one chunk posted in one request: POST_BEGIN's body, the chunk as the
// payload frame, answered as POST_COMMIT (PostCommitReply). A third of the
// relaying, logging and RocksDB writes of begin + chunk + commit for small images.
struct PostImageRequest : PostBeginRequest {
    static constexpr std::string_view kType = "POST_IMAGE";
    static constexpr std::string_view kService = kStorageService;
    static constexpr Sender kSentBy = Sender::registered_user;
    static constexpr bool kCarriesPayload = true;  // the image's one ciphertext chunk
};

// The sender's own pending uploads (begun with POST_BEGIN, not yet committed,
// abandoned or expired), so that a client can show, resume or abandon them.
struct UploadsRequest {
    static constexpr std::string_view kType = "UPLOADS";
    static constexpr std::string_view kService = kStorageService;
    static constexpr Sender kSentBy = Sender::registered_user;
    static constexpr auto fields() { return std::tuple<>(); }
    bool operator==(const UploadsRequest&) const = default;
};

struct PendingUpload {
    std::string upload;  // the handle POST_BEGIN answered (upload_handle)
    std::string name;
    std::string mode;
    std::uint64_t size = 0;  // the envelope's padded_size
    std::uint32_t chunk_count = 0;
    std::uint32_t chunks_stored = 0;
    std::int64_t created_at = 0;  // when the node began it, Unix seconds (node's clock)
    std::int64_t expires_at = 0;  // when the node removes it unless it is used, Unix seconds
    static constexpr auto fields() {
        using M = PendingUpload;
        return std::make_tuple(field("upload", &M::upload), field("name", &M::name, kMaxImageNameBytes),
                               field("mode", &M::mode), field("size", &M::size),
                               field("chunk_count", &M::chunk_count),
                               field("chunks_stored", &M::chunks_stored),
                               field("created_at", &M::created_at),
                               field("expires_at", &M::expires_at));
    }
    bool operator==(const PendingUpload&) const = default;
};

struct UploadsReply {
    static constexpr std::string_view kType = kOkType;
    std::vector<PendingUpload> uploads;  // oldest first
    static constexpr auto fields() {
        return std::make_tuple(field("uploads", &UploadsReply::uploads, kMaxPendingUploads));
    }
    bool operator==(const UploadsReply&) const = default;
};

// The sender's own use of the storage node: the padded bytes of their committed images and
// of their pending uploads (as the node counts them against the quota), and the quota.
struct UsageRequest {
    static constexpr std::string_view kType = "USAGE";
    static constexpr std::string_view kService = kStorageService;
    static constexpr Sender kSentBy = Sender::registered_user;
    static constexpr auto fields() { return std::tuple<>(); }
    bool operator==(const UsageRequest&) const = default;
};

struct UsageReply {
    static constexpr std::string_view kType = kOkType;
    std::uint64_t used_bytes = 0;  // padded sizes of the sender's committed images
    std::uint64_t images = 0;
    std::uint64_t pending_bytes = 0;  // padded sizes of the sender's pending uploads
    std::uint64_t pending_uploads = 0;
    std::uint64_t quota_bytes = 0;  // per user; 0: no quota
    static constexpr auto fields() {
        using M = UsageReply;
        return std::make_tuple(field("used_bytes", &M::used_bytes), field("images", &M::images),
                               field("pending_bytes", &M::pending_bytes),
                               field("pending_uploads", &M::pending_uploads),
                               field("quota_bytes", &M::quota_bytes));
    }
    bool operator==(const UsageReply&) const = default;
};

// Ends one of the sender's pending uploads now: its session and chunks are removed, and it
// no longer counts against the sender's pending uploads.
struct AbandonRequest {
    static constexpr std::string_view kType = "ABANDON";
    static constexpr std::string_view kService = kStorageService;
    static constexpr Sender kSentBy = Sender::registered_user;
    std::string upload;
    static constexpr auto fields() {
        return std::make_tuple(field("upload", &AbandonRequest::upload));
    }
    bool operator==(const AbandonRequest&) const = default;
};

struct AbandonReply {
    static constexpr std::string_view kType = kOkType;
    std::string upload;
    std::string name;                // the image it would have been
    std::uint32_t chunks_stored = 0;  // chunks removed with it
    static constexpr auto fields() {
        return std::make_tuple(field("upload", &AbandonReply::upload),
                               field("name", &AbandonReply::name, kMaxImageNameBytes),
                               field("chunks_stored", &AbandonReply::chunks_stored));
    }
    bool operator==(const AbandonReply&) const = default;
};

}  // namespace imgshare
