// The RENEW proof: bound to the CA, the user, the certificate being renewed,
// its keys and the time, and refused outside the time window.
#include "common/renewal.h"

#include <gtest/gtest.h>

#include "tests/common/support/expect_code.h"

#include <limits>

#include "common/crypto/keys.h"
#include "common/crypto/signing.h"

namespace imgshare {
namespace {

constexpr std::int64_t kNow = 1'700'000'000;

class RenewalTest : public ::testing::Test {
  protected:
    Certificate certificate_for(const SigningKeyPair& sign, std::string username,
                                std::uint64_t serial) const {
        Certificate fields;
        fields.serial = serial;
        fields.username = std::move(username);
        fields.sign_pk = sign.public_key;
        fields.box_pk = generate_box_keys().public_key;
        fields.curve_pk = generate_curve_keys().public_key;
        fields.not_before = kNow - 60;
        fields.not_after = kNow + 3600;
        fields.issuer = "imgshare-ca";
        return issue_certificate(fields, ca_.secret_key);
    }

    Result<void> check(const Certificate& current, std::int64_t requested_at, ByteView proof,
                       std::int64_t now = kNow) const {
        return check_renewal_proof(ca_.public_key, current, requested_at, proof, now);
    }

    SigningKeyPair ca_ = generate_signing_keys();
    SigningKeyPair alice_sign_ = generate_signing_keys();
    Certificate alice_ = certificate_for(alice_sign_, "alice", 7);
};

using test::expect_code;

TEST_F(RenewalTest, ProofByTheCertifiedKeyIsAccepted) {
    auto proof = make_renewal_proof(ca_.public_key, alice_, kNow, alice_sign_.secret_key);
    EXPECT_EQ(proof.size(), kSignatureSize);
    EXPECT_TRUE(check(alice_, kNow, proof));
    // Clocks a little apart, either way, are fine.
    auto early = make_renewal_proof(ca_.public_key, alice_, kNow - kRenewalWindowSeconds,
                                    alice_sign_.secret_key);
    EXPECT_TRUE(check(alice_, kNow - kRenewalWindowSeconds, early));
    auto late = make_renewal_proof(ca_.public_key, alice_, kNow + kRenewalWindowSeconds,
                                   alice_sign_.secret_key);
    EXPECT_TRUE(check(alice_, kNow + kRenewalWindowSeconds, late));
}

TEST_F(RenewalTest, ProofOutsideTheWindowIsRefusedAsStale) {
    auto old = kNow - kRenewalWindowSeconds - 1;
    expect_code(
        check(alice_, old, make_renewal_proof(ca_.public_key, alice_, old, alice_sign_.secret_key)),
        ErrorCode::BAD_REQUEST);
    auto future = kNow + kRenewalWindowSeconds + 1;
    expect_code(check(alice_, future,
                      make_renewal_proof(ca_.public_key, alice_, future, alice_sign_.secret_key)),
                ErrorCode::BAD_REQUEST);
    // The peer's number at the extremes does not overflow into the window.
    for (auto extreme :
         {std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max()}) {
        expect_code(
            check(alice_, extreme,
                  make_renewal_proof(ca_.public_key, alice_, extreme, alice_sign_.secret_key)),
            ErrorCode::BAD_REQUEST);
    }
}

TEST_F(RenewalTest, CapturedProofDoesNotVerifyForAnotherTime) {
    auto proof = make_renewal_proof(ca_.public_key, alice_, kNow, alice_sign_.secret_key);
    expect_code(check(alice_, kNow + 1, proof), ErrorCode::BAD_SIGNATURE);
}

TEST_F(RenewalTest, ProofIsSpentOnceTheCertificateIsReplaced) {
    auto proof = make_renewal_proof(ca_.public_key, alice_, kNow, alice_sign_.secret_key);
    Certificate renewed = alice_;
    renewed.serial = 8;
    expect_code(check(renewed, kNow, proof), ErrorCode::BAD_SIGNATURE);
}

TEST_F(RenewalTest, ProofIsWorthlessAtAnotherCa) {
    auto proof = make_renewal_proof(ca_.public_key, alice_, kNow, alice_sign_.secret_key);
    auto other_ca = generate_signing_keys();
    expect_code(check_renewal_proof(other_ca.public_key, alice_, kNow, proof, kNow),
                ErrorCode::BAD_SIGNATURE);
}

TEST_F(RenewalTest, ProofForOneUserIsWorthlessForAnother) {
    auto proof = make_renewal_proof(ca_.public_key, alice_, kNow, alice_sign_.secret_key);
    auto bob_sign = generate_signing_keys();
    auto bob = certificate_for(bob_sign, "bob", alice_.serial);
    expect_code(check(bob, kNow, proof), ErrorCode::BAD_SIGNATURE);
}

TEST_F(RenewalTest, ProofByAnotherKeyIsRefused) {
    auto thief = generate_signing_keys();
    auto proof = make_renewal_proof(ca_.public_key, alice_, kNow, thief.secret_key);
    expect_code(check(alice_, kNow, proof), ErrorCode::BAD_SIGNATURE);
}

TEST_F(RenewalTest, RegistrationProofIsNotARenewalProof) {
    // Same key, another purpose: the signing context keeps them apart.
    auto message = renewal_proof_message(ca_.public_key, alice_, kNow);
    auto foreign = sign("imgshare/register/v1", message, alice_sign_.secret_key);
    expect_code(check(alice_, kNow, foreign), ErrorCode::BAD_SIGNATURE);
}

}  // namespace
}  // namespace imgshare
