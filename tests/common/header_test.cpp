#include "common/protocol/header.h"

#include <gtest/gtest.h>

#include "tests/common/wire_test_support.h"

namespace imgshare {
namespace {

using testing::hex;
using testing::packed_signed;
using testing::packed_string;
using testing::packed_unsigned;
using testing::with_value;
using testing::without_key;

Bytes list_header() {
    return encode_header(Header{kProtocolVersion, "LIST", 7, std::nullopt});
}

Error header_error(const Bytes& frame) {
    auto result = decode_header(frame);
    EXPECT_FALSE(result.has_value());
    return result ? Error{ErrorCode::INTERNAL, "decoded"} : result.error();
}

TEST(HeaderTest, EncodingIsTheDocumentedBytes) {
    // docs/PROTOCOL.md shows this example byte for byte.
    EXPECT_EQ(to_hex(list_header()), "83a17601a474797065a44c495354a2696407");
}

TEST(HeaderTest, RoundTripsWithAndWithoutUser) {
    Header anonymous{kProtocolVersion, "REGISTER", 0xfedcba9876543210ull, std::nullopt};
    EXPECT_EQ(decode_header(encode_header(anonymous)).value(), anonymous);
    Header stamped{kProtocolVersion, "POST_BEGIN", 3, "alice"};
    EXPECT_EQ(decode_header(encode_header(stamped)).value(), stamped);
    EXPECT_EQ(decode_header(encode_header(Header{1, "OK", 1, {}})).value().type, "OK");
    EXPECT_EQ(decode_header(encode_header(Header{1, "ERROR", 1, {}})).value().type, "ERROR");
}

TEST(HeaderTest, OtherVersionsAreRefusedBeforeAnythingElse) {
    auto error = header_error(with_value(list_header(), "v", packed_unsigned(2)));
    EXPECT_EQ(error.code, ErrorCode::BAD_REQUEST);
    EXPECT_EQ(error.message, "header: unsupported protocol version 2");
    // A v2 header may have other keys: the version is still what is reported.
    auto v2 = without_key(with_value(list_header(), "v", packed_unsigned(2)), "type");
    EXPECT_EQ(header_error(v2).message, "header: unsupported protocol version 2");
    EXPECT_EQ(header_error(with_value(list_header(), "v", packed_unsigned(0))).message,
              "header: unsupported protocol version 0");
}

TEST(HeaderTest, IllTypedVersionIsRefused) {
    auto negative = header_error(with_value(list_header(), "v", packed_signed(-1)));
    EXPECT_EQ(negative.code, ErrorCode::BAD_REQUEST);
    EXPECT_NE(negative.message.find("key 'v'"), std::string::npos);
    auto text = header_error(with_value(list_header(), "v", packed_string("1")));
    EXPECT_EQ(text.message, "header: key 'v': expected unsigned integer, got string");
}

TEST(HeaderTest, MissingKeysAreNamed) {
    for (const char* key : {"v", "type", "id"}) {
        auto error = header_error(without_key(list_header(), key));
        EXPECT_EQ(error.code, ErrorCode::BAD_REQUEST);
        EXPECT_EQ(error.message, std::string("header: missing key '") + key + "'");
    }
}

TEST(HeaderTest, WrongTypesAreNamed) {
    EXPECT_EQ(header_error(with_value(list_header(), "type", packed_unsigned(3))).message,
              "header: key 'type': expected string, got unsigned integer");
    EXPECT_EQ(header_error(with_value(list_header(), "id", packed_signed(-5))).code,
              ErrorCode::BAD_REQUEST);
    EXPECT_EQ(header_error(with_value(list_header(), "id", packed_string("7"))).message,
              "header: key 'id': expected unsigned integer, got string");
    auto user = testing::with_extra_key(list_header(), "user", packed_unsigned(1));
    EXPECT_EQ(header_error(user).message,
              "header: key 'user': expected string, got unsigned integer");
}

TEST(HeaderTest, UnknownTypesAreRefused) {
    auto error = header_error(with_value(list_header(), "type", packed_string("PING")));
    EXPECT_EQ(error.code, ErrorCode::BAD_REQUEST);
    EXPECT_EQ(error.message, "header: unknown message type 'PING'");
    // Events travel without a header: NEW_IMAGE is not a header type.
    EXPECT_EQ(header_error(with_value(list_header(), "type", packed_string("NEW_IMAGE"))).message,
              "header: unknown message type 'NEW_IMAGE'");
    EXPECT_EQ(header_error(with_value(list_header(), "type", packed_string("list"))).code,
              ErrorCode::BAD_REQUEST);
}

TEST(HeaderTest, UnknownKeysAreIgnored) {
    auto extended = testing::with_extra_key(list_header(), "trace", packed_string("abc"));
    EXPECT_EQ(decode_header(extended).value().id, 7u);
}

TEST(HeaderTest, HeaderMustBeAMap) {
    EXPECT_EQ(header_error(hex("93017a07")).message, "header: expected map, got array");
    EXPECT_EQ(header_error(hex("a44c495354")).code, ErrorCode::BAD_REQUEST);
    EXPECT_EQ(header_error({}).code, ErrorCode::BAD_REQUEST);
}

TEST(HeaderTest, TrailingBytesAreRefused) {
    auto frame = list_header();
    frame.push_back(0x00);
    EXPECT_EQ(header_error(frame).code, ErrorCode::BAD_REQUEST);
}

}  // namespace
}  // namespace imgshare
