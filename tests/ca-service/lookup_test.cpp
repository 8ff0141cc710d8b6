// GET_CERT and LOOKUP_CURVE_KEY: who may ask, and what they learn.
#include <gtest/gtest.h>

#include "common/standing.h"
#include "tests/ca-service/ca_test_support.h"

namespace imgshare::ca::testing {
namespace {

using GetCertTest = CaTest;
using LookupCurveKeyTest = CaTest;

TEST_F(GetCertTest, ARegisteredUserGetsTheStoredCertificate) {
    auto issued = register_ok("alice", UserKeys{});
    register_ok("bob", UserKeys{});
    auto reply = ca_->get_cert(GetCertRequest{"alice"}, as_user("bob"));
    ASSERT_TRUE(reply) << error_of(reply).message;
    EXPECT_EQ(reply->certificate, issued);
    // Its standing: signed by the CA's key, for that certificate, at the CA's clock.
    auto certificate = decode_certificate(issued).value();
    EXPECT_EQ(check_standing(reply->standing, certificate, keys_->signing.public_key,
                             clock_.now_seconds()),
              false);
    auto standing = decode_standing(reply->standing).value();
    EXPECT_EQ(standing.serial, certificate.serial);
    EXPECT_EQ(standing.stated_at, clock_.now_seconds());
}

TEST_F(GetCertTest, EachAnswerIsStatedAnewAtTheCasClock) {
    register_ok("alice", UserKeys{});
    auto first = ca_->get_cert(GetCertRequest{"alice"}, as_user("bob"));
    clock_.advance_seconds(kStandingMaxAgeSeconds + 1);
    auto later = ca_->get_cert(GetCertRequest{"alice"}, as_user("bob"));
    ASSERT_TRUE(first && later);
    EXPECT_EQ(decode_standing(later->standing).value().stated_at,
              decode_standing(first->standing).value().stated_at + kStandingMaxAgeSeconds + 1);
}

TEST_F(GetCertTest, AnUnknownUserIsNotFound) {
    auto reply = ca_->get_cert(GetCertRequest{"nobody"}, as_user("bob"));
    expect_error(reply, ErrorCode::NOT_FOUND);
    EXPECT_EQ(error_of(reply).message, "no user named nobody");
}

TEST_F(GetCertTest, ARevokedCertificateSaysSo) {
    register_ok("alice", UserKeys{});
    ASSERT_TRUE(registry_->revoke("alice", clock_.now_seconds()));
    auto reply = ca_->get_cert(GetCertRequest{"alice"}, as_user("bob"));
    ASSERT_TRUE(reply);
    auto certificate = decode_certificate(reply->certificate).value();
    EXPECT_EQ(check_standing(reply->standing, certificate, keys_->signing.public_key,
                             clock_.now_seconds()),
              true);
}

TEST_F(GetCertTest, AnAnonymousPeerMustRegisterFirst) {
    register_ok("alice", UserKeys{});
    expect_error(ca_->get_cert(GetCertRequest{"alice"}, anonymous(UserKeys{})),
                 ErrorCode::NOT_REGISTERED);
    expect_error(ca_->get_cert(GetCertRequest{"alice"}, from_service()), ErrorCode::FORBIDDEN);
    expect_error(ca_->get_cert(GetCertRequest{"alice"}, unconfirmed(UserKeys{})),
                 ErrorCode::FORBIDDEN);
}

TEST_F(GetCertTest, ANameThatBreaksTheRuleIsABadRequest) {
    expect_error(ca_->get_cert(GetCertRequest{"../alice"}, as_user("bob")), ErrorCode::BAD_REQUEST);
}

TEST_F(LookupCurveKeyTest, TheBrokerLearnsWhoHoldsAKey) {
    UserKeys alice;
    register_ok("alice", alice);
    auto reply =
        ca_->lookup_curve_key(LookupCurveKeyRequest{alice.curve.public_key}, from_broker());
    ASSERT_TRUE(reply) << error_of(reply).message;
    EXPECT_EQ(reply->username, "alice");
    EXPECT_FALSE(reply->revoked);
    EXPECT_EQ(reply->not_after, clock_.now_seconds() + kDefaultValiditySeconds);
}

TEST_F(LookupCurveKeyTest, AnExpiredHolderIsReportedWithTheEndOfTheirCertificate) {
    // The broker refuses the key by not_after; the CA only reports it.
    UserKeys alice;
    auto issued = decode_certificate(register_ok("alice", alice)).value();
    clock_.advance_seconds(kDefaultValiditySeconds + 1);
    auto reply =
        ca_->lookup_curve_key(LookupCurveKeyRequest{alice.curve.public_key}, from_broker());
    ASSERT_TRUE(reply) << error_of(reply).message;
    EXPECT_FALSE(reply->revoked);
    EXPECT_EQ(reply->not_after, issued.not_after);
    EXPECT_LE(reply->not_after, clock_.now_seconds());
}

TEST_F(LookupCurveKeyTest, AnUnknownKeyIsNotFound) {
    register_ok("alice", UserKeys{});
    expect_error(ca_->lookup_curve_key(LookupCurveKeyRequest{generate_curve_keys().public_key},
                                       from_broker()),
                 ErrorCode::NOT_FOUND);
}

TEST_F(LookupCurveKeyTest, ARevokedHolderIsReportedAsRevoked) {
    UserKeys alice;
    register_ok("alice", alice);
    ASSERT_TRUE(registry_->revoke("alice", clock_.now_seconds()));
    auto reply =
        ca_->lookup_curve_key(LookupCurveKeyRequest{alice.curve.public_key}, from_broker());
    ASSERT_TRUE(reply);
    EXPECT_TRUE(reply->revoked);
}

TEST_F(LookupCurveKeyTest, AKeyOfTheWrongSizeIsABadRequest) {
    expect_error(ca_->lookup_curve_key(LookupCurveKeyRequest{Bytes(31, 7)}, from_broker()),
                 ErrorCode::BAD_REQUEST);
}

TEST_F(LookupCurveKeyTest, OnlyTheBrokerMayAsk) {
    UserKeys alice;
    register_ok("alice", alice);
    LookupCurveKeyRequest request{alice.curve.public_key};
    for (const auto& context : {as_user("alice"), as_user("bob"), anonymous(alice),
                                unconfirmed(alice), from_service(), from_service(kCaService)}) {
        expect_error(ca_->lookup_curve_key(request, context), ErrorCode::FORBIDDEN);
    }
}

}  // namespace
}  // namespace imgshare::ca::testing
