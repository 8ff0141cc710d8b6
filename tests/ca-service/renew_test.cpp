// RENEW and the validity the CA gives: who may renew, with what proof, how
// often a proof may be used, and what the new certificate says.
#include <gtest/gtest.h>

#include "common/renewal.h"
#include "tests/ca-service/ca_test_support.h"

namespace imgshare::ca::testing {
namespace {

class RenewTest : public CaTest {
  protected:
    void SetUp() override {
        CaTest::SetUp();
        alice_certificate_ = decode_certificate(register_ok("alice", alice_)).value();
        bob_certificate_ = decode_certificate(register_ok("bob", bob_)).value();
    }

    // A RENEW as alice's client makes it: for her current certificate, at `at`.
    RenewRequest renewal_of(const Certificate& current, const SigningKeyPair& signer,
                            std::int64_t at) const {
        return RenewRequest{
            current.username, current.serial, at,
            make_renewal_proof(keys_->signing.public_key, current, at, signer.secret_key)};
    }
    RenewRequest alice_renewal() const {
        return renewal_of(alice_certificate_, alice_.sign, clock_.now_seconds());
    }

    Bytes stored(const std::string& username) const {
        return registry_->certificate_of(username).value().value();
    }

    UserKeys alice_, bob_;
    Certificate alice_certificate_, bob_certificate_;
};

TEST_F(RenewTest, IssuesANewCertificateForTheSameKeysWithANewSerialAndValidity) {
    clock_.advance_seconds(86'400);
    auto reply = ca_->renew(alice_renewal(), as_user("alice"));
    ASSERT_TRUE(reply) << error_of(reply).message;
    auto renewed = decode_certificate(reply->certificate).value();
    EXPECT_TRUE(verify_certificate(renewed, keys_->signing.public_key, clock_.now_seconds()));
    EXPECT_EQ(renewed.username, "alice");
    EXPECT_EQ(renewed.sign_pk, alice_.sign.public_key);
    EXPECT_EQ(renewed.box_pk, alice_.box.public_key);
    EXPECT_EQ(renewed.curve_pk, alice_.curve.public_key);
    EXPECT_EQ(renewed.serial, 3u);
    EXPECT_EQ(renewed.not_after, clock_.now_seconds() + kDefaultValiditySeconds);
    EXPECT_GT(renewed.not_after, alice_certificate_.not_after);
    // It is now the current one, on disk, and the key still names alice.
    EXPECT_EQ(stored("alice"), reply->certificate);
    restart();
    EXPECT_EQ(stored("alice"), reply->certificate);
    EXPECT_EQ(registry_->user_of_curve_key(alice_.curve.public_key).value(), "alice");
    EXPECT_EQ(next_serial(), 4u);
}

TEST_F(RenewTest, TheSameRenewSentAgainGetsTheSameCertificate) {
    auto request = alice_renewal();
    auto first = ca_->renew(request, as_user("alice"));
    ASSERT_TRUE(first) << error_of(first).message;
    clock_.advance_seconds(10);
    auto again = ca_->renew(request, as_user("alice"));
    ASSERT_TRUE(again) << error_of(again).message;
    EXPECT_EQ(again->certificate, first->certificate);
    EXPECT_EQ(next_serial(), 4u);
}

TEST_F(RenewTest, ACapturedRenewIsRefusedAfterTheWindow) {
    auto captured = alice_renewal();
    ASSERT_TRUE(ca_->renew(captured, as_user("alice")));
    auto issued = stored("alice");
    clock_.advance_seconds(kRenewalWindowSeconds + 1);
    expect_error(ca_->renew(captured, as_user("alice")), ErrorCode::BAD_REQUEST);
    EXPECT_EQ(stored("alice"), issued);
}

TEST_F(RenewTest, AnOlderRenewReplayedAfterALaterOneIsRefused) {
    auto first = alice_renewal();
    auto reply = ca_->renew(first, as_user("alice"));
    ASSERT_TRUE(reply);
    auto current = decode_certificate(reply->certificate).value();
    clock_.advance_seconds(5);
    ASSERT_TRUE(
        ca_->renew(renewal_of(current, alice_.sign, clock_.now_seconds()), as_user("alice")));
    auto latest = stored("alice");
    // Still inside its time window, but spent: it names a certificate that was replaced.
    expect_error(ca_->renew(first, as_user("alice")), ErrorCode::BAD_REQUEST);
    EXPECT_EQ(stored("alice"), latest);
    EXPECT_EQ(next_serial(), 5u);
}

TEST_F(RenewTest, ARenewForAnotherUsersNameIsForbidden) {
    // Bob sends alice's perfectly good RENEW: the authenticated sender wins.
    expect_error(ca_->renew(alice_renewal(), as_user("bob")), ErrorCode::FORBIDDEN);
    EXPECT_EQ(stored("alice"), encode_certificate(alice_certificate_));
    EXPECT_EQ(stored("bob"), encode_certificate(bob_certificate_));
    EXPECT_EQ(next_serial(), 3u);
}

TEST_F(RenewTest, AProofByAnotherUsersKeyIsRefused) {
    // Bob names himself but proves with alice's key (or alice's proof over bob's certificate).
    auto request = renewal_of(bob_certificate_, alice_.sign, clock_.now_seconds());
    expect_error(ca_->renew(request, as_user("bob")), ErrorCode::BAD_SIGNATURE);
    auto borrowed = alice_renewal();
    borrowed.username = "bob";
    borrowed.serial = bob_certificate_.serial;
    expect_error(ca_->renew(borrowed, as_user("bob")), ErrorCode::BAD_SIGNATURE);
    EXPECT_EQ(stored("bob"), encode_certificate(bob_certificate_));
}

TEST_F(RenewTest, ABadProofIsRefused) {
    auto request = alice_renewal();
    request.proof[10] ^= 0x01;
    expect_error(ca_->renew(request, as_user("alice")), ErrorCode::BAD_SIGNATURE);
    request.proof = Bytes(63, 1);
    expect_error(ca_->renew(request, as_user("alice")), ErrorCode::BAD_SIGNATURE);
    // A proof made with the CURVE key alone (a stolen transport key) is no proof.
    auto thief = generate_signing_keys();
    expect_error(
        ca_->renew(renewal_of(alice_certificate_, thief, clock_.now_seconds()), as_user("alice")),
        ErrorCode::BAD_SIGNATURE);
    EXPECT_EQ(stored("alice"), encode_certificate(alice_certificate_));
}

TEST_F(RenewTest, ARenewNamingAnOldSerialIsRefused) {
    auto request = alice_renewal();
    request.serial += 5;
    expect_error(ca_->renew(request, as_user("alice")), ErrorCode::BAD_REQUEST);
}

TEST_F(RenewTest, ARevokedUserCannotRenew) {
    ASSERT_TRUE(registry_->revoke("alice", clock_.now_seconds()));
    expect_error(ca_->renew(alice_renewal(), as_user("alice")), ErrorCode::REVOKED);
}

TEST_F(RenewTest, AnExpiredUserCannotRenew) {
    clock_.advance_seconds(kDefaultValiditySeconds + 1);
    expect_error(ca_->renew(alice_renewal(), as_user("alice")), ErrorCode::EXPIRED);
}

TEST_F(RenewTest, OnlyARegisteredUserMayRenew) {
    auto request = alice_renewal();
    expect_error(ca_->renew(request, anonymous(alice_)), ErrorCode::NOT_REGISTERED);
    for (const auto& context : {from_broker(), unconfirmed(alice_), from_service()}) {
        expect_error(ca_->renew(request, context), ErrorCode::FORBIDDEN);
    }
    expect_error(
        ca_->renew(RenewRequest{"carol", 1, clock_.now_seconds(), Bytes(64, 0)}, as_user("carol")),
        ErrorCode::NOT_REGISTERED);
}

// --validity: what REGISTER and RENEW give from now on; existing certificates keep theirs.
using ValidityTest = CaTest;

TEST_F(ValidityTest, NewCertificatesGetTheConfiguredValidity) {
    UserKeys alice, bob;
    auto long_lived = decode_certificate(register_ok("alice", alice)).value();
    ca_.emplace(*keys_, *registry_, clock_, 5);
    auto short_lived = decode_certificate(register_ok("bob", bob)).value();
    EXPECT_EQ(short_lived.not_after, clock_.now_seconds() + 5);
    EXPECT_EQ(short_lived.not_before, clock_.now_seconds() - kClockSkewSeconds);
    EXPECT_EQ(decode_certificate(registry_->certificate_of("alice").value().value()).value(),
              long_lived);

    clock_.advance_seconds(5);
    EXPECT_EQ(verify_certificate(short_lived, keys_->signing.public_key, clock_.now_seconds())
                  .error()
                  .code,
              ErrorCode::EXPIRED);
    // REWRAP and RENEW both refuse bob now.
    expect_error(
        ca_->renew(RenewRequest{"bob", short_lived.serial, clock_.now_seconds(),
                                make_renewal_proof(keys_->signing.public_key, short_lived,
                                                   clock_.now_seconds(), bob.sign.secret_key)},
                   as_user("bob")),
        ErrorCode::EXPIRED);
}

TEST_F(ValidityTest, ARenewalBeforeExpiryExtendsByTheConfiguredValidity) {
    ca_.emplace(*keys_, *registry_, clock_, 5);
    UserKeys bob;
    auto issued = decode_certificate(register_ok("bob", bob)).value();
    clock_.advance_seconds(3);
    auto reply =
        ca_->renew(RenewRequest{"bob", issued.serial, clock_.now_seconds(),
                                make_renewal_proof(keys_->signing.public_key, issued,
                                                   clock_.now_seconds(), bob.sign.secret_key)},
                   as_user("bob"));
    ASSERT_TRUE(reply) << error_of(reply).message;
    auto renewed = decode_certificate(reply->certificate).value();
    EXPECT_EQ(renewed.not_after, clock_.now_seconds() + 5);
    clock_.advance_seconds(4);  // past the first certificate, within the second
    EXPECT_TRUE(verify_certificate(renewed, keys_->signing.public_key, clock_.now_seconds()));
}

}  // namespace
}  // namespace imgshare::ca::testing
