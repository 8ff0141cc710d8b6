// Signed tree heads: only the log's key signs one, and no field changes unnoticed.
#include "common/transparency/tree_head.h"

#include <gtest/gtest.h>

#include "common/crypto/keys.h"

namespace imgshare::transparency {
namespace {

MerkleHash root_of(std::uint8_t fill) {
    MerkleHash root;
    root.fill(fill);
    return root;
}

TEST(TreeHeadTest, TheLogsKeySignsAHeadThatVerifiesAsMade) {
    auto keys = generate_signing_keys();
    auto encoded = make_tree_head(5, root_of(7), 1'750'000'000, keys.secret_key);
    EXPECT_LE(encoded.size(), kMaxTreeHeadBytes);
    auto head = verify_tree_head(encoded, keys.public_key);
    ASSERT_TRUE(head) << head.error().message;
    EXPECT_EQ(head->size, 5u);
    EXPECT_EQ(head->root, root_of(7));
    EXPECT_EQ(head->timestamp, 1'750'000'000);
}

TEST(TreeHeadTest, AnotherKeyOrAChangedFieldIsBadSignature) {
    auto keys = generate_signing_keys();
    auto encoded = make_tree_head(5, root_of(7), 1'750'000'000, keys.secret_key);
    auto other = verify_tree_head(encoded, generate_signing_keys().public_key);
    ASSERT_FALSE(other);
    EXPECT_EQ(other.error().code, ErrorCode::BAD_SIGNATURE);
    // The size, the root or the time changed, under the original signature.
    auto head = decode_tree_head(encoded).value();
    for (auto changed : {TreeHead{6, head.root, head.timestamp, {}},
                         TreeHead{5, root_of(8), head.timestamp, {}},
                         TreeHead{5, head.root, head.timestamp + 1, {}}}) {
        auto forged = make_tree_head(changed.size, changed.root, changed.timestamp,
                                     generate_signing_keys().secret_key);
        Bytes spliced(forged.begin(), forged.end() - 64);
        spliced.insert(spliced.end(), head.signature.begin(), head.signature.end());
        auto checked = verify_tree_head(spliced, keys.public_key);
        ASSERT_FALSE(checked);
        EXPECT_EQ(checked.error().code, ErrorCode::BAD_SIGNATURE);
    }
}

TEST(TreeHeadTest, AnythingButACanonicalHeadIsBadRequest) {
    auto keys = generate_signing_keys();
    auto encoded = make_tree_head(5, root_of(7), 1, keys.secret_key);
    for (const Bytes& bad : {Bytes{}, Bytes(encoded.begin(), encoded.end() - 1),
                             Bytes(kMaxTreeHeadBytes + 1, 0x95)}) {
        auto decoded = verify_tree_head(bad, keys.public_key);
        ASSERT_FALSE(decoded);
        EXPECT_EQ(decoded.error().code, ErrorCode::BAD_REQUEST);
    }
}

}  // namespace
}  // namespace imgshare::transparency
