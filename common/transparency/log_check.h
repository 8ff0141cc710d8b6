// What a reader checks of a certificate's place in the certificate log (docs/TRANSPARENCY.md):
// that the certificate is an entry of a tree head the log's key signed, and that a newer
// head extends the one it saw before. The proofs come as a reply carries them (a list of
// 32-byte hashes each); nothing here trusts a size, a count or a length from the peer.
#pragma once

#include <cstdint>
#include <span>

#include "common/bytes.h"
#include "common/error.h"
#include "common/transparency/tree_head.h"

namespace imgshare::transparency {

// A proof never holds more hashes than a tree of 2^64 entries needs.
inline constexpr std::size_t kMaxProofHashes = 64;

// The head `tree_head` (signed by `log_verify_key`) with `encoded_certificate` as its entry
// `index`, proved by `inclusion`. BAD_SIGNATURE for a head the log's key did not sign;
// NOT_LOGGED for a missing head, or a proof that does not prove that entry (another
// certificate's, another index's, a hash of the wrong size).
[[nodiscard]] Result<TreeHead> check_certificate_logged(ByteView encoded_certificate,
                                                        std::uint64_t index, ByteView tree_head,
                                                        std::span<const Bytes> inclusion,
                                                        ByteView log_verify_key);

// That `newer` extends `seen`, by `consistency` (RFC 9162 §2.1.4.2): a head of the same size
// must have the same root (whatever proof came with it), a smaller one never follows a
// larger one. LOG_INCONSISTENT
// otherwise, naming both sizes.
[[nodiscard]] Result<void> check_extends(const TreeHead& seen, const TreeHead& newer,
                                         std::span<const Bytes> consistency);

// `hashes` as Merkle hashes: nullopt if there are more than kMaxProofHashes or one is not 32
// bytes.
[[nodiscard]] std::optional<std::vector<MerkleHash>> merkle_hashes(std::span<const Bytes> hashes);

// `path` as the wire carries it.
[[nodiscard]] std::vector<Bytes> wire_hashes(std::span<const MerkleHash> path);

}  // namespace imgshare::transparency
