// An append-only Merkle tree with RFC 9162's hashing (Certificate Transparency 2.0, §2.1),
// its inclusion and consistency proofs, and their verification: the ground the certificate
// log stands on (issue #22, docs/TRANSPARENCY.md when it exists).
//
//   leaf hash   SHA-256(0x00 || entry)
//   node hash   SHA-256(0x01 || left || right)
//   MTH({})     SHA-256("")
//   MTH(D[n])   node(MTH(D[0:k]), MTH(D[k:n])), k the largest power of two < n
//
// Promises: roots and proofs are exactly RFC 9162's (the CT reference vectors are in the
// tests), so any other implementation can check them. The tree keeps the hash of every
// complete subtree (about 2n hashes), so a root or proof of any earlier size costs
// O(log² n) hashes, never a pass over the leaves. Verification never throws and never trusts
// a size or a path length from the peer beyond what the sizes allow (a path longer than the
// tree's height is refused before any hashing).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"

namespace imgshare::transparency {

using MerkleHash = std::array<std::uint8_t, 32>;

[[nodiscard]] MerkleHash leaf_hash(ByteView entry);
[[nodiscard]] MerkleHash node_hash(const MerkleHash& left, const MerkleHash& right);
[[nodiscard]] MerkleHash empty_root();

class MerkleTree {
  public:
    // Appends the entry's leaf hash; returns the entry's index.
    std::uint64_t append(ByteView entry);
    std::uint64_t append_leaf_hash(const MerkleHash& leaf);

    [[nodiscard]] std::uint64_t size() const { return levels_.empty() ? 0 : levels_[0].size(); }

    // MTH of the first `size` leaves (size <= this->size(), else std::out_of_range).
    [[nodiscard]] MerkleHash root(std::uint64_t size) const;
    [[nodiscard]] MerkleHash root() const { return root(size()); }

    // RFC 9162 §2.1.3.1 PATH(index, D[size]); index < size <= this->size() (else
    // std::out_of_range).
    [[nodiscard]] std::vector<MerkleHash> inclusion_proof(std::uint64_t index,
                                                          std::uint64_t size) const;
    // RFC 9162 §2.1.4.1 PROOF(first, D[second]); 0 < first <= second <= this->size() (else
    // std::out_of_range). Empty when first == second.
    [[nodiscard]] std::vector<MerkleHash> consistency_proof(std::uint64_t first,
                                                            std::uint64_t second) const;

  private:
    // MTH(D[begin:end]) for a range the recursion produces (begin aligned to a power of two
    // at least end - begin rounded up).
    [[nodiscard]] MerkleHash range_hash(std::uint64_t begin, std::uint64_t end) const;
    void inclusion_path(std::uint64_t index, std::uint64_t begin, std::uint64_t end,
                        std::vector<MerkleHash>& path) const;
    void consistency_path(std::uint64_t first, std::uint64_t begin, std::uint64_t end,
                          bool whole, std::vector<MerkleHash>& path) const;

    // levels_[l][i]: the hash of the complete subtree of leaves [i * 2^l, (i + 1) * 2^l).
    std::vector<std::vector<MerkleHash>> levels_;
};

// RFC 9162 §2.1.3.2. INTEGRITY unless `path` proves `leaf` is leaf `index` of the tree of
// `size` leaves whose root is `root`.
[[nodiscard]] Result<void> verify_inclusion(const MerkleHash& leaf, std::uint64_t index,
                                            std::uint64_t size, std::span<const MerkleHash> path,
                                            const MerkleHash& root);

// RFC 9162 §2.1.4.2. INTEGRITY unless `path` proves that the tree of `first` leaves with root
// `first_root` is a prefix of the tree of `second` leaves with root `second_root`. A size of
// 0 is consistent with anything (an empty path); equal sizes need equal roots and an empty
// path; first > second is never consistent.
[[nodiscard]] Result<void> verify_consistency(std::uint64_t first, std::uint64_t second,
                                              const MerkleHash& first_root,
                                              const MerkleHash& second_root,
                                              std::span<const MerkleHash> path);

}  // namespace imgshare::transparency
