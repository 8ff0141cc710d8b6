// What the storage node keeps about an image and about a pending upload, and
// their stored form (a msgpack map, like the wire messages: fields.h).
//
// Promises: decoding treats the bytes as untrusted (the database is a file)
// and never throws; a record that does not decode, or whose fields break the
// invariants below, is INTERNAL ("stored ... is unreadable"), never a crash.
#pragma once

#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"
#include "common/protocol/messages.h"

namespace imgshare::storage {

// One SHARE of an e2e image: its own feed entry and the recipients it added and took
// back (a revoke: their grants went with it).
struct ShareRecord {
    std::uint64_t seq = 0;
    std::vector<std::string> added;
    std::vector<std::string> removed = {};
    static constexpr auto fields() {
        return std::make_tuple(field("seq", &ShareRecord::seq),
                               field("added", &ShareRecord::added, kMaxRecipients),
                               optional_field("removed", &ShareRecord::removed, kMaxRecipients));
    }
    bool operator==(const ShareRecord&) const = default;
};

// A committed image (family `images`, key: its name). A SHARE replaces its
// envelope, signature and recipients and appends to `shares`.
struct ImageRecord {
    std::string name;
    std::string owner;
    Bytes upload;  // the upload id: the prefix of this image's chunk keys
    Bytes certificate;
    Bytes envelope;  // exactly the bytes the owner signed
    Bytes signature;
    std::string mode;                     // kEscrowMode or kEndToEndMode
    Bytes wrapped_key;                    // escrow: the key sealed to the server. e2e: empty.
    std::vector<std::string> recipients;  // e2e: the envelope's recipients. escrow: empty.
    std::uint64_t seq = 0;
    std::int64_t created_at = 0;  // the envelope's, as the owner signed it
    std::uint64_t size = 0;       // padded plaintext size, as in the envelope
    std::uint32_t chunk_count = 0;
    std::int64_t committed_at = 0;         // this node's clock, Unix seconds
    std::vector<ShareRecord> shares = {};  // e2e: every SHARE, in feed order
    // When the image stops being served, Unix seconds (0: never): the envelope's signed
    // expires_at, or, for an image posted without one, the node's default expiry.
    std::int64_t expires_at = 0;
    std::uint32_t max_downloads = 0;  // the envelope's: complete downloads served at most

    static constexpr auto fields() {
        using M = ImageRecord;
        return std::make_tuple(
            field("name", &M::name, kMaxImageNameBytes), field("owner", &M::owner),
            field("upload", &M::upload), field("certificate", &M::certificate),
            field("envelope", &M::envelope, kMaxEnvelopeBytes), field("signature", &M::signature),
            field("mode", &M::mode), field("wrapped_key", &M::wrapped_key),
            field("recipients", &M::recipients, kMaxRecipients), field("seq", &M::seq),
            field("created_at", &M::created_at), field("size", &M::size),
            field("chunk_count", &M::chunk_count), field("committed_at", &M::committed_at),
            optional_field("shares", &M::shares, kMaxRecipients),
            optional_field("expires_at", &M::expires_at),
            optional_field("max_downloads", &M::max_downloads));
    }
    bool operator==(const ImageRecord&) const = default;
};

// An upload between POST_BEGIN and POST_COMMIT (family `uploads`, key: its id).
// Everything here was verified at POST_BEGIN.
struct UploadSession {
    std::string owner;
    Bytes certificate;
    Bytes envelope;
    Bytes signature;
    Bytes wrapped_key;
    std::vector<Grant> grants;
    std::int64_t created_at = 0;  // this node's clock, Unix seconds
    std::uint32_t chunk_count = 0;
    // The last POST_BEGIN of this upload, Unix seconds on this node's clock (0 in sessions
    // stored before it was kept: created_at then). With the times in its chunk notes, what
    // its time-out counts from after a restart (upload_sessions.h).
    std::int64_t touched_at = 0;

    static constexpr auto fields() {
        using M = UploadSession;
        return std::make_tuple(
            field("owner", &M::owner), field("certificate", &M::certificate),
            field("envelope", &M::envelope, kMaxEnvelopeBytes), field("signature", &M::signature),
            field("wrapped_key", &M::wrapped_key), field("grants", &M::grants, kMaxRecipients),
            field("created_at", &M::created_at), field("chunk_count", &M::chunk_count),
            optional_field("touched_at", &M::touched_at));
    }
    bool operator==(const UploadSession&) const = default;
};

[[nodiscard]] Bytes encode_record(const ImageRecord& record);
[[nodiscard]] Bytes encode_record(const UploadSession& session);

// Invariants checked besides the shape: the upload id has its size, the mode
// is known, chunk_count is 1..kMaxChunkCount.
[[nodiscard]] Result<ImageRecord> decode_image_record(ByteView bytes);
// Invariants: chunk_count is 1..kMaxChunkCount.
[[nodiscard]] Result<UploadSession> decode_upload_session(ByteView bytes);

}  // namespace imgshare::storage
