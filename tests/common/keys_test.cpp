#include "common/crypto/keys.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <string>

#include "tests/common/wire_test_support.h"

namespace imgshare {
namespace {

using testing::hex;

// Low-order X25519 points (libsodium's own blocklist): every shared secret with them is zero.
const char* const kLowOrderX25519[] = {
    "0100000000000000000000000000000000000000000000000000000000000000",  // u = 1
    "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
    "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  // u = p - 1
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  // u = p, i.e. 0 unreduced
    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  // u = p + 1, i.e. 1
};

// Ed25519 points of small order: the identity and an order-8 point.
const char* const kSmallOrderEd25519[] = {
    "0100000000000000000000000000000000000000000000000000000000000000",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
};

TEST(KeysTest, GeneratedPairsHaveTheDocumentedSizesAndDiffer) {
    const SigningKeyPair sign = generate_signing_keys();
    const BoxKeyPair box = generate_box_keys();
    const CurveKeyPair curve = generate_curve_keys();
    EXPECT_EQ(sign.public_key.size(), 32u);
    EXPECT_EQ(sign.secret_key.size(), 64u);
    EXPECT_EQ(box.public_key.size(), 32u);
    EXPECT_EQ(box.secret_key.size(), 32u);
    EXPECT_EQ(curve.public_key.size(), 32u);
    EXPECT_EQ(curve.secret_key.size(), 32u);
    EXPECT_NE(box.public_key, curve.public_key);
    EXPECT_NE(generate_signing_keys().public_key, sign.public_key);
}

TEST(KeysTest, GeneratedPublicKeysPassTheirChecks) {
    EXPECT_TRUE(check_public_key(generate_signing_keys().public_key, KeyKind::Signing));
    EXPECT_TRUE(check_public_key(generate_box_keys().public_key, KeyKind::Box));
    EXPECT_TRUE(check_public_key(generate_curve_keys().public_key, KeyKind::Box));
}

TEST(KeysTest, PublicKeysAreDerivedFromSecretKeys) {
    const SigningKeyPair sign = generate_signing_keys();
    const BoxKeyPair box = generate_box_keys();
    EXPECT_EQ(signing_public_key_of(sign.secret_key).value(), sign.public_key);
    EXPECT_EQ(box_public_key_of(box.secret_key).value(), box.public_key);
}

TEST(KeysTest, SigningSecretKeyWithAForeignPublicHalfIsRefused) {
    const SigningKeyPair sign = generate_signing_keys();
    const SigningKeyPair other = generate_signing_keys();
    Bytes spliced(sign.secret_key.view().begin(), sign.secret_key.view().begin() + 32);
    spliced.insert(spliced.end(), other.public_key.begin(), other.public_key.end());
    auto derived = signing_public_key_of(SecretBytes::copy_of(spliced));
    ASSERT_FALSE(derived);
    EXPECT_EQ(derived.error().code, ErrorCode::BAD_REQUEST);
}

TEST(KeysTest, DerivationRefusesWrongSizedSecretKeys) {
    EXPECT_EQ(signing_public_key_of(SecretBytes(32)).error().code, ErrorCode::BAD_REQUEST);
    EXPECT_EQ(box_public_key_of(SecretBytes(64)).error().code, ErrorCode::BAD_REQUEST);
}

TEST(KeysTest, CheckRefusesWrongSizes) {
    for (KeyKind kind : {KeyKind::Signing, KeyKind::Box}) {
        for (std::size_t size : {0u, 31u, 33u, 64u}) {
            Bytes key(size, 0x11);
            auto checked = check_public_key(key, kind);
            ASSERT_FALSE(checked) << size;
            EXPECT_EQ(checked.error().code, ErrorCode::BAD_REQUEST);
        }
    }
}

TEST(KeysTest, CheckRefusesAllZeroKeys) {
    const Bytes zero(32, 0);
    EXPECT_EQ(check_public_key(zero, KeyKind::Signing).error().code, ErrorCode::BAD_REQUEST);
    EXPECT_EQ(check_public_key(zero, KeyKind::Box).error().code, ErrorCode::BAD_REQUEST);
}

TEST(KeysTest, CheckRefusesLowOrderX25519Points) {
    for (const char* point : kLowOrderX25519) {
        auto checked = check_public_key(hex(point), KeyKind::Box);
        ASSERT_FALSE(checked) << point;
        EXPECT_EQ(checked.error().code, ErrorCode::BAD_REQUEST) << point;
    }
}

TEST(KeysTest, CheckRefusesSmallOrderEd25519Points) {
    for (const char* point : kSmallOrderEd25519) {
        auto checked = check_public_key(hex(point), KeyKind::Signing);
        ASSERT_FALSE(checked) << point;
        EXPECT_EQ(checked.error().code, ErrorCode::BAD_REQUEST) << point;
    }
}

TEST(KeysTest, CheckRefusesEd25519PointsOutsideTheMainSubgroup) {
    // A valid key plus a point of order 8 is on the curve but carries a torsion component.
    const Bytes valid = generate_signing_keys().public_key;
    Bytes mixed(32);
    ASSERT_EQ(
        crypto_core_ed25519_add(mixed.data(), valid.data(), hex(kSmallOrderEd25519[1]).data()), 0);
    auto checked = check_public_key(mixed, KeyKind::Signing);
    ASSERT_FALSE(checked);
    EXPECT_EQ(checked.error().code, ErrorCode::BAD_REQUEST);
}

TEST(KeysTest, CheckRefusesBytesThatAreNotAnEd25519Point) {
    // About half of all y values have no point on the curve: find one among small y.
    Bytes candidate(32, 0);
    bool found = false;
    for (std::uint8_t y = 2; y < 50 && !found; ++y) {
        candidate[0] = y;
        found = crypto_core_ed25519_is_valid_point(candidate.data()) == 0;
    }
    ASSERT_TRUE(found);
    EXPECT_EQ(check_public_key(candidate, KeyKind::Signing).error().code, ErrorCode::BAD_REQUEST);
}

TEST(KeysTest, Z85RoundTripsA32ByteKey) {
    const Bytes key = generate_curve_keys().public_key;
    const std::string text = z85_encode(key);
    EXPECT_EQ(text.size(), 40u);
    EXPECT_EQ(z85_decode(text).value(), key);
}

TEST(KeysTest, Z85MatchesTheSpecificationAlphabet) {
    // ZeroMQ RFC 32: 0x864FD26FB559F75B encodes as "HelloWorld"; repeat it to 32 bytes.
    const Bytes key = hex("864fd26fb559f75b864fd26fb559f75b864fd26fb559f75b864fd26fb559f75b");
    EXPECT_EQ(z85_encode(key), "HelloWorldHelloWorldHelloWorldHelloWorld");
}

TEST(KeysTest, Z85EncodeOfAWrongSizedKeyIsABug) {
    EXPECT_THROW((void)z85_encode(Bytes(31)), std::invalid_argument);
}

TEST(KeysTest, Z85DecodeRefusesBadText) {
    const std::string good = z85_encode(generate_box_keys().public_key);
    const std::string bad[] = {
        "",
        good.substr(0, 39),
        good + "0",
        good.substr(0, 35),                                  // a multiple of 5, but not 40
        std::string(39, '0') + " ",                          // space is not in the alphabet
        std::string(39, '0') + "~",                          // neither is '~'
        std::string(35, '0') + "#####",                      // 85^5 - 1 does not fit in 32 bits
        std::string(20, '0') + '\0' + std::string(19, '0'),  // embedded NUL
    };
    for (const std::string& text : bad) {
        auto decoded = z85_decode(text);
        ASSERT_FALSE(decoded) << text;
        EXPECT_EQ(decoded.error().code, ErrorCode::BAD_REQUEST) << text;
    }
}

}  // namespace
}  // namespace imgshare
