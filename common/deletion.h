// An owner's signed statement that one of their images is to be deleted (issue #21): the
// storage node deletes an image only on such a statement, checked against the key of the
// certificate the image was posted with. The broker stamps who sent a request and could
// stamp the owner's name on anyone's DELETE; it cannot make the owner's signature.
//
// The statement names the image by its name, owner and the SHA-256 of its envelope (the
// bytes the owner signed at post), so it deletes that one post and nothing posted later
// under the same name; it is dated, and a node refuses one stated more than
// kDeletionWindowSeconds from its clock, so a captured statement is worth nothing later.
//
// Encoding (canonical msgpack): [version 1, name: str, owner: str, envelope_digest: bin 32,
// stated_at: int64, signature: bin 64]; the owner's Ed25519 signature covers
// "imgshare/delete/v1" 0x00 and the same array without the signature, so it is good for
// nothing else.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/crypto/secret_bytes.h"
#include "common/error.h"
#include "common/protocol/limits.h"

namespace imgshare {

inline constexpr std::string_view kDeletionSigningContext = "imgshare/delete/v1";
// A node refuses a statement dated further than this from its clock, either way (STALE).
inline constexpr std::int64_t kDeletionWindowSeconds = 300;
// An encoded statement is never larger than kMaxDeletionBytes (protocol/limits.h).

struct Deletion {
    std::string name;
    std::string owner;
    Bytes envelope_digest;  // SHA-256 of the image's envelope, as stored
    std::int64_t stated_at = 0;  // Unix seconds on the owner's clock
    Bytes signature;             // the owner's

    bool operator==(const Deletion&) const = default;
};

// The statement that `owner`'s image `name`, posted with `envelope`, is to be deleted,
// signed with the owner's signing key, encoded.
[[nodiscard]] Bytes make_deletion(std::string_view name, std::string_view owner,
                                  ByteView envelope, std::int64_t stated_at,
                                  const SecretBytes& owner_signing_secret_key);

// BAD_REQUEST for anything but a well-formed, canonical statement; checks no signature.
[[nodiscard]] Result<Deletion> decode_deletion(ByteView encoded);

// What a statement must delete: the image as the node stores it.
struct DeletionTarget {
    std::string_view name;
    std::string_view owner;
    ByteView envelope;          // the stored envelope
    ByteView owner_sign_key;    // from the certificate the image was posted with
};

// Whether `encoded` deletes `target`. In this order: BAD_REQUEST for a statement that does
// not decode; BAD_SIGNATURE for one the owner's key did not sign (forged, or changed on
// the way) and for one about another image (another name, owner or envelope: an earlier
// post under the same name); STALE for one stated more than kDeletionWindowSeconds from
// `now_seconds` (replayed, or a wrong clock).
[[nodiscard]] Result<void> check_deletion(ByteView encoded, const DeletionTarget& target,
                                          std::int64_t now_seconds);

}  // namespace imgshare
