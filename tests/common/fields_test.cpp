#include "common/protocol/fields.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>

#include "tests/common/wire_test_support.h"

namespace imgshare {
namespace {

using testing::kPackedNil;
using testing::packed_binary;
using testing::packed_signed;
using testing::packed_string;
using testing::packed_unsigned;
using testing::with_extra_key;
using testing::with_value;
using testing::without_key;

struct Inner {
    std::string label;
    static constexpr auto fields() { return std::make_tuple(field("label", &Inner::label)); }
    bool operator==(const Inner&) const = default;
};

// One member of every supported kind.
struct Sample {
    std::string text;
    Bytes data;
    bool flag = false;
    std::uint32_t small = 0;
    std::uint64_t big = 0;
    std::int64_t when = 0;
    ErrorCode code = ErrorCode::INTERNAL;
    std::vector<Inner> inners;
    std::optional<std::string> maybe;
    std::uint32_t defaulted = 42;
    static constexpr auto fields() {
        using M = Sample;
        return std::make_tuple(
            field("text", &M::text, 8), field("data", &M::data, 4), field("flag", &M::flag),
            field("small", &M::small), field("big", &M::big), field("when", &M::when),
            field("code", &M::code), field("inners", &M::inners, 2), field("maybe", &M::maybe),
            optional_field("defaulted", &M::defaulted));
    }
    bool operator==(const Sample&) const = default;
};

Sample full_sample() {
    return Sample{"hello",
                  {1, 2, 3},
                  true,
                  4'000'000'000u,
                  std::numeric_limits<std::uint64_t>::max(),
                  -1'700'000'000,
                  ErrorCode::NAME_TAKEN,
                  {{"a"}, {"b"}},
                  "here",
                  7};
}

Bytes encoded() {
    return encode_map(full_sample());
}

Error decode_error(const Bytes& bytes) {
    auto result = decode_map<Sample>(bytes);
    EXPECT_FALSE(result.has_value());
    return result ? Error{ErrorCode::INTERNAL, "decoded"} : result.error();
}

TEST(FieldsTest, RoundTripsEveryMemberKind) {
    auto decoded = decode_map<Sample>(encoded());
    ASSERT_TRUE(decoded.has_value()) << describe(decoded.error());
    EXPECT_EQ(*decoded, full_sample());
}

TEST(FieldsTest, EmptyOptionalIsLeftOutAndDecodesAsEmpty) {
    Sample sample = full_sample();
    sample.maybe.reset();
    auto bytes = encode_map(sample);
    EXPECT_EQ(bytes[0], 0x89);  // nine entries, not ten
    EXPECT_EQ(decode_map<Sample>(bytes).value(), sample);
}

TEST(FieldsTest, EncodedSizeIsTheSizeOfTheEncoding) {
    Sample sample = full_sample();
    EXPECT_EQ(encoded_size(sample), encode_map(sample).size());
    sample.maybe.reset();
    sample.inners.clear();
    sample.text = std::string(300, 't');
    EXPECT_EQ(encoded_size(sample), encode_map(sample).size());
}

TEST(FieldsTest, AbsentOptionalFieldKeepsItsDefault) {
    auto decoded = decode_map<Sample>(without_key(encoded(), "defaulted"));
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(decoded->defaulted, 42u);
}

TEST(FieldsTest, UnknownKeysAreIgnored) {
    auto bytes = with_extra_key(encoded(), "from_the_future", testing::hex("93010203"));
    EXPECT_EQ(decode_map<Sample>(bytes).value(), full_sample());
}

TEST(FieldsTest, MissingRequiredKeyIsNamed) {
    for (const char* key : {"text", "data", "flag", "small", "big", "when", "code", "inners"}) {
        auto error = decode_error(without_key(encoded(), key));
        EXPECT_EQ(error.code, ErrorCode::BAD_REQUEST) << key;
        EXPECT_EQ(error.message, std::string("missing key '") + key + "'");
    }
}

TEST(FieldsTest, WrongKindIsNamed) {
    for (const char* key :
         {"text", "data", "flag", "small", "big", "when", "code", "inners", "maybe", "defaulted"}) {
        auto error = decode_error(with_value(encoded(), key, kPackedNil));
        EXPECT_EQ(error.code, ErrorCode::BAD_REQUEST) << key;
        EXPECT_EQ(error.message.rfind(std::string("key '") + key + "': expected ", 0), 0u)
            << error.message;
    }
    EXPECT_EQ(decode_error(with_value(encoded(), "text", packed_binary(Bytes{0x61}))).message,
              "key 'text': expected string, got binary");
    EXPECT_EQ(decode_error(with_value(encoded(), "data", packed_string("a"))).message,
              "key 'data': expected binary, got string");
}

TEST(FieldsTest, IntegersOutOfRangeAreRefused) {
    // A negative number for an unsigned field.
    auto negative = decode_error(with_value(encoded(), "big", packed_signed(-1)));
    EXPECT_EQ(negative.code, ErrorCode::BAD_REQUEST);
    EXPECT_NE(negative.message.find("key 'big'"), std::string::npos);
    // A uint64 where a uint32 belongs.
    auto wide = decode_error(with_value(encoded(), "small", packed_unsigned(1ull << 32)));
    EXPECT_EQ(wide.code, ErrorCode::BAD_REQUEST);
    EXPECT_NE(wide.message.find("out of range"), std::string::npos);
    // A uint64 beyond int64 for a signed field.
    auto signed_overflow = decode_error(with_value(encoded(), "when", packed_unsigned(1ull << 63)));
    EXPECT_EQ(signed_overflow.code, ErrorCode::BAD_REQUEST);
    // The extremes that fit are accepted.
    auto edges = with_value(encoded(), "small", packed_unsigned(0xffffffffu));
    edges = with_value(edges, "when", packed_signed(std::numeric_limits<std::int64_t>::min()));
    auto decoded = decode_map<Sample>(edges);
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(decoded->small, 0xffffffffu);
    EXPECT_EQ(decoded->when, std::numeric_limits<std::int64_t>::min());
}

TEST(FieldsTest, PerFieldBoundsAreTooLarge) {
    auto text = decode_error(with_value(encoded(), "text", packed_string("123456789")));
    EXPECT_EQ(text.code, ErrorCode::TOO_LARGE);
    EXPECT_EQ(text.message, "key 'text': 9 bytes exceed the limit of 8");
    auto data = decode_error(with_value(encoded(), "data", packed_binary(Bytes(5))));
    EXPECT_EQ(data.code, ErrorCode::TOO_LARGE);
    auto inners = decode_error(with_value(encoded(), "inners",
                                          testing::hex("9381a56c6162656ca0"
                                                       "81a56c6162656ca0"
                                                       "81a56c6162656ca0")));
    EXPECT_EQ(inners.code, ErrorCode::TOO_LARGE);
    EXPECT_EQ(inners.message, "key 'inners': 3 items exceed the limit of 2");
}

TEST(FieldsTest, NestedFailuresNameTheirPath) {
    auto error = decode_error(with_value(encoded(), "inners",
                                         testing::hex("9281a56c6162656ca0"
                                                      "81a56c6162656c01")));
    EXPECT_EQ(error.code, ErrorCode::BAD_REQUEST);
    EXPECT_EQ(error.message,
              "key 'inners': item 1: key 'label': expected string, got unsigned integer");
    auto not_a_map = decode_error(with_value(encoded(), "inners", testing::hex("9101")));
    EXPECT_EQ(not_a_map.message, "key 'inners': item 0: expected map, got unsigned integer");
}

TEST(FieldsTest, UnknownErrorCodeNameBecomesInternal) {
    auto decoded = decode_map<Sample>(with_value(encoded(), "code", packed_string("FROM_V2")));
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(decoded->code, ErrorCode::INTERNAL);
}

TEST(FieldsTest, DuplicateKeysAreRefused) {
    // A peer that reads the first copy and one that reads the last would
    // disagree: the map is refused whatever the copies hold.
    auto bytes = with_extra_key(encoded(), "text", packed_string("other"));
    auto error = decode_error(bytes);
    EXPECT_EQ(error.code, ErrorCode::BAD_REQUEST);
    EXPECT_EQ(error.message, "duplicate key 'text'");
    EXPECT_TRUE(decode_map<Sample>(with_extra_key(encoded(), "zz", kPackedNil)).has_value());
}

TEST(FieldsTest, NonStringKeysAreRefused) {
    auto error = decode_error(testing::hex("8101c0"));
    EXPECT_EQ(error.code, ErrorCode::BAD_REQUEST);
    EXPECT_EQ(error.message, "map key 0: expected string, got unsigned integer");
}

// Lookups start after the key found last; keys in any other order, or
// looked up in any order, must still be found, and only once each.
TEST(FieldsTest, MapKeysFindEveryKeyInAnyOrder) {
    MsgpackWriter writer;
    writer.map(4);
    for (std::uint64_t i : {3u, 0u, 2u, 1u}) {
        writer.string("k" + std::to_string(i));
        writer.unsigned_integer(i);
    }
    auto bytes = writer.take();
    auto document = MsgpackDocument::parse(bytes);
    ASSERT_TRUE(document.has_value());
    wire::MapKeys keys(document->root());
    ASSERT_TRUE(keys.check().has_value());
    for (std::uint64_t i : {0u, 1u, 2u, 3u, 3u, 0u, 1u, 1u, 2u}) {
        auto found = keys.find("k" + std::to_string(i));
        ASSERT_TRUE(found.has_value()) << i;
        EXPECT_EQ(found->as_unsigned(), i);
    }
    EXPECT_FALSE(keys.find("k4").has_value());
    EXPECT_FALSE(keys.find("k").has_value());
    EXPECT_TRUE(keys.find("k2").has_value());  // a miss leaves lookups working
}

TEST(FieldsTest, AnEmptyKeyIsAKeyLikeAnyOther) {
    MsgpackWriter writer;
    writer.map(2);
    writer.string("");
    writer.unsigned_integer(1);
    writer.string("x");
    writer.unsigned_integer(2);
    auto bytes = writer.take();
    auto document = MsgpackDocument::parse(bytes);
    ASSERT_TRUE(document.has_value());
    wire::MapKeys keys(document->root());
    ASSERT_TRUE(keys.check().has_value());
    EXPECT_EQ(keys.find("")->as_unsigned(), 1u);
    EXPECT_EQ(keys.find("x")->as_unsigned(), 2u);
    EXPECT_EQ(keys.find("")->as_unsigned(), 1u);
    EXPECT_FALSE(keys.find("y").has_value());
}

TEST(FieldsTest, FieldsDecodeWhateverOrderTheKeysCameIn) {
    // The sample's keys, last first, with an unknown key in the middle.
    auto entries = testing::split_map(encoded());
    std::reverse(entries.begin(), entries.end());
    entries.insert(entries.begin() + 4, {"from_the_future", kPackedNil});
    EXPECT_EQ(decode_map<Sample>(testing::join_map(entries)).value(), full_sample());
}

TEST(FieldsTest, TopLevelMustBeAMap) {
    EXPECT_EQ(decode_error(testing::hex("90")).message, "expected map, got array");
    EXPECT_EQ(decode_error(testing::hex("c0")).message, "expected map, got nil");
}

TEST(FieldsTest, QuotedEscapesAndCutsHostileText) {
    EXPECT_EQ(wire::quoted("PING"), "'PING'");
    EXPECT_EQ(wire::quoted(std::string("a\n\x01'\\", 5)), "'a\\x0a\\x01\\x27\\x5c'");
    EXPECT_EQ(wire::quoted(std::string(100, 'x')), "'" + std::string(64, 'x') + "'...");
}

}  // namespace
}  // namespace imgshare
