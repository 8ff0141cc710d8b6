#include "common/error.h"

#include <gtest/gtest.h>

#include "common/bytes.h"

namespace imgshare {
namespace {

TEST(ErrorTest, CodesRoundTripThroughTheirStableNames) {
    for (int i = 0; i <= static_cast<int>(kLastErrorCode); ++i) {
        auto code = static_cast<ErrorCode>(i);
        auto parsed = error_code_from_string(to_string(code));
        ASSERT_TRUE(parsed.has_value()) << to_string(code);
        EXPECT_EQ(*parsed, code);
    }
    EXPECT_EQ(to_string(ErrorCode::NAME_TAKEN), "NAME_TAKEN");
}

TEST(ErrorTest, UnknownNameIsNotACode) {
    EXPECT_FALSE(error_code_from_string("NOPE").has_value());
    EXPECT_FALSE(error_code_from_string("").has_value());
}

TEST(ErrorTest, DescribeFormatsCodeAndMessage) {
    EXPECT_EQ(describe(Error{ErrorCode::NOT_FOUND, "no image named cat"}),
              "NOT_FOUND: no image named cat");
}

TEST(ErrorTest, FailBuildsAnUnexpectedResult) {
    Result<int> result = fail(ErrorCode::TOO_LARGE, "too big");
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code, ErrorCode::TOO_LARGE);
}

TEST(BytesTest, HexRoundTrip) {
    Bytes bytes{0x00, 0x01, 0xab, 0xff};
    EXPECT_EQ(to_hex(bytes), "0001abff");
    auto back = from_hex("0001abff");
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, bytes);
}

TEST(BytesTest, HexRefusesOddLengthAndBadCharacters) {
    EXPECT_EQ(from_hex("abc").error().code, ErrorCode::BAD_REQUEST);
    EXPECT_EQ(from_hex("zz").error().code, ErrorCode::BAD_REQUEST);
}

}  // namespace
}  // namespace imgshare
