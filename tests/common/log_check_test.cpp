// What a reader checks of a certificate's place in the log: an honest proof passes; a
// missing one, one for another entry or another index, or a head the log's key did not sign
// is refused; a head that does not extend the one seen before is LOG_INCONSISTENT.
#include "common/transparency/log_check.h"

#include <gtest/gtest.h>

#include "common/crypto/keys.h"
#include "common/transparency/log_entry.h"

namespace imgshare::transparency {
namespace {

class LogCheckTest : public ::testing::Test {
  protected:
    void SetUp() override {
        for (std::uint8_t i = 0; i < 7; ++i)
            tree_.append(encode_certificate_entry(certificate(i)));
    }
    static Bytes certificate(std::uint8_t i) { return Bytes{0xc0, i, i}; }
    Bytes head(std::uint64_t size, const SigningKeyPair& keys) const {
        return make_tree_head(size, tree_.root(size), 1'750'000'000, keys.secret_key);
    }
    Result<TreeHead> check(std::uint8_t which, std::uint64_t index, std::uint64_t proved_index,
                           std::uint64_t size) const {
        return check_certificate_logged(certificate(which), index, head(size, keys_),
                                        wire_hashes(tree_.inclusion_proof(proved_index, size)),
                                        keys_.public_key);
    }

    SigningKeyPair keys_ = generate_signing_keys();
    MerkleTree tree_;
};

TEST_F(LogCheckTest, AnHonestProofPasses) {
    for (std::uint64_t size = 1; size <= 7; ++size) {
        for (std::uint8_t i = 0; i < size; ++i) {
            auto head = check(i, i, i, size);
            ASSERT_TRUE(head) << head.error().message;
            EXPECT_EQ(head->size, size);
        }
    }
}

TEST_F(LogCheckTest, AnythingButAProofOfThisEntryIsNotLogged) {
    // Another certificate's proof, the right proof at another index, an index past the head.
    for (auto [which, index, proved, size] :
         std::vector<std::array<std::uint64_t, 4>>{{3, 3, 4, 7}, {3, 4, 3, 7}, {3, 7, 3, 7}}) {
        auto refused = check(static_cast<std::uint8_t>(which), index, proved, size);
        ASSERT_FALSE(refused);
        EXPECT_EQ(refused.error().code, ErrorCode::NOT_LOGGED);
    }
    // No head, no path, a hash of the wrong size, too many hashes.
    auto path = wire_hashes(tree_.inclusion_proof(3, 7));
    auto no_head = check_certificate_logged(certificate(3), 3, {}, path, keys_.public_key);
    ASSERT_FALSE(no_head);
    EXPECT_EQ(no_head.error().code, ErrorCode::NOT_LOGGED);
    auto no_path = check_certificate_logged(certificate(3), 3, head(7, keys_), {}, keys_.public_key);
    ASSERT_FALSE(no_path);
    EXPECT_EQ(no_path.error().code, ErrorCode::NOT_LOGGED);
    auto short_hash = path;
    short_hash[0].pop_back();
    auto wrong_size =
        check_certificate_logged(certificate(3), 3, head(7, keys_), short_hash, keys_.public_key);
    ASSERT_FALSE(wrong_size);
    EXPECT_EQ(wrong_size.error().code, ErrorCode::NOT_LOGGED);
    std::vector<Bytes> too_many(kMaxProofHashes + 1, Bytes(32, 0));
    auto long_path =
        check_certificate_logged(certificate(3), 3, head(7, keys_), too_many, keys_.public_key);
    ASSERT_FALSE(long_path);
    EXPECT_EQ(long_path.error().code, ErrorCode::NOT_LOGGED);
}

TEST_F(LogCheckTest, AHeadTheLogsKeyDidNotSignIsBadSignature) {
    auto other = generate_signing_keys();
    auto refused = check_certificate_logged(certificate(3), 3, head(7, other),
                                            wire_hashes(tree_.inclusion_proof(3, 7)),
                                            keys_.public_key);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::BAD_SIGNATURE);
}

TEST_F(LogCheckTest, ANewerHeadMustExtendTheOneSeen) {
    auto at = [&](std::uint64_t size) { return decode_tree_head(head(size, keys_)).value(); };
    for (std::uint64_t first = 1; first <= 7; ++first) {
        for (std::uint64_t second = first; second <= 7; ++second) {
            auto path = wire_hashes(tree_.consistency_proof(first, second));
            EXPECT_TRUE(check_extends(at(first), at(second), path)) << first << "→" << second;
        }
    }
    EXPECT_TRUE(check_extends(TreeHead{}, at(3), {}));  // nothing seen yet

    const auto inconsistent = [](const Result<void>& result) {
        return !result && result.error().code == ErrorCode::LOG_INCONSISTENT;
    };
    // Smaller than seen; the same size with another root; a proof that proves nothing.
    EXPECT_TRUE(inconsistent(check_extends(at(5), at(4), {})));
    auto other_root = at(5);
    other_root.root[0] ^= 1;
    EXPECT_TRUE(inconsistent(check_extends(at(5), other_root, {})));
    auto wrong = wire_hashes(tree_.consistency_proof(2, 7));
    EXPECT_TRUE(inconsistent(check_extends(at(3), at(7), wrong)));
    // A log that changed an entry: its head at 7 does not extend the honest one at 4.
    MerkleTree changed;
    for (std::uint8_t i = 0; i < 7; ++i)
        changed.append(encode_certificate_entry(certificate(i == 1 ? 9 : i)));
    auto forged = decode_tree_head(make_tree_head(7, changed.root(), 1, keys_.secret_key)).value();
    EXPECT_TRUE(inconsistent(
        check_extends(at(4), forged, wire_hashes(changed.consistency_proof(4, 7)))));
}

}  // namespace
}  // namespace imgshare::transparency
