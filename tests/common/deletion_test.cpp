// Deletion statements: only the owner's key makes one that checks, it deletes only the post
// it names, it is good only near the node's clock, and nothing but one canonical, bounded
// encoding decodes.
#include "common/deletion.h"

#include <gtest/gtest.h>

#include <limits>

#include "common/crypto/keys.h"
#include "common/crypto/sha256.h"
#include "common/registration.h"

namespace imgshare {
namespace {

constexpr std::int64_t kDeletedAt = 1'800'000'000;

class DeletionTest : public ::testing::Test {
  protected:
    SigningKeyPair owner_ = generate_signing_keys();
    SigningKeyPair other_ = generate_signing_keys();
    Bytes envelope_ = to_bytes("the envelope alice signed when she posted cat");

    Bytes statement(std::int64_t stated_at = kDeletedAt, std::string_view name = "cat",
                    std::string_view owner = "alice") {
        return make_deletion(name, owner, envelope_, stated_at, owner_.secret_key);
    }

    std::optional<ErrorCode> check(ByteView encoded, std::int64_t now = kDeletedAt,
                                   ByteView envelope = {}, std::string_view name = "cat") {
        auto checked = check_deletion(
            encoded,
            DeletionTarget{name, "alice", envelope.empty() ? ByteView(envelope_) : envelope,
                           owner_.public_key},
            now);
        return checked ? std::nullopt : std::optional(checked.error().code);
    }
};

TEST_F(DeletionTest, TheOwnersStatementDeletesTheImageItNames) {
    auto encoded = statement();
    EXPECT_LE(encoded.size(), kMaxDeletionBytes);
    EXPECT_EQ(check(encoded), std::nullopt);
    auto decoded = decode_deletion(encoded);
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(decoded->name, "cat");
    EXPECT_EQ(decoded->owner, "alice");
    EXPECT_EQ(decoded->envelope_digest, sha256(envelope_));
    EXPECT_EQ(decoded->stated_at, kDeletedAt);
}

TEST_F(DeletionTest, TheLongestNameAndOwnerFitTheBound) {
    const std::string name(kMaxImageNameBytes, 'n');
    const std::string owner(kMaxUsernameLength, 'o');
    auto encoded = make_deletion(name, owner, envelope_, std::numeric_limits<std::int64_t>::min(),
                                 owner_.secret_key);
    EXPECT_LE(encoded.size(), kMaxDeletionBytes);
    EXPECT_TRUE(decode_deletion(encoded).has_value());
}

TEST_F(DeletionTest, AStatementSignedByAnyoneButTheOwnerIsABadSignature) {
    auto forged = make_deletion("cat", "alice", envelope_, kDeletedAt, other_.secret_key);
    EXPECT_EQ(check(forged), ErrorCode::BAD_SIGNATURE);
}

TEST_F(DeletionTest, AStatementChangedOnTheWayIsABadSignature) {
    auto encoded = statement();
    // The last byte is the signature's; one before it is stated_at's.
    for (std::size_t at : {encoded.size() - 1, encoded.size() - 70}) {
        auto changed = encoded;
        changed[at] ^= 0x01;
        EXPECT_EQ(check(changed), ErrorCode::BAD_SIGNATURE) << "byte " << at;
    }
}

TEST_F(DeletionTest, AStatementAboutAnotherPostIsABadSignature) {
    // The same name posted again after a deletion: the old statement does not delete it.
    EXPECT_EQ(check(statement(), kDeletedAt, to_bytes("a later post under the same name")),
              ErrorCode::BAD_SIGNATURE);
    EXPECT_EQ(check(statement(kDeletedAt, "dog")), ErrorCode::BAD_SIGNATURE);
    EXPECT_EQ(check(statement(kDeletedAt, "cat", "mallory")), ErrorCode::BAD_SIGNATURE);
    EXPECT_EQ(check(statement(), kDeletedAt, {}, "dog"), ErrorCode::BAD_SIGNATURE);
}

TEST_F(DeletionTest, AStatementFarFromTheNodesClockIsStale) {
    EXPECT_EQ(check(statement(), kDeletedAt + kDeletionWindowSeconds), std::nullopt);
    EXPECT_EQ(check(statement(), kDeletedAt - kDeletionWindowSeconds), std::nullopt);
    EXPECT_EQ(check(statement(), kDeletedAt + kDeletionWindowSeconds + 1), ErrorCode::STALE);
    EXPECT_EQ(check(statement(), kDeletedAt - kDeletionWindowSeconds - 1), ErrorCode::STALE);
    EXPECT_EQ(check(statement(std::numeric_limits<std::int64_t>::max())), ErrorCode::STALE);
    EXPECT_EQ(check(statement(std::numeric_limits<std::int64_t>::min())), ErrorCode::STALE);
}

TEST_F(DeletionTest, OnlyOneCanonicalBoundedEncodingDecodes) {
    EXPECT_EQ(check({}), ErrorCode::BAD_REQUEST);
    EXPECT_EQ(check(to_bytes("not msgpack")), ErrorCode::BAD_REQUEST);
    auto encoded = statement();
    auto truncated = encoded;
    truncated.pop_back();
    EXPECT_EQ(check(truncated), ErrorCode::BAD_REQUEST);
    auto trailing = encoded;
    trailing.push_back(0xc0);
    EXPECT_EQ(check(trailing), ErrorCode::BAD_REQUEST);
    auto version = encoded;
    ASSERT_EQ(version[1], 0x01);  // fixarray of 6, then the positive fixint version
    version[1] = 0x02;
    EXPECT_EQ(check(version), ErrorCode::BAD_REQUEST);
    // The same statement with stated_at packed in 8 bytes rather than 5: not canonical.
    auto wide = encoded;
    const auto at = wide.size() - 66 - 5;  // uint32 0xce + 4 bytes, before the signature
    ASSERT_EQ(wide[at], 0xce);
    wide.erase(wide.begin() + static_cast<std::ptrdiff_t>(at),
               wide.begin() + static_cast<std::ptrdiff_t>(at + 5));
    const std::int64_t value = kDeletedAt;
    wide.insert(wide.begin() + static_cast<std::ptrdiff_t>(at), 0xd3);
    for (int shift = 56; shift >= 0; shift -= 8)
        wide.insert(wide.begin() + static_cast<std::ptrdiff_t>(at + 1 + (56 - shift) / 8),
                    static_cast<std::uint8_t>(value >> shift));
    EXPECT_EQ(check(wide), ErrorCode::BAD_REQUEST);
    EXPECT_EQ(check(Bytes(kMaxDeletionBytes + 1, 0x90)), ErrorCode::BAD_REQUEST);
    EXPECT_FALSE(decode_deletion(make_deletion("../cat", "alice", envelope_, kDeletedAt,
                                               owner_.secret_key))
                     .has_value());
}

}  // namespace
}  // namespace imgshare
