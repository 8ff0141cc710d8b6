#include "common/crypto/signing.h"

#include <gtest/gtest.h>

#include "common/crypto/keys.h"

namespace imgshare {
namespace {

constexpr std::string_view kContext = "imgshare/test/v1";

class SigningTest : public ::testing::Test {
  protected:
    SigningKeyPair keys_ = generate_signing_keys();
    Bytes message_ = to_bytes("an envelope to sign");
    Bytes signature_ = sign(kContext, message_, keys_.secret_key);
};

void expect_bad_signature(const Result<void>& result) {
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::BAD_SIGNATURE);
}

TEST_F(SigningTest, ValidSignatureVerifies) {
    EXPECT_EQ(signature_.size(), kSignatureSize);
    EXPECT_TRUE(verify(kContext, message_, signature_, keys_.public_key));
}

TEST_F(SigningTest, EmptyMessageCanBeSigned) {
    const Bytes signature = sign(kContext, {}, keys_.secret_key);
    EXPECT_TRUE(verify(kContext, {}, signature, keys_.public_key));
}

TEST_F(SigningTest, AnotherKeysSignatureIsRefused) {
    const SigningKeyPair other = generate_signing_keys();
    expect_bad_signature(
        verify(kContext, message_, sign(kContext, message_, other.secret_key), keys_.public_key));
    expect_bad_signature(verify(kContext, message_, signature_, other.public_key));
}

TEST_F(SigningTest, SignatureForAnotherContextIsRefused) {
    expect_bad_signature(verify("imgshare/other/v1", message_, signature_, keys_.public_key));
}

TEST_F(SigningTest, ContextAndMessageBoundaryIsFixed) {
    // "ab" || 0 || "c..." must not verify as "a" || 0 || "bc...": the separator is part of it.
    const Bytes signature = sign("ab", to_bytes("c"), keys_.secret_key);
    expect_bad_signature(verify("a", to_bytes("bc"), signature, keys_.public_key));
}

TEST_F(SigningTest, EveryFlippedMessageByteIsRefused) {
    for (std::size_t i = 0; i < message_.size(); ++i) {
        Bytes tampered = message_;
        tampered[i] ^= 0x01;
        expect_bad_signature(verify(kContext, tampered, signature_, keys_.public_key));
    }
}

TEST_F(SigningTest, FlippedSignatureBytesAreRefused) {
    for (std::size_t i = 0; i < signature_.size(); i += 7) {
        Bytes tampered = signature_;
        tampered[i] ^= 0x80;
        expect_bad_signature(verify(kContext, message_, tampered, keys_.public_key));
    }
}

TEST_F(SigningTest, WrongLengthSignaturesAndKeysAreRefused) {
    Bytes short_signature(signature_.begin(), signature_.end() - 1);
    Bytes long_signature = signature_;
    long_signature.push_back(0);
    expect_bad_signature(verify(kContext, message_, short_signature, keys_.public_key));
    expect_bad_signature(verify(kContext, message_, long_signature, keys_.public_key));
    expect_bad_signature(verify(kContext, message_, {}, keys_.public_key));
    Bytes short_key(keys_.public_key.begin(), keys_.public_key.end() - 1);
    expect_bad_signature(verify(kContext, message_, signature_, short_key));
}

TEST_F(SigningTest, AllZeroSignatureAndKeyAreRefused) {
    expect_bad_signature(verify(kContext, message_, Bytes(64, 0), keys_.public_key));
    expect_bad_signature(verify(kContext, message_, signature_, Bytes(32, 0)));
}

TEST_F(SigningTest, BadContextsAreBugs) {
    EXPECT_THROW((void)sign("", message_, keys_.secret_key), std::invalid_argument);
    EXPECT_THROW((void)sign(std::string_view("a\0b", 3), message_, keys_.secret_key),
                 std::invalid_argument);
    EXPECT_THROW((void)verify("", message_, signature_, keys_.public_key), std::invalid_argument);
}

TEST_F(SigningTest, WrongSizedSecretKeyIsABug) {
    EXPECT_THROW((void)sign(kContext, message_, SecretBytes(32)), std::invalid_argument);
}

}  // namespace
}  // namespace imgshare
