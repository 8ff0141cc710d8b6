#include "common/crypto/sealed_box.h"

#include <gtest/gtest.h>

#include "common/crypto/chunk_stream.h"

namespace imgshare {
namespace {

void expect_integrity(const Result<SecretBytes>& result) {
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::INTEGRITY);
}

TEST(SealedBoxTest, OpensWithTheRecipientsKey) {
    const BoxKeyPair recipient = generate_box_keys();
    const SecretBytes content_key = generate_content_key();
    const Bytes sealed = seal(content_key.view(), recipient.public_key);
    EXPECT_EQ(sealed.size(), content_key.size() + kSealOverhead);
    auto opened = unseal(sealed, recipient);
    ASSERT_TRUE(opened) << opened.error().message;
    EXPECT_TRUE(opened->equals(content_key));
}

TEST(SealedBoxTest, SealingTwiceGivesDifferentBytes) {
    const BoxKeyPair recipient = generate_box_keys();
    const Bytes plaintext = to_bytes("same key");
    EXPECT_NE(seal(plaintext, recipient.public_key), seal(plaintext, recipient.public_key));
}

TEST(SealedBoxTest, DoesNotOpenWithAnotherKey) {
    const BoxKeyPair recipient = generate_box_keys();
    const BoxKeyPair other = generate_box_keys();
    expect_integrity(unseal(seal(to_bytes("secret"), recipient.public_key), other));
}

TEST(SealedBoxTest, DoesNotOpenWhenAnyByteIsTampered) {
    const BoxKeyPair recipient = generate_box_keys();
    const Bytes sealed = seal(to_bytes("a content key goes here"), recipient.public_key);
    for (std::size_t i = 0; i < sealed.size(); ++i) {
        Bytes tampered = sealed;
        tampered[i] ^= 0x01;
        expect_integrity(unseal(tampered, recipient));
    }
}

TEST(SealedBoxTest, DoesNotOpenWhenTruncatedOrExtended) {
    const BoxKeyPair recipient = generate_box_keys();
    const Bytes sealed = seal(to_bytes("0123456789"), recipient.public_key);
    expect_integrity(unseal(Bytes(sealed.begin(), sealed.end() - 1), recipient));
    expect_integrity(unseal(Bytes(sealed.begin(), sealed.begin() + kSealOverhead - 1), recipient));
    expect_integrity(unseal({}, recipient));
    Bytes extended = sealed;
    extended.push_back(0);
    expect_integrity(unseal(extended, recipient));
}

TEST(SealedBoxTest, AnEmptyPlaintextRoundTrips) {
    const BoxKeyPair recipient = generate_box_keys();
    auto opened = unseal(seal({}, recipient.public_key), recipient);
    ASSERT_TRUE(opened);
    EXPECT_TRUE(opened->empty());
}

TEST(SealedBoxTest, SealingToALowOrderOrMisSizedKeyIsABug) {
    EXPECT_THROW((void)seal(to_bytes("x"), Bytes(32, 0)), std::invalid_argument);
    EXPECT_THROW((void)seal(to_bytes("x"), Bytes(31, 1)), std::invalid_argument);
}

}  // namespace
}  // namespace imgshare
