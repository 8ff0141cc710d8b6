// A signed tree head: the certificate log's size and root at a time, signed with the log's
// own Ed25519 key (`log_verify_key` in the trust file), not the CA's issuing key, so that
// a stolen issuing key cannot rewrite what the log showed (docs/TRANSPARENCY.md).
//
// Encoding (canonical msgpack): [version 1, size: uint, root: bin 32, timestamp: int64,
// signature: bin 64]; the signature covers "imgshare/tree-head/v1" 0x00 and the same array
// without the signature ([1, size, root, timestamp]), so it is good for nothing else.
#pragma once

#include <cstdint>

#include "common/bytes.h"
#include "common/crypto/secret_bytes.h"
#include "common/error.h"
#include "common/transparency/merkle_tree.h"

namespace imgshare::transparency {

inline constexpr std::string_view kTreeHeadSigningContext = "imgshare/tree-head/v1";
inline constexpr std::size_t kMaxTreeHeadBytes = 128;

struct TreeHead {
    std::uint64_t size = 0;
    MerkleHash root{};
    std::int64_t timestamp = 0;  // Unix seconds on the log's clock
    Bytes signature;             // the log key's

    bool operator==(const TreeHead&) const = default;
};

// The head of `size` entries with `root`, signed now (`timestamp`) with the log's key.
[[nodiscard]] Bytes make_tree_head(std::uint64_t size, const MerkleHash& root,
                                   std::int64_t timestamp, const SecretBytes& log_secret_key);

// BAD_REQUEST for anything but a well-formed, canonical head; checks no signature.
[[nodiscard]] Result<TreeHead> decode_tree_head(ByteView encoded);

// The head, decoded and its signature checked with `log_verify_key`: BAD_REQUEST as above,
// BAD_SIGNATURE when the log's key did not sign it.
[[nodiscard]] Result<TreeHead> verify_tree_head(ByteView encoded, ByteView log_verify_key);

}  // namespace imgshare::transparency
