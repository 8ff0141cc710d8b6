#include "common/trust_file.h"

#include <sodium.h>
#include <zmq.h>

#include <gtest/gtest.h>

#include <array>
#include <fstream>

#include "tests/common/scratch_dir.h"

namespace imgshare {
namespace {

struct Keys {
    Bytes ca_verify_key;
    Bytes broker_public_key;
    Bytes log_verify_key;
    std::string ca_hex;
    std::string log_hex;
    std::string broker_z85;
};

Keys fresh_keys() {
    EXPECT_GE(sodium_init(), 0);
    Keys keys;
    keys.ca_verify_key.resize(crypto_sign_PUBLICKEYBYTES);
    std::array<std::uint8_t, crypto_sign_SECRETKEYBYTES> sign_secret{};
    crypto_sign_keypair(keys.ca_verify_key.data(), sign_secret.data());
    sodium_memzero(sign_secret.data(), sign_secret.size());

    keys.broker_public_key.resize(crypto_box_PUBLICKEYBYTES);
    std::array<std::uint8_t, crypto_box_SECRETKEYBYTES> box_secret{};
    crypto_box_keypair(keys.broker_public_key.data(), box_secret.data());
    sodium_memzero(box_secret.data(), box_secret.size());

    keys.ca_hex = to_hex(keys.ca_verify_key);
    keys.log_verify_key.resize(crypto_sign_PUBLICKEYBYTES);
    crypto_sign_keypair(keys.log_verify_key.data(), sign_secret.data());
    sodium_memzero(sign_secret.data(), sign_secret.size());
    keys.log_hex = to_hex(keys.log_verify_key);
    std::array<char, 41> z85{};
    zmq_z85_encode(z85.data(), keys.broker_public_key.data(), 32);
    keys.broker_z85 = z85.data();
    return keys;
}

std::string trust_text(const Keys& keys) {
    return "# imgshare trust file\n"
           "ca_verify_key = " +
           keys.ca_hex +
           "\n"
           "broker_public_key = " +
           keys.broker_z85 + "\nlog_verify_key = " + keys.log_hex + "\n";
}

Error refused(std::string_view text) {
    auto anchors = parse_trust(text, "trust");
    EXPECT_FALSE(anchors.has_value());
    return anchors.has_value() ? Error{ErrorCode::INTERNAL, "accepted"} : anchors.error();
}

std::string z85_of(ByteView key) {
    std::array<char, 41> z85{};
    zmq_z85_encode(z85.data(), key.data(), key.size());
    return z85.data();
}

TEST(TrustFileTest, ParsesTheKeysAndOptionalEndpoint) {
    Keys keys = fresh_keys();
    auto anchors = parse_trust(trust_text(keys) + "broker_endpoint = tcp://127.0.0.1:7400\n", "t");
    ASSERT_TRUE(anchors.has_value()) << anchors.error().message;
    EXPECT_EQ(anchors->ca_verify_key, keys.ca_verify_key);
    EXPECT_EQ(anchors->log_verify_key, keys.log_verify_key);
    EXPECT_EQ(anchors->broker_public_key, keys.broker_public_key);
    ASSERT_TRUE(anchors->broker_endpoint.has_value());
    EXPECT_EQ(*anchors->broker_endpoint, (Endpoint{"127.0.0.1", 7400}));
}

TEST(TrustFileTest, EndpointIsOptional) {
    auto anchors = parse_trust(trust_text(fresh_keys()), "t");
    ASSERT_TRUE(anchors.has_value()) << anchors.error().message;
    EXPECT_FALSE(anchors->broker_endpoint.has_value());
}

TEST(TrustFileTest, FormatRoundTrips) {
    Keys keys = fresh_keys();
    TrustAnchors anchors{keys.ca_verify_key, keys.broker_public_key, Endpoint{"::1", 7400},
                         keys.log_verify_key};
    auto back = parse_trust(format_trust(anchors), "formatted");
    ASSERT_TRUE(back.has_value()) << back.error().message;
    EXPECT_EQ(*back, anchors);

    anchors.broker_endpoint.reset();
    back = parse_trust(format_trust(anchors), "formatted");
    ASSERT_TRUE(back.has_value()) << back.error().message;
    EXPECT_EQ(*back, anchors);
}

// A fresh Ed25519 public key in hex, as a witness_key line wants it.
std::string witness_hex() {
    std::array<std::uint8_t, crypto_sign_PUBLICKEYBYTES> public_key{};
    std::array<std::uint8_t, crypto_sign_SECRETKEYBYTES> secret{};
    crypto_sign_keypair(public_key.data(), secret.data());
    sodium_memzero(secret.data(), secret.size());
    return to_hex(ByteView(public_key.data(), public_key.size()));
}

TEST(TrustFileTest, WitnessKeysRepeatAndTheirQuorumDefaultsToOne) {
    Keys keys = fresh_keys();
    const auto a = witness_hex(), b = witness_hex();
    auto anchors = parse_trust(trust_text(keys) + "witness_key = " + a + "\nwitness_key = " + b +
                                   "\n",
                               "t");
    ASSERT_TRUE(anchors.has_value()) << anchors.error().message;
    EXPECT_EQ(anchors->witnesses.witness_keys,
              (std::vector<Bytes>{from_hex(a).value(), from_hex(b).value()}));
    EXPECT_EQ(anchors->witnesses.quorum, 1u);
    anchors = parse_trust(trust_text(keys) + "witness_key = " + a + "\nwitness_key = " + b +
                              "\nwitness_quorum = 2\n",
                          "t");
    ASSERT_TRUE(anchors.has_value()) << anchors.error().message;
    EXPECT_EQ(anchors->witnesses.quorum, 2u);
    // Without witnesses, nothing is required.
    anchors = parse_trust(trust_text(keys), "t");
    ASSERT_TRUE(anchors.has_value());
    EXPECT_EQ(anchors->witnesses, transparency::WitnessPolicy{});

    TrustAnchors formatted{keys.ca_verify_key, keys.broker_public_key, std::nullopt,
                           keys.log_verify_key,
                           transparency::WitnessPolicy{{from_hex(a).value(), from_hex(b).value()}, 2}};
    auto back = parse_trust(format_trust(formatted), "formatted");
    ASSERT_TRUE(back.has_value()) << back.error().message;
    EXPECT_EQ(*back, formatted);
}

TEST(TrustFileTest, AQuorumTheWitnessesCannotMeetOrAWitnessTwiceIsRefused) {
    Keys keys = fresh_keys();
    const auto a = witness_hex();
    const std::string one = trust_text(keys) + "witness_key = " + a + "\n";
    EXPECT_EQ(refused(one + "witness_quorum = 2\n").message,
              "trust:6: witness_quorum is 2 but 1 witness_key line(s) are given");
    EXPECT_EQ(refused(trust_text(keys) + "witness_quorum = 1\n").message,
              "trust:5: witness_quorum is 1 but 0 witness_key line(s) are given");
    EXPECT_EQ(refused(one + "witness_quorum = 0\n").message,
              "trust:6: witness_quorum is 0 but witnesses are listed: remove them, or require "
              "at least one");
    EXPECT_EQ(refused(one + "witness_key = " + a + "\n").message,
              "trust:6: the same witness_key twice");
    for (auto bad : {"", "-1", "one", "100"}) {
        EXPECT_EQ(refused(one + "witness_quorum = " + bad + "\n").message,
                  "trust:6: witness_quorum must be a number of witnesses")
            << bad;
    }
    EXPECT_EQ(refused(one + "witness_quorum = 1\nwitness_quorum = 1\n").message,
              "trust:7: duplicate key 'witness_quorum' (first set on line 6)");
    EXPECT_EQ(refused(trust_text(keys) + "witness_key = 00\n").code, ErrorCode::CONFIG);
}

TEST(TrustFileTest, FormatRefusesWrongKeySizes) {
    TrustAnchors anchors{Bytes(31, 1), Bytes(32, 1), std::nullopt, Bytes(32, 1)};
    EXPECT_THROW((void)format_trust(anchors), std::invalid_argument);
    anchors = TrustAnchors{Bytes(32, 1), Bytes(32, 1), std::nullopt, Bytes(31, 1)};
    EXPECT_THROW((void)format_trust(anchors), std::invalid_argument);
}

TEST(TrustFileTest, UnknownKeyIsRefusedWithLine) {
    Error error = refused(trust_text(fresh_keys()) + "broker_endpont = tcp://a:1\n");
    EXPECT_EQ(error.code, ErrorCode::CONFIG);
    EXPECT_EQ(error.message, "trust:5: unknown key 'broker_endpont'");
}

TEST(TrustFileTest, MissingKeysAreRefused) {
    Keys keys = fresh_keys();
    Error error = refused("broker_public_key = " + keys.broker_z85 + "\n");
    EXPECT_EQ(error.code, ErrorCode::CONFIG);
    EXPECT_EQ(error.message, "trust: missing key 'ca_verify_key'");

    error = refused("ca_verify_key = " + keys.ca_hex + "\n");
    EXPECT_EQ(error.code, ErrorCode::CONFIG);
    EXPECT_EQ(error.message, "trust: missing key 'log_verify_key'");

    error = refused("ca_verify_key = " + keys.ca_hex + "\nlog_verify_key = " + keys.log_hex + "\n");
    EXPECT_EQ(error.code, ErrorCode::CONFIG);
    EXPECT_EQ(error.message, "trust: missing key 'broker_public_key'");

    EXPECT_EQ(refused("").code, ErrorCode::CONFIG);
}

TEST(TrustFileTest, DuplicateKeyIsRefusedNamingBothLines) {
    // An attacker who can append a line must not override the first key.
    Keys keys = fresh_keys();
    Keys other = fresh_keys();
    Error error = refused(trust_text(keys) + "broker_public_key = " + other.broker_z85 + "\n");
    EXPECT_EQ(error.code, ErrorCode::CONFIG);
    EXPECT_EQ(error.message, "trust:5: duplicate key 'broker_public_key' (first set on line 3)");

    error = refused(trust_text(keys) + "log_verify_key = " + other.log_hex + "\n");
    EXPECT_EQ(error.code, ErrorCode::CONFIG);
    EXPECT_EQ(error.message, "trust:5: duplicate key 'log_verify_key' (first set on line 4)");

    error = refused(trust_text(keys) + "ca_verify_key = " + other.ca_hex + "\n");
    EXPECT_EQ(error.code, ErrorCode::CONFIG);
    EXPECT_NE(error.message.find("duplicate key 'ca_verify_key'"), std::string::npos);

    error =
        refused(trust_text(keys) + "broker_endpoint = tcp://a:1\nbroker_endpoint = tcp://b:1\n");
    EXPECT_EQ(error.code, ErrorCode::CONFIG);
    EXPECT_NE(error.message.find("duplicate key 'broker_endpoint'"), std::string::npos);
}

TEST(TrustFileTest, BadHexLengthIsRefused) {
    Keys keys = fresh_keys();
    for (std::string hex : {keys.ca_hex.substr(2), keys.ca_hex + "00", std::string()}) {
        Error error =
            refused("ca_verify_key = " + hex + "\nbroker_public_key = " + keys.broker_z85 + "\n");
        EXPECT_EQ(error.code, ErrorCode::CONFIG);
        EXPECT_TRUE(error.message.starts_with("trust:1: ca_verify_key must be 64 hex characters"))
            << error.message;
    }
}

TEST(TrustFileTest, NonHexIsRefused) {
    Keys keys = fresh_keys();
    std::string hex = keys.ca_hex;
    hex[10] = 'g';
    Error error = refused("ca_verify_key = " + hex + "\nbroker_public_key = " + keys.broker_z85);
    EXPECT_EQ(error.code, ErrorCode::CONFIG);
    EXPECT_EQ(error.message, "trust:1: ca_verify_key is not hex");
}

TEST(TrustFileTest, BadZ85IsRefused) {
    Keys keys = fresh_keys();
    std::string z85 = keys.broker_z85;
    std::string wrong_character = z85;
    wrong_character[5] = '"';  // not in the Z85 alphabet
    std::string space_inside = z85;
    space_inside[5] = ' ';
    // Every group of five "%" is above 2^32-1: alphabet-clean but not a valid encoding.
    std::string overflowing(40, '%');
    for (const std::string& bad :
         {z85.substr(1), z85 + "0", wrong_character, space_inside, overflowing}) {
        Error error = refused("ca_verify_key = " + keys.ca_hex + "\nbroker_public_key = " + bad);
        EXPECT_EQ(error.code, ErrorCode::CONFIG) << bad;
        EXPECT_EQ(error.message, "trust:2: broker_public_key must be 40 Z85 characters") << bad;
    }
}

TEST(TrustFileTest, AllZeroKeysAreRefused) {
    Keys keys = fresh_keys();
    Error error = refused("ca_verify_key = " + std::string(64, '0') +
                          "\nbroker_public_key = " + keys.broker_z85 + "\n");
    EXPECT_EQ(error.code, ErrorCode::CONFIG);
    EXPECT_EQ(error.message, "trust:1: ca_verify_key is all zero");

    error = refused("ca_verify_key = " + keys.ca_hex +
                    "\nbroker_public_key = " + z85_of(Bytes(32, 0)) + "\n");
    EXPECT_EQ(error.code, ErrorCode::CONFIG);
    EXPECT_EQ(error.message, "trust:2: broker_public_key is all zero");
}

TEST(TrustFileTest, LowOrderKeysAreRefused) {
    Keys keys = fresh_keys();
    // 01 00..00: the Ed25519 identity point and the X25519 point u=1 (order 4).
    Bytes low_order(32, 0);
    low_order[0] = 1;
    Error error = refused("ca_verify_key = " + to_hex(low_order) +
                          "\nbroker_public_key = " + keys.broker_z85 + "\n");
    EXPECT_EQ(error.code, ErrorCode::CONFIG);
    EXPECT_EQ(error.message, "trust:1: ca_verify_key is not a valid Ed25519 public key");

    error = refused("ca_verify_key = " + keys.ca_hex +
                    "\nbroker_public_key = " + z85_of(low_order) + "\n");
    EXPECT_EQ(error.code, ErrorCode::CONFIG);
    EXPECT_EQ(error.message, "trust:2: broker_public_key is a low-order point, not a usable key");
}

TEST(TrustFileTest, BadEndpointIsRefusedWithLine) {
    Error error = refused(trust_text(fresh_keys()) + "broker_endpoint = tcp://127.0.0.1:0\n");
    EXPECT_EQ(error.code, ErrorCode::CONFIG);
    EXPECT_TRUE(error.message.starts_with("trust:5: endpoint")) << error.message;
    EXPECT_NE(error.message.find("port 0 is not allowed"), std::string::npos);
}

TEST(TrustFileTest, SyntaxErrorsComeFromTheSharedParser) {
    Error error = refused(trust_text(fresh_keys()) + "garbage line\n");
    EXPECT_EQ(error.code, ErrorCode::CONFIG);
    EXPECT_EQ(error.message, "trust:5: expected 'key = value'");
}

TEST(TrustFileTest, LoadsAFileAndNamesItInErrors) {
    testing::ScratchDir dir;
    Keys keys = fresh_keys();
    std::ofstream(dir / "trust") << trust_text(keys);
    auto anchors = load_trust_file(dir / "trust");
    ASSERT_TRUE(anchors.has_value()) << anchors.error().message;
    EXPECT_EQ(anchors->broker_public_key, keys.broker_public_key);

    std::ofstream(dir / "bad") << trust_text(keys) << "extra = 1\n";
    auto bad = load_trust_file(dir / "bad");
    ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error().code, ErrorCode::CONFIG);
    EXPECT_EQ(bad.error().message, (dir / "bad").string() + ":5: unknown key 'extra'");
}

TEST(TrustFileTest, MissingFileIsAnIoError) {
    testing::ScratchDir dir;
    auto anchors = load_trust_file(dir / "absent");
    ASSERT_FALSE(anchors.has_value());
    EXPECT_EQ(anchors.error().code, ErrorCode::IO_ERROR);
    EXPECT_NE(anchors.error().message.find((dir / "absent").string()), std::string::npos);
}

TEST(TrustFileTest, OversizedFileIsRefusedUnparsed) {
    testing::ScratchDir dir;
    Keys keys = fresh_keys();
    std::ofstream(dir / "huge") << trust_text(keys) << std::string(kMaxTrustFileBytes, '#');
    auto anchors = load_trust_file(dir / "huge");
    ASSERT_FALSE(anchors.has_value());
    EXPECT_EQ(anchors.error().code, ErrorCode::IO_ERROR);
    EXPECT_NE(anchors.error().message.find("huge"), std::string::npos);
}

}  // namespace
}  // namespace imgshare
