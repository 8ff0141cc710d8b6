// A witness's cosignature of a certificate log tree head (docs/TRANSPARENCY.md, "Witnesses"):
// the witness's statement that the head of `size` entries with `root` extends every head of
// this log it cosigned before. A client that requires cosignatures from K of the witnesses
// its trust file lists (witness_key, witness_quorum) cannot be shown a view of the log that
// those witnesses were not shown too: a split view needs K witnesses to lie.
//
// Encoding (canonical msgpack): [version 1, witness_key: bin 32, timestamp: int64,
// signature: bin 64]. The signature (the witness's Ed25519 key) covers
// "imgshare/cosignature/v1" 0x00 and [1, log_verify_key, size, root, timestamp]: the log it
// witnesses, the head's size and root (not the log's own timestamp or signature), and when.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "common/bytes.h"
#include "common/crypto/secret_bytes.h"
#include "common/error.h"
#include "common/transparency/tree_head.h"

namespace imgshare::transparency {

inline constexpr std::string_view kCosignatureSigningContext = "imgshare/cosignature/v1";
inline constexpr std::size_t kMaxCosignatureBytes = 128;
// A head carries at most this many cosignatures (a reply's bound).
inline constexpr std::size_t kMaxCosignatures = 16;

struct Cosignature {
    Bytes witness_key;           // the witness's Ed25519 verify key, 32 bytes
    std::int64_t timestamp = 0;  // Unix seconds on the witness's clock
    Bytes signature;             // 64 bytes

    bool operator==(const Cosignature&) const = default;
};

// The witness's cosignature of `head` of the log whose key is `log_verify_key`, made now.
[[nodiscard]] Bytes make_cosignature(ByteView log_verify_key, const TreeHead& head,
                                     std::int64_t timestamp, ByteView witness_verify_key,
                                     const SecretBytes& witness_secret_key);

// BAD_REQUEST for anything but a well-formed, canonical cosignature; checks no signature.
[[nodiscard]] Result<Cosignature> decode_cosignature(ByteView encoded);

// The cosignature, decoded and its signature checked over `head` of the log of
// `log_verify_key` with the key it names: BAD_REQUEST as above, BAD_SIGNATURE when that
// key did not sign this head of this log.
[[nodiscard]] Result<Cosignature> verify_cosignature(ByteView encoded, ByteView log_verify_key,
                                                     const TreeHead& head);

// Whom a reader requires cosignatures from: the trust file's witness_key lines and
// witness_quorum. quorum 0 (no witnesses) requires none.
struct WitnessPolicy {
    std::vector<Bytes> witness_keys;  // Ed25519 verify keys, 32 bytes each
    std::size_t quorum = 0;

    bool operator==(const WitnessPolicy&) const = default;
};

// How many of `policy`'s witnesses cosigned `head` among `cosignatures` (each witness counted
// once, however often it appears; a cosignature that does not verify, or by a witness the
// policy does not list, counts for nothing).
[[nodiscard]] std::size_t count_witnesses(std::span<const Bytes> cosignatures,
                                          ByteView log_verify_key, const TreeHead& head,
                                          const WitnessPolicy& policy);

// NOT_WITNESSED unless at least policy.quorum of the listed witnesses cosigned `head`.
[[nodiscard]] Result<void> check_witnessed(std::span<const Bytes> cosignatures,
                                           ByteView log_verify_key, const TreeHead& head,
                                           const WitnessPolicy& policy);

}  // namespace imgshare::transparency
