#include "common/transparency/merkle_tree.h"

#include <openssl/sha.h>

#include <algorithm>
#include <bit>
#include <stdexcept>

namespace imgshare::transparency {
namespace {

// A path can be no longer than the height of a tree of 2^64 leaves.
constexpr std::size_t kMaxPathLength = 64;

// SHA-256(prefix || first || second), through OpenSSL's one-shot SHA256() (SHA extensions,
// no context to allocate; common/crypto/sha256.h says why OpenSSL).
MerkleHash digest(std::uint8_t prefix, ByteView first, ByteView second = {}) {
    std::array<std::uint8_t, 1 + 2 * 32> small;
    Bytes large;
    std::uint8_t* input = small.data();
    const std::size_t length = 1 + first.size() + second.size();
    if (length > small.size()) {
        large.resize(length);
        input = large.data();
    }
    input[0] = prefix;
    std::copy(first.begin(), first.end(), input + 1);
    std::copy(second.begin(), second.end(), input + 1 + first.size());
    MerkleHash out;
    SHA256(input, length, out.data());
    return out;
}

// k in RFC 9162: the largest power of two smaller than n (n >= 2).
std::uint64_t split_point(std::uint64_t n) {
    return std::bit_floor(n - 1);
}

Error not_proven(std::string_view what) {
    return Error{ErrorCode::INTEGRITY, std::string(what)};
}

}  // namespace

MerkleHash leaf_hash(ByteView entry) {
    return digest(0x00, entry);
}

MerkleHash node_hash(const MerkleHash& left, const MerkleHash& right) {
    return digest(0x01, left, right);
}

MerkleHash empty_root() {
    MerkleHash out;
    SHA256(nullptr, 0, out.data());
    return out;
}

std::uint64_t MerkleTree::append(ByteView entry) {
    return append_leaf_hash(leaf_hash(entry));
}

std::uint64_t MerkleTree::append_leaf_hash(const MerkleHash& leaf) {
    if (levels_.empty()) levels_.emplace_back();
    levels_[0].push_back(leaf);
    // Each level whose count became even completes one subtree on the level above.
    for (std::size_t level = 0; levels_[level].size() % 2 == 0; ++level) {
        if (level + 1 == levels_.size()) levels_.emplace_back();
        const auto& hashes = levels_[level];
        levels_[level + 1].push_back(node_hash(hashes[hashes.size() - 2], hashes.back()));
    }
    return levels_[0].size() - 1;
}

MerkleHash MerkleTree::range_hash(std::uint64_t begin, std::uint64_t end) const {
    const std::uint64_t count = end - begin;
    if (count == 0) return empty_root();
    if (std::has_single_bit(count) && begin % count == 0) {
        const auto level = static_cast<std::size_t>(std::countr_zero(count));
        return levels_[level][begin >> level];
    }
    const std::uint64_t k = split_point(count);
    return node_hash(range_hash(begin, begin + k), range_hash(begin + k, end));
}

MerkleHash MerkleTree::root(std::uint64_t size) const {
    if (size > this->size()) throw std::out_of_range("Merkle tree root of a size not reached");
    return range_hash(0, size);
}

void MerkleTree::inclusion_path(std::uint64_t index, std::uint64_t begin, std::uint64_t end,
                                std::vector<MerkleHash>& path) const {
    if (end - begin <= 1) return;
    const std::uint64_t middle = begin + split_point(end - begin);
    if (index < middle) {
        inclusion_path(index, begin, middle, path);
        path.push_back(range_hash(middle, end));
    } else {
        inclusion_path(index, middle, end, path);
        path.push_back(range_hash(begin, middle));
    }
}

std::vector<MerkleHash> MerkleTree::inclusion_proof(std::uint64_t index,
                                                    std::uint64_t size) const {
    if (index >= size || size > this->size()) {
        throw std::out_of_range("Merkle inclusion proof outside the tree");
    }
    std::vector<MerkleHash> path;
    inclusion_path(index, 0, size, path);
    return path;
}

void MerkleTree::consistency_path(std::uint64_t first, std::uint64_t begin, std::uint64_t end,
                                  bool whole, std::vector<MerkleHash>& path) const {
    // SUBPROOF(first, D[begin:end], whole), first counted from begin.
    if (first == end - begin) {
        if (!whole) path.push_back(range_hash(begin, end));
        return;
    }
    const std::uint64_t k = split_point(end - begin);
    if (first <= k) {
        consistency_path(first, begin, begin + k, whole, path);
        path.push_back(range_hash(begin + k, end));
    } else {
        consistency_path(first - k, begin + k, end, false, path);
        path.push_back(range_hash(begin, begin + k));
    }
}

std::vector<MerkleHash> MerkleTree::consistency_proof(std::uint64_t first,
                                                      std::uint64_t second) const {
    if (first == 0 || first > second || second > size()) {
        throw std::out_of_range("Merkle consistency proof outside the tree");
    }
    std::vector<MerkleHash> path;
    consistency_path(first, 0, second, true, path);
    return path;
}

Result<void> verify_inclusion(const MerkleHash& leaf, std::uint64_t index, std::uint64_t size,
                              std::span<const MerkleHash> path, const MerkleHash& root) {
    if (index >= size) return std::unexpected(not_proven("inclusion: the index is past the tree"));
    if (path.size() > kMaxPathLength) {
        return std::unexpected(not_proven("inclusion: the path is longer than any tree is high"));
    }
    std::uint64_t fn = index;
    std::uint64_t sn = size - 1;
    MerkleHash r = leaf;
    for (const auto& p : path) {
        if (sn == 0) return std::unexpected(not_proven("inclusion: the path is too long"));
        if ((fn & 1) != 0 || fn == sn) {
            r = node_hash(p, r);
            while ((fn & 1) == 0 && fn != 0) {
                fn >>= 1;
                sn >>= 1;
            }
        } else {
            r = node_hash(r, p);
        }
        fn >>= 1;
        sn >>= 1;
    }
    if (sn != 0 || r != root) {
        return std::unexpected(not_proven("inclusion: the path does not lead to the root"));
    }
    return {};
}

Result<void> verify_consistency(std::uint64_t first, std::uint64_t second,
                                const MerkleHash& first_root, const MerkleHash& second_root,
                                std::span<const MerkleHash> path) {
    if (first > second) {
        return std::unexpected(not_proven("consistency: the first tree is the larger"));
    }
    if (path.size() > kMaxPathLength) {
        return std::unexpected(not_proven("consistency: the path is longer than any tree is high"));
    }
    if (first == 0 || first == second) {
        if (!path.empty() || (first == second && first_root != second_root)) {
            return std::unexpected(not_proven("consistency: equal or empty trees need no path"));
        }
        return {};
    }
    if (path.empty()) return std::unexpected(not_proven("consistency: the path is empty"));
    std::vector<MerkleHash> nodes;
    if (std::has_single_bit(first)) nodes.push_back(first_root);
    nodes.insert(nodes.end(), path.begin(), path.end());
    std::uint64_t fn = first - 1;
    std::uint64_t sn = second - 1;
    while ((fn & 1) != 0) {
        fn >>= 1;
        sn >>= 1;
    }
    MerkleHash fr = nodes[0];
    MerkleHash sr = nodes[0];
    for (std::size_t i = 1; i < nodes.size(); ++i) {
        const MerkleHash& c = nodes[i];
        if (sn == 0) return std::unexpected(not_proven("consistency: the path is too long"));
        if ((fn & 1) != 0 || fn == sn) {
            fr = node_hash(c, fr);
            sr = node_hash(c, sr);
            while ((fn & 1) == 0 && fn != 0) {
                fn >>= 1;
                sn >>= 1;
            }
        } else {
            sr = node_hash(sr, c);
        }
        fn >>= 1;
        sn >>= 1;
    }
    if (fr != first_root || sr != second_root || sn != 0) {
        return std::unexpected(not_proven("consistency: the path does not join the two roots"));
    }
    return {};
}

}  // namespace imgshare::transparency
