#include "common/registration.h"

#include <gtest/gtest.h>

#include "tests/common/support/expect_code.h"

#include <string>

#include "common/crypto/keys.h"
#include "common/crypto/signing.h"

namespace imgshare {
namespace {

TEST(UsernameTest, AcceptsNamesThatFollowTheRule) {
    const std::string good[] = {"a",
                                "alice",
                                "bob_2",
                                "c.d",
                                "x-y",
                                "0",
                                "...",
                                ".a",
                                "a..b",
                                "_",
                                "-",
                                std::string(32, 'z'),
                                "abcdefghijklmnopqrstuvwxyz012345"};
    for (const std::string& name : good) {
        EXPECT_TRUE(check_username(name)) << name;
    }
}

TEST(UsernameTest, RefusesNamesThatBreakTheRule) {
    const std::string bad[] = {
        "",
        "Alice",
        "ALICE",
        std::string(33, 'a'),
        "a/b",
        "/",
        std::string("a\0b", 3),
        std::string(1, '\0'),
        "a b",
        " alice",
        "alice\n",
        ".",
        "..",
        "anon:deadbeef",
        "al\xc3\xaf"
        "ce",  // non-ASCII
        "a\\b",
        "a@b",
        "a+b",
    };
    for (const std::string& name : bad) {
        auto checked = check_username(name);
        ASSERT_FALSE(checked) << name;
        EXPECT_EQ(checked.error().code, ErrorCode::BAD_REQUEST);
        EXPECT_NE(checked.error().message.find("a-z, 0-9"), std::string::npos);
    }
}

class RegistrationTest : public ::testing::Test {
  protected:
    SigningKeyPair sign_ = generate_signing_keys();
    Bytes box_pk_ = generate_box_keys().public_key;
    Bytes curve_pk_ = generate_curve_keys().public_key;
    Bytes proof_ =
        make_registration_proof("alice", sign_.public_key, box_pk_, curve_pk_, sign_.secret_key);
};

using test::expect_code;

TEST_F(RegistrationTest, ValidProofPasses) {
    EXPECT_EQ(proof_.size(), kSignatureSize);
    EXPECT_TRUE(check_registration_proof("alice", sign_.public_key, box_pk_, curve_pk_, proof_));
    EXPECT_TRUE(check_registration("alice", sign_.public_key, box_pk_, curve_pk_, proof_));
}

TEST_F(RegistrationTest, ProofByAnotherKeyIsRefused) {
    const SigningKeyPair other = generate_signing_keys();
    // Signed by another key but claiming ours...
    const Bytes foreign =
        make_registration_proof("alice", sign_.public_key, box_pk_, curve_pk_, other.secret_key);
    expect_code(check_registration_proof("alice", sign_.public_key, box_pk_, curve_pk_, foreign),
                ErrorCode::BAD_SIGNATURE);
    // ...or our proof presented with another signing key.
    expect_code(check_registration_proof("alice", other.public_key, box_pk_, curve_pk_, proof_),
                ErrorCode::BAD_SIGNATURE);
}

TEST_F(RegistrationTest, ProofOverAnotherNameOrKeysIsRefused) {
    const Bytes other_box = generate_box_keys().public_key;
    const Bytes other_curve = generate_curve_keys().public_key;
    expect_code(check_registration_proof("mallory", sign_.public_key, box_pk_, curve_pk_, proof_),
                ErrorCode::BAD_SIGNATURE);
    expect_code(check_registration_proof("alice", sign_.public_key, other_box, curve_pk_, proof_),
                ErrorCode::BAD_SIGNATURE);
    expect_code(check_registration_proof("alice", sign_.public_key, box_pk_, other_curve, proof_),
                ErrorCode::BAD_SIGNATURE);
    // Swapping the box and curve keys changes the message too.
    expect_code(check_registration_proof("alice", sign_.public_key, curve_pk_, box_pk_, proof_),
                ErrorCode::BAD_SIGNATURE);
}

TEST_F(RegistrationTest, SignatureMadeForAnotherPurposeIsRefused) {
    const Bytes message = registration_proof_message("alice", sign_.public_key, box_pk_, curve_pk_);
    const Bytes other_context = sign("imgshare/certificate/v1", message, sign_.secret_key);
    expect_code(
        check_registration_proof("alice", sign_.public_key, box_pk_, curve_pk_, other_context),
        ErrorCode::BAD_SIGNATURE);
}

TEST_F(RegistrationTest, MalformedProofIsRefused) {
    Bytes flipped = proof_;
    flipped[0] ^= 1;
    expect_code(check_registration_proof("alice", sign_.public_key, box_pk_, curve_pk_, flipped),
                ErrorCode::BAD_SIGNATURE);
    expect_code(check_registration_proof("alice", sign_.public_key, box_pk_, curve_pk_, {}),
                ErrorCode::BAD_SIGNATURE);
}

TEST_F(RegistrationTest, MessageIsACanonicalArrayOfTheFourValues) {
    const Bytes message =
        registration_proof_message("bob", Bytes(32, 1), Bytes(32, 2), Bytes(32, 3));
    ASSERT_EQ(message.size(), 1u + 4u + 3u * 34u);
    EXPECT_EQ(message[0], 0x94);  // fixarray of 4
    EXPECT_EQ(message[1], 0xa3);  // fixstr of 3
    EXPECT_EQ(message[5], 0xc4);  // bin8
    EXPECT_EQ(message[6], 32);
}

TEST_F(RegistrationTest, FullCheckRefusesBadNamesAndKeysBeforeTheProof) {
    expect_code(check_registration("Alice", sign_.public_key, box_pk_, curve_pk_, proof_),
                ErrorCode::BAD_REQUEST);
    const Bytes zero(32, 0);
    const SigningKeyPair fresh = generate_signing_keys();
    // Properly signed requests carrying a worthless key are still refused.
    const Bytes zero_box_proof =
        make_registration_proof("alice", fresh.public_key, zero, curve_pk_, fresh.secret_key);
    expect_code(check_registration("alice", fresh.public_key, zero, curve_pk_, zero_box_proof),
                ErrorCode::BAD_REQUEST);
    const Bytes zero_curve_proof =
        make_registration_proof("alice", fresh.public_key, box_pk_, zero, fresh.secret_key);
    expect_code(check_registration("alice", fresh.public_key, box_pk_, zero, zero_curve_proof),
                ErrorCode::BAD_REQUEST);
    expect_code(check_registration("alice", zero, box_pk_, curve_pk_, proof_),
                ErrorCode::BAD_REQUEST);
    expect_code(check_registration("alice", sign_.public_key, box_pk_, curve_pk_, Bytes(64, 7)),
                ErrorCode::BAD_SIGNATURE);
}

}  // namespace
}  // namespace imgshare
