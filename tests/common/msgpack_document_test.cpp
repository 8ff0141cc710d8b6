#include "common/protocol/msgpack_document.h"

#include <gtest/gtest.h>

#include <random>

#include "common/protocol/limits.h"
#include "common/protocol/msgpack_writer.h"
#include "tests/common/wire_test_support.h"

namespace imgshare {
namespace {

using testing::hex;
using Kind = MsgpackValue::Kind;

TEST(MsgpackDocumentTest, ReadsEveryKindThroughCheckedAccessors) {
    MsgpackWriter writer;
    writer.map(2);
    writer.string("list");
    writer.array(6);
    writer.nil();
    writer.boolean(true);
    writer.unsigned_integer(1ull << 40);
    writer.signed_integer(-7);
    writer.string("text");
    writer.binary(Bytes{1, 2, 3});
    writer.string("float");
    Bytes packed = writer.take();
    packed.insert(packed.end(), {0xcb, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0});  // 1.0

    auto document = MsgpackDocument::parse(packed);
    ASSERT_TRUE(document.has_value()) << describe(document.error());
    auto root = document->root();
    ASSERT_EQ(root.kind(), Kind::map);
    ASSERT_EQ(root.size(), 2u);
    EXPECT_EQ(root.key(0).as_string(), "list");
    auto list = root.value(0);
    ASSERT_EQ(list.kind(), Kind::array);
    ASSERT_EQ(list.size(), 6u);
    EXPECT_EQ(list.item(0).kind(), Kind::nil);
    EXPECT_EQ(list.item(1).as_bool(), true);
    EXPECT_EQ(list.item(2).as_unsigned(), 1ull << 40);
    EXPECT_EQ(list.item(3).as_negative(), -7);
    EXPECT_EQ(list.item(4).as_string(), "text");
    auto binary = list.item(5).as_binary();
    ASSERT_TRUE(binary.has_value());
    EXPECT_EQ(Bytes(binary->begin(), binary->end()), (Bytes{1, 2, 3}));
    EXPECT_EQ(root.value(1).kind(), Kind::floating);
    EXPECT_EQ(root.value(1).kind_name(), "float");
}

TEST(MsgpackDocumentTest, AccessorsOfTheWrongKindAnswerNothing) {
    auto document = MsgpackDocument::parse(hex("a3616263"));  // "abc"
    ASSERT_TRUE(document.has_value());
    auto root = document->root();
    EXPECT_FALSE(root.as_binary().has_value());
    EXPECT_FALSE(root.as_unsigned().has_value());
    EXPECT_FALSE(root.as_negative().has_value());
    EXPECT_FALSE(root.as_bool().has_value());
    EXPECT_EQ(root.size(), 0u);
}

TEST(MsgpackDocumentTest, TheDocumentOwnsItsStrings) {
    Bytes bytes = hex("a3616263");
    auto document = MsgpackDocument::parse(bytes);
    ASSERT_TRUE(document.has_value());
    std::fill(bytes.begin(), bytes.end(), 0);
    EXPECT_EQ(document->root().as_string(), "abc");
}

TEST(MsgpackDocumentTest, FrameOverTheLimitIsTooLarge) {
    Bytes frame(kMaxFrameBytes + 1, 0xc0);
    EXPECT_EQ(MsgpackDocument::parse(frame).error().code, ErrorCode::TOO_LARGE);
}

// The same hostile inputs against both layers: the pre-scan in parse() and,
// on its own, msgpack-c under unpack_limit.
struct HostileCase {
    const char* name;
    Bytes bytes;
    ErrorCode parse_code;
    ErrorCode unpack_code;
};

std::vector<HostileCase> hostile_cases() {
    Bytes deep(10'000, 0x91);
    deep.push_back(0xc0);
    Bytes long_string{0xda, 0x10, 0x01};  // 4097 bytes
    long_string.resize(3 + 4097, 'x');
    return {
        // With too few bytes present msgpack-c stops at "truncated" before it
        // reads the size: no allocation either way.
        {"str32 claiming 4 GiB", hex("dbffffffff6161"), ErrorCode::TOO_LARGE,
         ErrorCode::BAD_REQUEST},
        {"bin32 claiming 4 GiB", hex("c6ffffffff6161"), ErrorCode::TOO_LARGE,
         ErrorCode::BAD_REQUEST},
        {"array32 of 2^32-1", hex("ddffffffff"), ErrorCode::TOO_LARGE, ErrorCode::TOO_LARGE},
        {"map32 of 2^32-1", hex("dfffffffff"), ErrorCode::TOO_LARGE, ErrorCode::TOO_LARGE},
        {"string over the limit", long_string, ErrorCode::TOO_LARGE, ErrorCode::TOO_LARGE},
        {"depth 10000", deep, ErrorCode::BAD_REQUEST, ErrorCode::BAD_REQUEST},
        {"trailing bytes", hex("80c0"), ErrorCode::BAD_REQUEST, ErrorCode::BAD_REQUEST},
        {"ext", hex("d40102"), ErrorCode::BAD_REQUEST, ErrorCode::BAD_REQUEST},
        {"reserved byte", hex("c1"), ErrorCode::BAD_REQUEST, ErrorCode::BAD_REQUEST},
        {"truncated map", hex("82a161"), ErrorCode::BAD_REQUEST, ErrorCode::BAD_REQUEST},
        {"empty", Bytes{}, ErrorCode::BAD_REQUEST, ErrorCode::BAD_REQUEST},
    };
}

TEST(MsgpackDocumentTest, HostileInputIsRefusedByTheFullParse) {
    for (const auto& hostile : hostile_cases()) {
        auto result = MsgpackDocument::parse(hostile.bytes);
        ASSERT_FALSE(result.has_value()) << hostile.name;
        EXPECT_EQ(result.error().code, hostile.parse_code) << hostile.name;
    }
}

TEST(MsgpackDocumentTest, HostileInputIsRefusedByMsgpackLimitsAlone) {
    for (const auto& hostile : hostile_cases()) {
        auto result = unpack_within_limits(hostile.bytes);
        ASSERT_FALSE(result.has_value()) << hostile.name;
        EXPECT_EQ(result.error().code, hostile.unpack_code) << hostile.name;
    }
}

TEST(MsgpackDocumentTest, PreScanAndMsgpackAgreeOnRandomAndMutatedInput) {
    // Differential check: the scan must never accept what msgpack-c refuses
    // (a gap in the first line) nor refuse what msgpack-c accepts.
    std::mt19937_64 random(7);
    const Bytes valid = hex("83a3626967dc0003c0c3cd0102a3737472a568656c6c6fa362696ec40401020304");
    for (int round = 0; round < 4000; ++round) {
        Bytes bytes;
        if (round % 2 == 0) {
            bytes = testing::random_bytes(random, random() % 64);
        } else {
            bytes = valid;
            for (int flips = 1 + random() % 3; flips > 0; --flips) {
                bytes[random() % bytes.size()] = static_cast<std::uint8_t>(random());
            }
        }
        auto parsed = MsgpackDocument::parse(bytes);
        auto unpacked = unpack_within_limits(bytes);
        ASSERT_EQ(parsed.has_value(), unpacked.has_value()) << to_hex(bytes);
    }
}

}  // namespace
}  // namespace imgshare
