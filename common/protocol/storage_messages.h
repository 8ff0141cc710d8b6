// Bodies of the storage service's messages (POST_BEGIN, POST_CHUNK,
// POST_COMMIT, POST_IMAGE, UPLOADS, USAGE, ABANDON, LIST, DOWNLOAD, GET_CHUNK, SHARE, DELETE)
// and their OK replies.
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

// ---- Storage service --------------------------------------------------------

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

struct ListRequest {
    static constexpr std::string_view kType = "LIST";
    static constexpr std::string_view kService = kStorageService;
    static constexpr Sender kSentBy = Sender::registered_user;
    std::uint64_t after_seq = 0;
    std::uint32_t limit = 100;
    static constexpr auto fields() {
        return std::make_tuple(optional_field("after_seq", &ListRequest::after_seq),
                               optional_field("limit", &ListRequest::limit));
    }
    bool operator==(const ListRequest&) const = default;
};

struct ImageSummary {
    std::string name, owner;
    std::uint64_t seq = 0;
    std::uint64_t size = 0;
    std::int64_t created_at = 0;
    std::string mode;
    // e2e only: every reader the owner signed for, owner included. Absent for escrow images.
    std::optional<std::vector<std::string>> recipients = std::nullopt;
    // When the storage node stops serving it (Unix seconds), absent for an image that does
    // not expire; how many more complete downloads it serves, absent for an image without a
    // limit. LIST items only: an event leaves both out.
    std::optional<std::int64_t> expires_at = std::nullopt;
    std::optional<std::uint32_t> downloads_left = std::nullopt;
    static constexpr auto fields() {
        using M = ImageSummary;
        return std::make_tuple(
            field("name", &M::name, kMaxImageNameBytes), field("owner", &M::owner),
            field("seq", &M::seq), field("size", &M::size), field("created_at", &M::created_at),
            field("mode", &M::mode), field("recipients", &M::recipients, kMaxRecipients),
            field("expires_at", &M::expires_at), field("downloads_left", &M::downloads_left));
    }
    bool operator==(const ImageSummary&) const = default;
};

// What an event announces (ImageEvent::event).
inline constexpr std::string_view kNewImageEvent = "NEW_IMAGE";          // a post or a share
inline constexpr std::string_view kImageDeletedEvent = "IMAGE_DELETED";  // its owner deleted it

// Published on XPUB as [topic][body] (see event.h), never with a header. NEW_IMAGE: the
// feed entry the event announces, with the same fields as a LIST item. IMAGE_DELETED: the
// image that was deleted, as LIST showed it but for `seq`, the deletion's own feed entry (so
// a watcher's feed position moves on without a gap), on the topics its NEW_IMAGE went to.
struct ImageEvent : ImageSummary {
    static constexpr std::string_view kType = "event";  // as decode errors name it
    // Absent for NEW_IMAGE (whose body is exactly a LIST item, as before deletions existed);
    // kImageDeletedEvent for IMAGE_DELETED. decode_event refuses any other value.
    std::optional<std::string> event;
    [[nodiscard]] bool is_deletion() const { return event == kImageDeletedEvent; }
    static constexpr auto fields() {
        return std::tuple_cat(ImageSummary::fields(),
                              std::make_tuple(field("event", &ImageEvent::event)));
    }
    bool operator==(const ImageEvent&) const = default;
};

struct ListReply {
    static constexpr std::string_view kType = kOkType;
    std::vector<ImageSummary> items;
    std::uint64_t last_seq = 0;  // the cursor: pass it as after_seq to continue
    bool more = false;           // the feed held entries after last_seq: list again
    static constexpr auto fields() {
        return std::make_tuple(field("items", &ListReply::items, kMaxListLimit),
                               field("last_seq", &ListReply::last_seq),
                               field("more", &ListReply::more));
    }
    bool operator==(const ListReply&) const = default;
};

struct DownloadRequest {
    static constexpr std::string_view kType = "DOWNLOAD";
    static constexpr std::string_view kService = kStorageService;
    static constexpr Sender kSentBy = Sender::registered_user;
    std::string name;
    static constexpr auto fields() {
        return std::make_tuple(field("name", &DownloadRequest::name, kMaxImageNameBytes));
    }
    bool operator==(const DownloadRequest&) const = default;
};

// Followed by the image's first ciphertext chunk as the payload frame, so that a
// reader of an image of one chunk needs no GET_CHUNK (the rest: GET_CHUNK 1, 2, …).
struct DownloadReply {
    static constexpr std::string_view kType = kOkType;
    static constexpr bool kCarriesPayload = true;  // chunk 0
    Bytes certificate;                             // the owner's
    Bytes envelope;
    Bytes signature;
    Bytes wrapped_key;  // the content key sealed to the requester
    std::string mode;   // kEscrowMode (the broker has the CA re-wrap the key) or kEndToEndMode
    static constexpr auto fields() {
        using M = DownloadReply;
        return std::make_tuple(field("certificate", &M::certificate, kMaxCertificateBytes),
                               field("envelope", &M::envelope, kMaxEnvelopeBytes),
                               field("signature", &M::signature),
                               field("wrapped_key", &M::wrapped_key), field("mode", &M::mode));
    }
    bool operator==(const DownloadReply&) const = default;
};

struct GetChunkRequest {
    static constexpr std::string_view kType = "GET_CHUNK";
    static constexpr std::string_view kService = kStorageService;
    static constexpr Sender kSentBy = Sender::registered_user;
    std::string name;
    std::uint32_t index = 0;
    static constexpr auto fields() {
        return std::make_tuple(field("name", &GetChunkRequest::name, kMaxImageNameBytes),
                               field("index", &GetChunkRequest::index));
    }
    bool operator==(const GetChunkRequest&) const = default;
};

struct GetChunkReply {
    static constexpr std::string_view kType = kOkType;
    static constexpr bool kCarriesPayload = true;  // the ciphertext chunk
    std::uint32_t index = 0;
    static constexpr auto fields() {
        return std::make_tuple(field("index", &GetChunkReply::index));
    }
    bool operator==(const GetChunkReply&) const = default;
};

// The owner deletes one of their images (common/deletion.h): its record, grants and chunks
// go at once; LIST no longer shows it, DOWNLOAD and GET_CHUNK answer NOT_FOUND, and the name
// may be posted again. Answered with the image as it was (DeleteReply); the broker then
// publishes IMAGE_DELETED on the topics its NEW_IMAGE went to.
struct DeleteRequest {
    static constexpr std::string_view kType = "DELETE";
    static constexpr std::string_view kService = kStorageService;
    static constexpr Sender kSentBy = Sender::registered_user;
    std::string name;
    Bytes statement;  // the owner's signed deletion statement (common/deletion.h)
    static constexpr auto fields() {
        return std::make_tuple(field("name", &DeleteRequest::name, kMaxImageNameBytes),
                               field("statement", &DeleteRequest::statement, kMaxDeletionBytes));
    }
    bool operator==(const DeleteRequest&) const = default;
};

// The image that was deleted, as LIST showed it but for `seq`: the deletion's own feed entry;
// `recipients` (e2e) every reader it had, owner included.
// POST_COMMIT's reply's fields: the broker publishes both to the image's readers.
struct DeleteReply : PostCommitReply {
    static constexpr auto fields() { return PostCommitReply::fields(); }
    bool operator==(const DeleteReply&) const = default;
};

struct ShareRequest {
    static constexpr std::string_view kType = "SHARE";
    static constexpr std::string_view kService = kStorageService;
    static constexpr Sender kSentBy = Sender::registered_user;
    std::string name;
    Bytes envelope;  // the re-signed envelope: the recipient list grown or shrunk, revision + 1
    Bytes signature;
    std::vector<Grant> grants;
    // The owner's current certificate. The envelope names the one the image was posted
    // with, which may have expired since; this one, for the same name and signing key and
    // valid now, shows the owner renewed and may still share.
    Bytes certificate;
    static constexpr auto fields() {
        using M = ShareRequest;
        return std::make_tuple(field("name", &M::name, kMaxImageNameBytes),
                               field("envelope", &M::envelope, kMaxEnvelopeBytes),
                               field("signature", &M::signature),
                               field("grants", &M::grants, kMaxRecipients),
                               field("certificate", &M::certificate, kMaxCertificateBytes));
    }
    bool operator==(const ShareRequest&) const = default;
};

// The image as the share left it, and the feed entry that announces it to the
// recipients the share added (the broker publishes NEW_IMAGE to them alone) and, for a
// revoke, tells the recipients it removed that it is gone for them (IMAGE_DELETED).
struct ShareReply {
    static constexpr std::string_view kType = kOkType;
    std::vector<std::string> recipients;  // every reader afterwards, owner included, sorted
    std::vector<std::string> added = {};  // the recipients this share added, sorted
    std::string name = {};
    std::string owner = {};
    std::uint64_t seq = 0;  // the share's own feed entry
    std::uint64_t size = 0;
    std::int64_t created_at = 0;
    std::string mode = {};
    std::vector<std::string> removed = {};  // the recipients this share took back, sorted
    static constexpr auto fields() {
        using M = ShareReply;
        return std::make_tuple(
            field("recipients", &M::recipients, kMaxRecipients),
            field("added", &M::added, kMaxRecipients), field("name", &M::name, kMaxImageNameBytes),
            field("owner", &M::owner), field("seq", &M::seq), field("size", &M::size),
            field("created_at", &M::created_at), field("mode", &M::mode),
            optional_field("removed", &M::removed, kMaxRecipients));
    }
    bool operator==(const ShareReply&) const = default;
};

}  // namespace imgshare
