#include "common/bytes.h"

#include <gtest/gtest.h>

namespace imgshare {
namespace {

TEST(BytesTest, HexRoundTrips) {
    const Bytes bytes = {0x00, 0x7f, 0xab, 0xff};
    EXPECT_EQ(to_hex(bytes), "007fabff");
    auto back = from_hex("007FabFF");
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, bytes);
}

// Found by fuzz_storage_records (an empty upload id): the empty vector's null data() went to
// sodium_hex2bin, whose output is declared nonnull (UBSan: undefined behaviour).
TEST(BytesTest, EmptyHexIsNoBytes) {
    auto bytes = from_hex("");
    ASSERT_TRUE(bytes.has_value());
    EXPECT_TRUE(bytes->empty());
    EXPECT_EQ(to_hex(Bytes{}), "");
}

TEST(BytesTest, MalformedHexIsRefused) {
    EXPECT_EQ(from_hex("abc").error().code, ErrorCode::BAD_REQUEST);
    EXPECT_EQ(from_hex("zz").error().code, ErrorCode::BAD_REQUEST);
    EXPECT_EQ(from_hex("ab ").error().code, ErrorCode::BAD_REQUEST);
    EXPECT_EQ(from_hex(std::string_view("a\0", 2)).error().code, ErrorCode::BAD_REQUEST);
}

}  // namespace
}  // namespace imgshare
