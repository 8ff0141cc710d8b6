// The Merkle tree against Certificate Transparency's reference vectors (RFC 6962/9162 hashing:
// the roots of the eight reference leaves, and their published inclusion and consistency
// proofs), and every proof of many tree sizes against an independent, naive MTH.
#include "common/transparency/merkle_tree.h"

#include <gtest/gtest.h>

#include <functional>

namespace imgshare::transparency {
namespace {

MerkleHash hash_of(std::string_view text) {
    auto bytes = from_hex(text);
    if (!bytes || bytes->size() != 32) throw std::invalid_argument("not a hash");
    MerkleHash out;
    std::copy(bytes->begin(), bytes->end(), out.begin());
    return out;
}

std::vector<MerkleHash> hashes_of(std::initializer_list<std::string_view> texts) {
    std::vector<MerkleHash> out;
    for (auto text : texts)
        out.push_back(hash_of(text));
    return out;
}

// The reference leaves of the CT test suites, and the root of each prefix of them.
const std::vector<std::string_view> kLeaves = {"", "00", "10", "2021", "3031", "40414243",
                                               "5051525354555657",
                                               "606162636465666768696a6b6c6d6e6f"};
const std::vector<std::string_view> kRoots = {
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};

MerkleTree reference_tree() {
    MerkleTree tree;
    for (auto leaf : kLeaves)
        tree.append(*from_hex(leaf));
    return tree;
}

// MTH straight from the RFC's definition, over leaf hashes: the independent reference.
MerkleHash naive_root(std::span<const MerkleHash> leaves) {
    if (leaves.empty()) return empty_root();
    if (leaves.size() == 1) return leaves[0];
    std::size_t k = 1;
    while (k * 2 < leaves.size())
        k *= 2;
    return node_hash(naive_root(leaves.subspan(0, k)), naive_root(leaves.subspan(k)));
}

TEST(MerkleTreeTest, RootsAreTheReferenceRootsAtEverySize) {
    EXPECT_EQ(empty_root(), hash_of(kRoots[0]));
    auto tree = reference_tree();
    for (std::size_t size = 0; size <= kLeaves.size(); ++size)
        EXPECT_EQ(tree.root(size), hash_of(kRoots[size])) << size;
    EXPECT_EQ(leaf_hash(Bytes{}), hash_of(kRoots[1]));
}

TEST(MerkleTreeTest, InclusionProofsAreTheReferenceProofs) {
    auto tree = reference_tree();
    struct Case {
        std::uint64_t index, size;
        std::vector<MerkleHash> path;
    };
    const std::vector<Case> cases = {
        {0, 8,
         hashes_of({"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"})},
        {5, 8,
         hashes_of({"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"})},
        {2, 3, hashes_of({"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"})},
        {1, 5,
         hashes_of({"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"})},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(tree.inclusion_proof(c.index, c.size), c.path) << c.index << "/" << c.size;
        EXPECT_TRUE(verify_inclusion(leaf_hash(*from_hex(kLeaves[c.index])), c.index, c.size,
                                     c.path, hash_of(kRoots[c.size])));
    }
}

TEST(MerkleTreeTest, ConsistencyProofsAreTheReferenceProofs) {
    auto tree = reference_tree();
    struct Case {
        std::uint64_t first, second;
        std::vector<MerkleHash> path;
    };
    const std::vector<Case> cases = {
        {1, 1, {}},
        {1, 8,
         hashes_of({"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"})},
        {6, 8,
         hashes_of({"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"})},
        {2, 5,
         hashes_of({"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"})},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(tree.consistency_proof(c.first, c.second), c.path) << c.first << "->"
                                                                     << c.second;
        EXPECT_TRUE(verify_consistency(c.first, c.second, hash_of(kRoots[c.first]),
                                       hash_of(kRoots[c.second]), c.path));
    }
}

TEST(MerkleTreeTest, EveryProofOfEverySizeVerifiesAndAnyChangeBreaksIt) {
    MerkleTree tree;
    std::vector<MerkleHash> leaves;
    for (std::uint32_t i = 0; i < 70; ++i) {
        Bytes entry = {static_cast<std::uint8_t>(i), static_cast<std::uint8_t>(i * 7)};
        tree.append(entry);
        leaves.push_back(leaf_hash(entry));
    }
    for (std::uint64_t size = 1; size <= leaves.size(); ++size) {
        const MerkleHash root = naive_root(std::span(leaves).subspan(0, size));
        ASSERT_EQ(tree.root(size), root) << size;
        for (std::uint64_t index = 0; index < size; ++index) {
            auto path = tree.inclusion_proof(index, size);
            ASSERT_TRUE(verify_inclusion(leaves[index], index, size, path, root));
            EXPECT_FALSE(verify_inclusion(leaves[(index + 1) % size], index, size, path, root) &&
                         size > 1);
            if (!path.empty()) {
                path.back()[0] ^= 1;
                EXPECT_FALSE(verify_inclusion(leaves[index], index, size, path, root));
            }
        }
        for (std::uint64_t first = 1; first <= size; ++first) {
            const MerkleHash first_root = naive_root(std::span(leaves).subspan(0, first));
            auto path = tree.consistency_proof(first, size);
            ASSERT_TRUE(verify_consistency(first, size, first_root, root, path))
                << first << "->" << size;
            if (first < size) {
                MerkleHash forged = first_root;
                forged[31] ^= 1;
                EXPECT_FALSE(verify_consistency(first, size, forged, root, path));
                EXPECT_FALSE(verify_consistency(first, size, first_root, forged, path));
                path.front()[5] ^= 1;
                EXPECT_FALSE(verify_consistency(first, size, first_root, root, path));
            }
        }
    }
}

TEST(MerkleTreeTest, ProofsFromAPeerAreCheckedBeforeTheyAreTrusted) {
    auto tree = reference_tree();
    const MerkleHash root = tree.root();
    const MerkleHash leaf = leaf_hash(*from_hex(kLeaves[3]));
    auto path = tree.inclusion_proof(3, 8);
    auto refused = verify_inclusion(leaf, 8, 8, path, root);  // index past the tree
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, ErrorCode::INTEGRITY);
    // Another size: the root is what binds it (a signed tree head carries both).
    EXPECT_FALSE(verify_inclusion(leaf, 3, 7, path, tree.root(7)));
    EXPECT_FALSE(verify_inclusion(leaf, 3, 4, path, root));  // a path too long for the size
    EXPECT_FALSE(verify_inclusion(leaf, 2, 8, path, root));  // another index
    auto longer = path;
    longer.push_back(root);
    EXPECT_FALSE(verify_inclusion(leaf, 3, 8, longer, root));
    std::vector<MerkleHash> huge(65, root);
    EXPECT_FALSE(verify_inclusion(leaf, 3, 8, huge, root));
    EXPECT_FALSE(verify_inclusion(leaf, 3, 8, {}, root));

    const MerkleHash root4 = tree.root(4);
    EXPECT_FALSE(verify_consistency(8, 4, root, root4, tree.consistency_proof(4, 8)));
    EXPECT_FALSE(verify_consistency(4, 8, root4, root, {}));
    EXPECT_TRUE(verify_consistency(0, 8, empty_root(), root, {}));
    EXPECT_FALSE(verify_consistency(0, 8, empty_root(), root, tree.consistency_proof(4, 8)));
    EXPECT_TRUE(verify_consistency(8, 8, root, root, {}));
    EXPECT_FALSE(verify_consistency(8, 8, root, root4, {}));  // same size, another tree
    EXPECT_FALSE(verify_consistency(4, 8, root4, root, std::vector<MerkleHash>(65, root)));
}

TEST(MerkleTreeTest, AskingForWhatTheTreeHasNotReachedIsABug) {
    auto tree = reference_tree();
    EXPECT_THROW((void)tree.root(9), std::out_of_range);
    EXPECT_THROW((void)tree.inclusion_proof(8, 8), std::out_of_range);
    EXPECT_THROW((void)tree.inclusion_proof(0, 9), std::out_of_range);
    EXPECT_THROW((void)tree.consistency_proof(0, 4), std::out_of_range);
    EXPECT_THROW((void)tree.consistency_proof(5, 4), std::out_of_range);
    EXPECT_THROW((void)tree.consistency_proof(4, 9), std::out_of_range);
}

}  // namespace
}  // namespace imgshare::transparency
