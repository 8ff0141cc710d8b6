#include "client/certificate_state.h"

#include <gtest/gtest.h>

#include "common/crypto/keys.h"
#include "tests/client/sealing_support.h"

namespace imgshare::client {
namespace {

using imgshare::testing::TestCa;

constexpr std::int64_t kNow = 1'700'000'000;

TEST(CertificateStateTest, RevokedWinsThenTheDatesDecide) {
    auto alice = TestCa().user("alice", 1, kNow).certificate;  // a day either side of kNow
    EXPECT_EQ(state_of(alice, false, kNow), CertificateState::Valid);
    EXPECT_EQ(state_of(alice, true, kNow), CertificateState::Revoked);
    EXPECT_EQ(state_of(alice, false, alice.not_after), CertificateState::Expired);
    EXPECT_EQ(state_of(alice, true, alice.not_after), CertificateState::Revoked);
    EXPECT_EQ(state_of(alice, false, alice.not_before - 1), CertificateState::NotYetValid);
    EXPECT_EQ(to_string(CertificateState::Valid), "valid");
    EXPECT_EQ(to_string(CertificateState::Revoked), "revoked");
    EXPECT_EQ(to_string(CertificateState::Expired), "expired");
    EXPECT_EQ(to_string(CertificateState::NotYetValid), "not_yet_valid");
}

TEST(CertificateStateTest, AnExpiredCertificateStillVerifiesApartFromTime) {
    TestCa ca;
    auto old = ca.user("alice", 1, kNow - 10 * 86400).certificate;
    EXPECT_EQ(verify_certificate(old, ca.keys.public_key, kNow).error().code, ErrorCode::EXPIRED);
    EXPECT_TRUE(verify_certificate_ignoring_time(old, ca.keys.public_key));
    // Not a way around the signature.
    EXPECT_EQ(
        verify_certificate_ignoring_time(old, generate_signing_keys().public_key).error().code,
        ErrorCode::BAD_SIGNATURE);
    auto tampered = old;
    tampered.not_after += 100 * 86400;
    EXPECT_EQ(verify_certificate_ignoring_time(tampered, ca.keys.public_key).error().code,
              ErrorCode::BAD_SIGNATURE);
}

}  // namespace
}  // namespace imgshare::client
