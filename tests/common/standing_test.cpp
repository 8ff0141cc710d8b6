// A signed standing: only the CA's key makes one that checks, it speaks of exactly one
// certificate, it goes stale, and nothing a relay changes survives.
#include "common/standing.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>

#include "common/crypto/keys.h"
#include "common/msgpack_util.h"

namespace imgshare {
namespace {

constexpr std::int64_t kClockNow = 1'800'000'000;

class StandingTest : public ::testing::Test {
  protected:
    SigningKeyPair ca_ = generate_signing_keys();
    SigningKeyPair other_ca_ = generate_signing_keys();
    Certificate alice_ = [] {
        Certificate certificate;
        certificate.serial = 17;
        certificate.username = "alice";
        return certificate;
    }();

    Bytes statement(bool revoked, std::int64_t stated_at = kClockNow, std::string_view name = "alice",
                    std::uint64_t serial = 17) {
        return make_standing(name, serial, revoked, stated_at, ca_.secret_key);
    }
    Result<bool> check(ByteView encoded, std::int64_t now = kClockNow) {
        return check_standing(encoded, alice_, ca_.public_key, now);
    }
    static std::optional<ErrorCode> code_of(const Result<bool>& result) {
        return result ? std::nullopt : std::optional(result.error().code);
    }
};

TEST_F(StandingTest, TheCasStatementSaysWhetherTheCertificateIsRevoked) {
    EXPECT_EQ(check(statement(false)), false);
    EXPECT_EQ(check(statement(true)), true);
    auto decoded = decode_standing(statement(true));
    ASSERT_TRUE(decoded) << decoded.error().message;
    EXPECT_EQ(decoded->username, "alice");
    EXPECT_EQ(decoded->serial, 17u);
    EXPECT_TRUE(decoded->revoked);
    EXPECT_EQ(decoded->stated_at, kClockNow);
    EXPECT_LE(statement(false, kClockNow, std::string(64, 'a')).size(), kMaxStandingBytes);
}

TEST_F(StandingTest, AMissingOrFlippedStatementIsRefusedAsNotTheCas) {
    auto missing = check({});
    ASSERT_EQ(code_of(missing), ErrorCode::BAD_SIGNATURE);
    EXPECT_EQ(missing.error().message,
              "the CA's answer about alice carries no signed standing: whoever relayed it "
              "changed it");
    // The relay flips `revoked` (msgpack true 0xc3 → false 0xc2) and keeps the signature.
    auto flipped = statement(true);
    auto at = std::find(flipped.begin(), flipped.end(), std::uint8_t{0xc3});
    ASSERT_NE(at, flipped.end());
    *at = 0xc2;
    EXPECT_EQ(code_of(check(flipped)), ErrorCode::BAD_SIGNATURE);
    EXPECT_EQ(code_of(check_standing(statement(false), alice_, other_ca_.public_key, kClockNow)),
              ErrorCode::BAD_SIGNATURE);
    EXPECT_EQ(code_of(check(make_standing("alice", 17, false, kClockNow, other_ca_.secret_key))),
              ErrorCode::BAD_SIGNATURE);
}

TEST_F(StandingTest, AStatementAboutAnotherCertificateIsRefused) {
    auto other_name = check(statement(false, kClockNow, "bob"));
    ASSERT_EQ(code_of(other_name), ErrorCode::BAD_SIGNATURE);
    EXPECT_EQ(other_name.error().message,
              "the CA's answer about alice carries a standing for another certificate: whoever "
              "relayed it changed it");
    // Alice's older certificate (serial 16) was not revoked; her current one is.
    EXPECT_EQ(code_of(check(statement(false, kClockNow, "alice", 16))), ErrorCode::BAD_SIGNATURE);
}

TEST_F(StandingTest, AnOldOrFutureStatementIsStale) {
    EXPECT_EQ(check(statement(false, kClockNow - kStandingMaxAgeSeconds)), false);
    auto replayed = check(statement(false, kClockNow - kStandingMaxAgeSeconds - 1));
    ASSERT_EQ(code_of(replayed), ErrorCode::STALE);
    EXPECT_EQ(replayed.error().message,
              "the CA's statement about alice was made at 1799999399, more than 600 s from this "
              "clock (1800000000): replayed by whoever relayed it, or a wrong clock");
    EXPECT_EQ(check(statement(false, kClockNow + kStandingClockSkewSeconds)), false);
    EXPECT_EQ(code_of(check(statement(false, kClockNow + kStandingClockSkewSeconds + 1))),
              ErrorCode::STALE);
    // The extremes of a peer's int64 are compared, never subtracted.
    EXPECT_EQ(code_of(check(statement(false, std::numeric_limits<std::int64_t>::min()))),
              ErrorCode::STALE);
    EXPECT_EQ(code_of(check(statement(false, std::numeric_limits<std::int64_t>::max()))),
              ErrorCode::STALE);
}

TEST_F(StandingTest, OnlyAWellFormedCanonicalStatementDecodes) {
    auto good = statement(false);
    EXPECT_TRUE(decode_standing(good));
    Bytes truncated(good.begin(), good.end() - 1);
    EXPECT_EQ(decode_standing(truncated).error().code, ErrorCode::BAD_REQUEST);
    Bytes longer = good;
    longer.push_back(0xc0);
    EXPECT_EQ(decode_standing(longer).error().code, ErrorCode::BAD_REQUEST);
    EXPECT_EQ(decode_standing(Bytes(kMaxStandingBytes + 1, 0x90)).error().code,
              ErrorCode::BAD_REQUEST);
    EXPECT_EQ(decode_standing(statement(false, kClockNow, "Not A Name")).error().code,
              ErrorCode::BAD_REQUEST);
    // Not canonical: the serial 17 as a uint64 (0xcf + 8 bytes) instead of a fixint.
    Bytes wide;
    msgpack_util::BytesWriter writer(wide);
    msgpack::packer<msgpack_util::BytesWriter> packer(writer);
    packer.pack_array(6);
    packer.pack_uint32(1);
    packer.pack(std::string("alice"));
    packer.pack_fix_uint64(17);
    packer.pack_false();
    packer.pack_int64(kClockNow);
    msgpack_util::pack_bin(packer, decode_standing(good)->signature);
    EXPECT_EQ(decode_standing(wide).error().code, ErrorCode::BAD_REQUEST);
}

}  // namespace
}  // namespace imgshare
