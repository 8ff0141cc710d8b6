// REGISTER: who may register, what is checked, what is stored, and that a
// replay changes nothing.
#include <gtest/gtest.h>

#include <string>

#include "common/crypto/signing.h"
#include "tests/ca-service/ca_test_support.h"

namespace imgshare::ca::testing {
namespace {

Certificate decoded(const Bytes& encoded) {
    return decode_certificate(encoded).value();
}

Bytes hex(std::string_view text) {
    return from_hex(text).value();
}

using RegisterTest = CaTest;

TEST_F(RegisterTest, IssuesACertificateThatVerifiesAndCarriesExactlyTheKeysSent) {
    UserKeys alice;
    auto encoded = register_ok("alice", alice);
    auto certificate = decoded(encoded);

    EXPECT_TRUE(verify_certificate(certificate, keys_->signing.public_key, clock_.now_seconds()));
    EXPECT_EQ(certificate.username, "alice");
    EXPECT_EQ(certificate.sign_pk, alice.sign.public_key);
    EXPECT_EQ(certificate.box_pk, alice.box.public_key);
    EXPECT_EQ(certificate.curve_pk, alice.curve.public_key);
    EXPECT_EQ(certificate.serial, 1u);
    EXPECT_EQ(certificate.issuer, "imgshare-ca");
    EXPECT_EQ(certificate.not_before, clock_.now_seconds() - 60);
    EXPECT_EQ(certificate.not_after, clock_.now_seconds() + 365 * 86400);
    EXPECT_LE(encoded.size(), kMaxCertificateBytes);

    // Stored as issued, bound to the curve key, and the counter moved on.
    EXPECT_EQ(registry_->certificate_of("alice").value(), encoded);
    EXPECT_EQ(registry_->user_of_curve_key(alice.curve.public_key).value(), "alice");
    EXPECT_EQ(next_serial(), 2u);
}

TEST_F(RegisterTest, ACertificateByAnotherCaKeyDoesNotVerify) {
    auto certificate = decoded(register_ok("alice", UserKeys{}));
    auto verified =
        verify_certificate(certificate, generate_signing_keys().public_key, clock_.now_seconds());
    expect_error(verified, ErrorCode::BAD_SIGNATURE);
}

TEST_F(RegisterTest, EachCertificateGetsTheNextSerial) {
    EXPECT_EQ(decoded(register_ok("alice", UserKeys{})).serial, 1u);
    EXPECT_EQ(decoded(register_ok("bob", UserKeys{})).serial, 2u);
    EXPECT_EQ(decoded(register_ok("carol", UserKeys{})).serial, 3u);
}

TEST_F(RegisterTest, ATakenNameIsRefusedAndTheFirstCertificateIsUnchanged) {
    UserKeys alice, mallory;
    auto first = register_ok("alice", alice);

    auto second = ca_->register_user(register_request("alice", mallory), anonymous(mallory));
    expect_error(second, ErrorCode::NAME_TAKEN);

    EXPECT_EQ(registry_->certificate_of("alice").value(), first);
    EXPECT_FALSE(registry_->user_of_curve_key(mallory.curve.public_key).value());
    EXPECT_EQ(next_serial(), 2u);
}

TEST_F(RegisterTest, ATakenNameWithOnlyOneKeyChangedIsRefused) {
    UserKeys alice;
    auto first = register_ok("alice", alice);
    UserKeys same_but_box;
    same_but_box.sign =
        SigningKeyPair{alice.sign.public_key, SecretBytes::copy_of(alice.sign.secret_key.view())};
    same_but_box.curve =
        CurveKeyPair{alice.curve.public_key, SecretBytes::copy_of(alice.curve.secret_key.view())};

    auto reply =
        ca_->register_user(register_request("alice", same_but_box), anonymous(same_but_box));
    expect_error(reply, ErrorCode::NAME_TAKEN);
    EXPECT_EQ(registry_->certificate_of("alice").value(), first);
}

TEST_F(RegisterTest, AReplayedRegisterReturnsTheSameCertificateAndChangesNothing) {
    UserKeys alice;
    auto request = register_request("alice", alice);
    auto first = ca_->register_user(request, anonymous(alice));
    ASSERT_TRUE(first);
    clock_.advance_seconds(3600);  // a fresh issue would differ in its validity window

    auto again = ca_->register_user(request, anonymous(alice));
    ASSERT_TRUE(again) << error_of(again).message;
    EXPECT_EQ(again->certificate, first->certificate);
    EXPECT_EQ(registry_->certificate_of("alice").value(), first->certificate);
    EXPECT_EQ(next_serial(), 2u);
}

// A registration whose answer the client refused (e.g. its log head not yet witnessed) is
// asked again on a new connection, which the broker now knows as the user's.
TEST_F(RegisterTest, ARetryOnAConnectionKnownAsTheUserReturnsTheSameCertificate) {
    UserKeys alice, other;
    auto first = ca_->register_user(register_request("alice", alice), anonymous(alice));
    ASSERT_TRUE(first);
    clock_.advance_seconds(3600);
    auto again = ca_->register_user(register_request("alice", alice), as_user("alice"));
    ASSERT_TRUE(again) << error_of(again).message;
    EXPECT_EQ(again->certificate, first->certificate);
    EXPECT_EQ(next_serial(), 2u);
    // Not for other keys under that name, nor for another name.
    auto refused = ca_->register_user(register_request("alice", other), as_user("alice"));
    expect_error(refused, ErrorCode::BAD_REQUEST);
    EXPECT_EQ(error_of(refused).message, "already registered as alice");
    EXPECT_EQ(next_serial(), 2u);
}

TEST_F(RegisterTest, AReplayForARevokedUserIsRefused) {
    UserKeys alice;
    auto request = register_request("alice", alice);
    ASSERT_TRUE(ca_->register_user(request, anonymous(alice)));
    ASSERT_TRUE(registry_->revoke("alice", clock_.now_seconds()));

    expect_error(ca_->register_user(request, anonymous(alice)), ErrorCode::REVOKED);
}

TEST_F(RegisterTest, AProofSignedByAnotherKeyIsRefused) {
    UserKeys alice;
    auto request = register_request("alice", alice);
    auto other = generate_signing_keys();
    request.proof = make_registration_proof("alice", request.sign_pk, request.box_pk,
                                            request.curve_pk, other.secret_key);

    expect_error(ca_->register_user(request, anonymous(alice)), ErrorCode::BAD_SIGNATURE);
    EXPECT_FALSE(registry_->certificate_of("alice").value());
    EXPECT_EQ(next_serial(), 1u);
}

TEST_F(RegisterTest, AProofMadeForAnotherNameIsRefused) {
    UserKeys alice;
    auto request = register_request("alice", alice);
    request.username = "alicia";
    expect_error(ca_->register_user(request, anonymous(alice)), ErrorCode::BAD_SIGNATURE);
}

TEST_F(RegisterTest, ACurveKeyOtherThanTheConnectionsIsForbidden) {
    UserKeys alice, eve;
    // Eve, connected with her own key, asks for a certificate binding alice's curve key.
    auto request = register_request("eve", alice);
    expect_error(ca_->register_user(request, anonymous(eve)), ErrorCode::FORBIDDEN);
    EXPECT_EQ(error_of(ca_->register_user(request, anonymous(eve))).message,
              "curve_pk is not the key this connection uses");
    EXPECT_FALSE(registry_->certificate_of("eve").value());
    EXPECT_FALSE(registry_->user_of_curve_key(alice.curve.public_key).value());
}

TEST_F(RegisterTest, ARegisteredPeerCannotRegisterAgain) {
    UserKeys alice, fresh;
    register_ok("alice", alice);
    auto reply = ca_->register_user(register_request("alice2", fresh), as_user("alice"));
    expect_error(reply, ErrorCode::BAD_REQUEST);
    EXPECT_EQ(error_of(reply).message, "already registered as alice");
    EXPECT_FALSE(registry_->certificate_of("alice2").value());
}

TEST_F(RegisterTest, OnlyAnAnonymousClientMayRegister) {
    UserKeys alice;
    auto request = register_request("alice", alice);
    expect_error(ca_->register_user(request, from_broker()), ErrorCode::FORBIDDEN);
    expect_error(ca_->register_user(request, from_service()), ErrorCode::FORBIDDEN);
    expect_error(ca_->register_user(request, unconfirmed(alice)), ErrorCode::FORBIDDEN);
    EXPECT_EQ(next_serial(), 1u);
}

TEST_F(RegisterTest, AKeyAlreadyBoundToAUserIsRefusedUnderAnotherName) {
    UserKeys alice;
    register_ok("alice", alice);
    // The same three keys under a new name, and alice's curve key with fresh other keys.
    expect_error(ca_->register_user(register_request("alice2", alice), anonymous(alice)),
                 ErrorCode::BAD_REQUEST);
    UserKeys reuse;
    reuse.curve =
        CurveKeyPair{alice.curve.public_key, SecretBytes::copy_of(alice.curve.secret_key.view())};
    auto reply = ca_->register_user(register_request("bob", reuse), anonymous(reuse));
    expect_error(reply, ErrorCode::BAD_REQUEST);
    EXPECT_EQ(error_of(reply).message, "this key is already registered");
    EXPECT_FALSE(registry_->certificate_of("bob").value());
    EXPECT_EQ(registry_->user_of_curve_key(alice.curve.public_key).value(), "alice");
    EXPECT_EQ(next_serial(), 2u);
}

TEST_F(RegisterTest, UsernamesThatBreakTheRuleAreRefused) {
    const std::string bad[] = {"",  "Alice",   std::string(33, 'a'),   "a b",   "..", "../etc",
                               ".", "anon:ab", std::string("a\0b", 3), "al/ice"};
    for (const auto& name : bad) {
        UserKeys keys;
        expect_error(ca_->register_user(register_request(name, keys), anonymous(keys)),
                     ErrorCode::BAD_REQUEST);
    }
    EXPECT_EQ(next_serial(), 1u);
}

TEST_F(RegisterTest, AllZeroAndLowOrderKeysAreRefused) {
    const Bytes zero(32, 0);
    const Bytes low_order_x25519 =
        hex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800");
    const Bytes small_order_ed25519 =
        hex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05");
    UserKeys keys;

    // Each request is otherwise valid: its proof is signed over the bad keys.
    auto with = [&](Bytes sign_pk, Bytes box_pk, Bytes curve_pk) {
        RegisterRequest request{"alice", sign_pk, box_pk, curve_pk, {}, {}};
        request.proof =
            make_registration_proof("alice", sign_pk, box_pk, curve_pk, keys.sign.secret_key);
        return request;
    };
    const Bytes& sign_pk = keys.sign.public_key;
    const Bytes& box_pk = keys.box.public_key;
    const Bytes& curve_pk = keys.curve.public_key;
    expect_error(ca_->register_user(with(zero, box_pk, curve_pk), anonymous(keys)),
                 ErrorCode::BAD_REQUEST);
    expect_error(ca_->register_user(with(small_order_ed25519, box_pk, curve_pk), anonymous(keys)),
                 ErrorCode::BAD_REQUEST);
    expect_error(ca_->register_user(with(sign_pk, zero, curve_pk), anonymous(keys)),
                 ErrorCode::BAD_REQUEST);
    expect_error(ca_->register_user(with(sign_pk, low_order_x25519, curve_pk), anonymous(keys)),
                 ErrorCode::BAD_REQUEST);
    // A connection whose key is itself zero or low-order (the broker would have refused it).
    expect_error(ca_->register_user(with(sign_pk, box_pk, zero), anonymous(zero)),
                 ErrorCode::BAD_REQUEST);
    expect_error(
        ca_->register_user(with(sign_pk, box_pk, low_order_x25519), anonymous(low_order_x25519)),
        ErrorCode::BAD_REQUEST);
    EXPECT_EQ(next_serial(), 1u);
}

TEST_F(RegisterTest, KeysOfTheWrongSizeAreRefused) {
    UserKeys keys;
    auto request = register_request("alice", keys);
    request.box_pk.pop_back();
    expect_error(ca_->register_user(request, anonymous(keys)), ErrorCode::BAD_REQUEST);
}

TEST_F(RegisterTest, CaInfoAnswersAnyoneWithThePublicKeys) {
    for (const auto& context : {anonymous(UserKeys{}), as_user("alice"), from_broker()}) {
        auto info = ca_->ca_info(CaInfoRequest{}, context);
        ASSERT_TRUE(info);
        EXPECT_EQ(info->ca_verify_key, keys_->signing.public_key);
        EXPECT_EQ(info->wrap_public_key, keys_->wrap.public_key);
    }
}

}  // namespace
}  // namespace imgshare::ca::testing
