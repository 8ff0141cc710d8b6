// The envelope: what an owner signs about one image (DESIGN.md §2, "Content").
// It binds the name, the owner and their certificate serial, the mode and the
// recipients, the stream header, the ciphertext's SHA-256 and a commitment to
// the content key — so no server can swap, rename, truncate or re-key an image,
// or add or drop a recipient, without the reader noticing.
//
// The signed bytes are the canonical encoding (a msgpack array in field order);
// decode_envelope refuses any other encoding of the same values. Version 1 has 14 fields;
// version 2 adds a 15th, the image's encrypted thumbnail (common/crypto/thumbnail_box.h);
// version 3 has 18: v2's (its thumbnail may be empty) and the owner's controls, `revision`,
// `expires_at` and `max_downloads`. Each version is signed under its own context, and all
// three are read. Writers use v3 exactly when a control is set (every SHARE sets revision),
// else v2 exactly when they have a thumbnail (envelope_version_for).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/certificate.h"
#include "common/crypto/secret_bytes.h"
#include "common/error.h"
#include "common/protocol/storage_upload_messages.h"  // kEscrowMode, kEndToEndMode

namespace imgshare {

inline constexpr std::string_view kEnvelopeSigningContext = "imgshare/envelope/v1";
inline constexpr std::string_view kEnvelopeV2SigningContext = "imgshare/envelope/v2";
inline constexpr std::string_view kEnvelopeV3SigningContext = "imgshare/envelope/v3";
inline constexpr std::uint32_t kEnvelopeVersion = 1;
inline constexpr std::uint32_t kEnvelopeWithThumbnailVersion = 2;
inline constexpr std::uint32_t kEnvelopeWithControlsVersion = 3;
// A v1 envelope's bound (v2's, kMaxEnvelopeBytes, adds room for the thumbnail box).
inline constexpr std::size_t kMaxEnvelopeV1Bytes = 16 * 1024;
inline constexpr std::uint32_t kMinChunkSize = 1024;
// The largest chunk_size whose full chunks' ciphertext (chunk + kChunkOverhead) fits a payload
// frame (kMaxChunkBytes): 1 048 559.
inline constexpr std::uint32_t kMaxChunkSize = 1048576 - 17;

struct Envelope {
    std::uint32_t v = kEnvelopeVersion;
    std::string name;
    std::string owner;
    std::uint64_t owner_serial = 0;
    std::string mode;               // kEscrowMode or kEndToEndMode
    std::string content_type;       // "image/png", …
    std::uint64_t padded_size = 0;  // plaintext stream length, padded (DESIGN.md §2)
    std::uint32_t chunk_size = 0;   // plaintext bytes per chunk; the last may be shorter
    std::uint32_t chunk_count = 0;
    Bytes stream_header;      // secretstream header (the "IV")
    Bytes ciphertext_sha256;  // over every ciphertext chunk, in order
    Bytes key_commitment;     // common/crypto/chunk_stream.h key_commitment()
    std::int64_t created_at = 0;
    std::vector<std::string> recipients;  // e2e: every grant holder, owner included, sorted
    Bytes thumbnail = {};  // v2: the thumbnail box (thumbnail_box.h), never empty. v1: empty.
    // v3 only (0 in v1 and v2). Every SHARE signs the stored revision + 1, so an older
    // envelope (a longer list a revoke shortened) can never be replayed as a share.
    std::uint64_t revision = 0;
    std::int64_t expires_at = 0;     // Unix seconds after which no one may read it; 0: never
    std::uint32_t max_downloads = 0; // complete downloads served at most; 0: no limit

    bool operator==(const Envelope&) const = default;
};

// The fields of version envelope.v (a v1 or v2 envelope has no controls to write: a
// writer sets v = envelope_version_for(envelope) first).
[[nodiscard]] Bytes encode_envelope(const Envelope& envelope);

// The version a writer gives `envelope`: 3 when revision, expires_at or max_downloads is
// set, else 2 when it has a thumbnail, else 1.
[[nodiscard]] std::uint32_t envelope_version_for(const Envelope& envelope);

// BAD_REQUEST for hostile or inconsistent input: wrong types or sizes, an
// invalid name or username, an unknown mode, a content type outside kContentTypes
// (common/content_type.h), a chunk_size outside kMinChunkSize..kMaxChunkSize, chunk_count that does not match
// padded_size / chunk_size, recipients unsorted, duplicated, present in
// escrow mode or missing the owner in e2e mode.
// TOO_LARGE past kMaxEnvelopeV1Bytes (v1) or kMaxEnvelopeBytes (v2, v3); BAD_REQUEST for a
// v2 envelope whose thumbnail is not of a box size (is_thumbnail_box_size), a v3 one whose
// thumbnail is neither empty nor of a box size, or a negative expires_at.
[[nodiscard]] Result<Envelope> decode_envelope(ByteView encoded);

// The context an envelope's signature is made under: kEnvelopeV3SigningContext for bytes
// that start like a v3 envelope (an array of 18 whose first value is 3), v2's for those that
// start like a v2 one (an array of 15 whose first value is 2), else v1's. Decoding then
// refuses any mismatch, so each byte string has exactly one context.
[[nodiscard]] std::string_view envelope_signing_context(ByteView encoded);

[[nodiscard]] Bytes sign_envelope(ByteView encoded, const SecretBytes& owner_signing_secret_key);

// Checks the signature with the owner certificate's sign_pk, and that the
// envelope names that certificate (owner, serial). BAD_SIGNATURE otherwise.
// The certificate itself must already be verified against the CA.
[[nodiscard]] Result<Envelope> verify_envelope(ByteView encoded, ByteView signature,
                                               const Certificate& owner_certificate);

// Plaintext and ciphertext sizes of chunk `index` (< chunk_count).
[[nodiscard]] std::uint64_t chunk_plaintext_size(const Envelope& envelope, std::uint32_t index);
[[nodiscard]] std::uint64_t chunk_ciphertext_size(const Envelope& envelope, std::uint32_t index);

}  // namespace imgshare
