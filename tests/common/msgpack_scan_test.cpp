#include "common/protocol/msgpack_scan.h"

#include <gtest/gtest.h>

#include <random>

#include "common/protocol/limits.h"
#include "tests/common/wire_test_support.h"

namespace imgshare {
namespace {

using testing::hex;

ErrorCode code_of(const Result<void>& result) {
    return result.error().code;
}

Bytes nested_arrays(std::size_t depth) {
    Bytes bytes(depth, 0x91);  // fixarray of one item, `depth` times
    bytes.push_back(0xc0);
    return bytes;
}

TEST(MsgpackScanTest, AcceptsWellFormedValues) {
    EXPECT_TRUE(scan_msgpack(hex("c0")).has_value());
    EXPECT_TRUE(scan_msgpack(hex("80")).has_value());
    EXPECT_TRUE(scan_msgpack(hex("82a16101a162c403010203")).has_value());  // {a:1, b:bin}
    EXPECT_TRUE(scan_msgpack(hex("93cbffffffffffffffffd3ffffffffffffffffca00000000")).has_value());
    EXPECT_TRUE(scan_msgpack(hex("dc0003c0c2c3")).has_value());  // array16 of 3
    EXPECT_EQ(code_of(scan_msgpack(hex("91"))), ErrorCode::BAD_REQUEST);
}

TEST(MsgpackScanTest, NestingUpToTheDepthLimitIsAccepted) {
    EXPECT_TRUE(scan_msgpack(nested_arrays(kMaxDepth)).has_value());
    // Empty containers count as a level too, as msgpack-c counts them.
    Bytes empty_innermost(kMaxDepth - 1, 0x91);
    empty_innermost.push_back(0x90);
    EXPECT_TRUE(scan_msgpack(empty_innermost).has_value());
}

TEST(MsgpackScanTest, NestingBeyondTheDepthLimitIsRefused) {
    EXPECT_EQ(code_of(scan_msgpack(nested_arrays(kMaxDepth + 1))), ErrorCode::BAD_REQUEST);
    Bytes empty_innermost(kMaxDepth, 0x91);
    empty_innermost.push_back(0x80);
    EXPECT_EQ(code_of(scan_msgpack(empty_innermost)), ErrorCode::BAD_REQUEST);
}

TEST(MsgpackScanTest, TenThousandLevelsAreRefusedWithoutRecursion) {
    auto result = scan_msgpack(nested_arrays(10'000));
    EXPECT_EQ(code_of(result), ErrorCode::BAD_REQUEST);
    EXPECT_NE(result.error().message.find("nesting"), std::string::npos);
}

TEST(MsgpackScanTest, HugeDeclaredSizesAreRefusedAsTooLarge) {
    EXPECT_EQ(code_of(scan_msgpack(hex("dbffffffff61"))), ErrorCode::TOO_LARGE);  // str32 4 GiB
    EXPECT_EQ(code_of(scan_msgpack(hex("c6ffffffff61"))), ErrorCode::TOO_LARGE);  // bin32 4 GiB
    EXPECT_EQ(code_of(scan_msgpack(hex("ddffffffff"))), ErrorCode::TOO_LARGE);    // array32
    EXPECT_EQ(code_of(scan_msgpack(hex("dfffffffff"))), ErrorCode::TOO_LARGE);    // map32
}

TEST(MsgpackScanTest, StringLimitIsExact) {
    auto string_of = [](std::size_t size) {
        Bytes bytes{0xda, static_cast<std::uint8_t>(size >> 8), static_cast<std::uint8_t>(size)};
        bytes.resize(3 + size, 'x');
        return bytes;
    };
    EXPECT_TRUE(scan_msgpack(string_of(kMaxStringBytes)).has_value());
    EXPECT_EQ(code_of(scan_msgpack(string_of(kMaxStringBytes + 1))), ErrorCode::TOO_LARGE);
}

TEST(MsgpackScanTest, ContainerLimitsAreExact) {
    Bytes array{0xdc, static_cast<std::uint8_t>(kMaxArrayItems >> 8),
                static_cast<std::uint8_t>(kMaxArrayItems)};
    array.resize(3 + kMaxArrayItems, 0xc0);
    EXPECT_TRUE(scan_msgpack(array).has_value());
    Bytes too_many{0xdc, static_cast<std::uint8_t>((kMaxArrayItems + 1) >> 8),
                   static_cast<std::uint8_t>(kMaxArrayItems + 1)};
    too_many.resize(3 + kMaxArrayItems + 1, 0xc0);
    EXPECT_EQ(code_of(scan_msgpack(too_many)), ErrorCode::TOO_LARGE);

    Bytes map{0xde, 0, static_cast<std::uint8_t>(kMaxMapItems + 1)};
    map.resize(3 + 2 * (kMaxMapItems + 1), 0xc0);
    EXPECT_EQ(code_of(scan_msgpack(map)), ErrorCode::TOO_LARGE);
}

TEST(MsgpackScanTest, DeclaredElementsMustAllBePresent) {
    // 1 MiB of nested 1024-item array headers: within every per-value limit,
    // but msgpack-c alone would allocate 24 KiB per header (gigabytes).
    Bytes bomb;
    while (bomb.size() < kMaxChunkBytes) {
        bomb.insert(bomb.end(), {0xdc, 0x04, 0x00});
    }
    EXPECT_EQ(code_of(scan_msgpack(bomb)), ErrorCode::BAD_REQUEST);
    EXPECT_EQ(code_of(scan_msgpack(hex("dc0400c0c0"))), ErrorCode::BAD_REQUEST);
}

TEST(MsgpackScanTest, ExtensionTypesAndTheReservedByteAreRefused) {
    for (const char* bytes : {"d40102", "d5010203", "c70101ff", "c8000101ff", "c900000001014f"}) {
        EXPECT_EQ(code_of(scan_msgpack(hex(bytes))), ErrorCode::BAD_REQUEST) << bytes;
    }
    EXPECT_EQ(code_of(scan_msgpack(hex("c1"))), ErrorCode::BAD_REQUEST);
    EXPECT_EQ(code_of(scan_msgpack(hex("91c1"))), ErrorCode::BAD_REQUEST);
}

TEST(MsgpackScanTest, EmptyInputAndTrailingBytesAreRefused) {
    EXPECT_EQ(code_of(scan_msgpack({})), ErrorCode::BAD_REQUEST);
    auto trailing = scan_msgpack(hex("80c0"));
    EXPECT_EQ(code_of(trailing), ErrorCode::BAD_REQUEST);
    EXPECT_NE(trailing.error().message.find("trailing"), std::string::npos);
}

TEST(MsgpackScanTest, EveryTruncationIsRefused) {
    Bytes value = hex("83a3626967dc0003c0c3cd0102a3737472a568656c6c6fa362696ec40401020304");
    ASSERT_TRUE(scan_msgpack(value).has_value());
    for (std::size_t size = 0; size < value.size(); ++size) {
        EXPECT_EQ(code_of(scan_msgpack(ByteView(value).first(size))), ErrorCode::BAD_REQUEST)
            << "prefix of " << size;
    }
}

TEST(MsgpackScanTest, MeasureStopsAtTheEndOfTheFirstValue) {
    EXPECT_EQ(measure_msgpack_value(hex("92c0c3ffff")).value(), 3u);
    EXPECT_EQ(measure_msgpack_value(hex("cd0102c0")).value(), 3u);
    EXPECT_EQ(measure_msgpack_value(hex("cd01")).error().code, ErrorCode::BAD_REQUEST);
}

TEST(MsgpackScanTest, RandomBytesNeverCrashAndFailWithAProtocolCode) {
    std::mt19937_64 random(20240611);
    for (int round = 0; round < 5000; ++round) {
        auto bytes = testing::random_bytes(random, random() % 300);
        auto result = scan_msgpack(bytes);
        if (!result) {
            EXPECT_TRUE(result.error().code == ErrorCode::BAD_REQUEST ||
                        result.error().code == ErrorCode::TOO_LARGE);
        }
    }
}

}  // namespace
}  // namespace imgshare
