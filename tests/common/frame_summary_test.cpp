#include "common/frame_summary.h"

#include <sodium.h>

#include <gtest/gtest.h>

#include <limits>
#include <random>

#include "tests/common/expected_digests.h"
#include "tests/common/msgpack_builder.h"

namespace imgshare {
namespace {

using testing::expected_sampled_sha256;
using testing::expected_short_sha256;
using testing::MsgpackBuilder;

LogJson undecodable(ByteView frame) {
    if (frame.size() > 16 * 1024) {
        return LogJson{{"undecodable", true},
                       {"len", frame.size()},
                       {"sampled_sha256", expected_sampled_sha256(frame)}};
    }
    return LogJson{
        {"undecodable", true}, {"len", frame.size()}, {"sha256", expected_short_sha256(frame)}};
}

TEST(FrameSummaryTest, ScalarsAppearAsThemselves) {
    // One map entry per line.
    // clang-format off
    Bytes frame = MsgpackBuilder()
                      .map(6)
                      .str("name").str("cat.png")
                      .str("index").uint(18446744073709551615ull)
                      .str("delta").sint(-5)
                      .str("final").boolean(true)
                      .str("none").nil()
                      .str("ratio").real(0.5)
                      .bytes();
    // clang-format on
    LogJson expected =
        LogJson::parse(R"({"name":"cat.png","index":18446744073709551615,"delta":-5,"final":true,)"
                       R"("none":null,"ratio":0.5})");
    EXPECT_EQ(summarize_msgpack_frame(frame), expected);
}

TEST(FrameSummaryTest, BinaryIsLengthAndShortDigestOnly) {
    Bytes key(32);
    randombytes_buf(key.data(), key.size());
    Bytes frame = MsgpackBuilder().map(1).str("wrapped_key").bin(key).bytes();
    LogJson summary = summarize_msgpack_frame(frame);
    EXPECT_EQ(summary["wrapped_key"],
              (LogJson{{"len", 32}, {"sha256", expected_short_sha256(key)}}));
    EXPECT_EQ(summary.dump().find(to_hex(key).substr(0, 16)), std::string::npos);
}

TEST(FrameSummaryTest, ArraysAndMapsNest) {
    // One map entry per line.
    // clang-format off
    Bytes frame = MsgpackBuilder()
                      .map(1)
                      .str("recipients").array(2)
                          .map(1).str("user").str("bob")
                          .map(1).str("user").str("carol")
                      .bytes();
    // clang-format on
    EXPECT_EQ(summarize_msgpack_frame(frame),
              LogJson::parse(R"({"recipients":[{"user":"bob"},{"user":"carol"}]})"));
}

TEST(FrameSummaryTest, SecretNamedFieldsAreRedactedWhateverTheirType) {
    Bytes secret(32, 0x42);
    // One map entry per line.
    // clang-format off
    Bytes frame = MsgpackBuilder()
                      .map(7)
                      .str("secret_key").str("hunter2")
                      .str("Private_Key").bin(secret)
                      .str("content_key").bin(secret)
                      .str("PASSPHRASE").array(1).str("hunter2")
                      .str("new_password").uint(1234)
                      .str("seed").bin(secret)
                      .str("sealed_key").bin(secret)
                      .bytes();
    // clang-format on
    LogJson summary = summarize_msgpack_frame(frame);
    for (const char* name :
         {"secret_key", "Private_Key", "content_key", "PASSPHRASE", "new_password", "seed"}) {
        EXPECT_EQ(summary[name], "[redacted]") << name;
    }
    // A sealed box is public ciphertext: shown, as binary.
    EXPECT_EQ(summary["sealed_key"]["len"], 32);
    EXPECT_EQ(summary.dump().find("hunter2"), std::string::npos);
}

// Keys are remembered per thread (64 slots): many names, hashing to the same
// slots and coming back, must each be shown as themselves and a secret one
// redacted every time, whichever name held its slot before.
TEST(FrameSummaryTest, RememberedKeysAreShownAndRedactedAsTheFirstTime) {
    for (int round = 0; round < 3; ++round) {
        for (int i = 0; i < 500; ++i) {
            bool secret = i % 7 == 0;
            std::string name = (secret ? "user_secret_" : "field_") + std::to_string(i);
            if (i % 50 == 0) name = std::string(80, 'k') + name;  // too long to be remembered
            Bytes frame = MsgpackBuilder().map(2).str(name).str("v").str("n").uint(1).bytes();
            std::string text;
            append_msgpack_frame_summary(text, frame);
            std::string value = secret ? R"("[redacted]")" : R"("v")";
            ASSERT_EQ(text, "{\"" + name + "\":" + value + ",\"n\":1}") << round << " " << i;
        }
    }
}

TEST(FrameSummaryTest, SecretNameMatching) {
    EXPECT_TRUE(is_secret_field_name("secret"));
    EXPECT_TRUE(is_secret_field_name("box_secret_key"));
    EXPECT_TRUE(is_secret_field_name("PrivateKey"));
    EXPECT_TRUE(is_secret_field_name("keystore_passphrase"));
    EXPECT_TRUE(is_secret_field_name("content_key"));
    EXPECT_FALSE(is_secret_field_name("key"));
    EXPECT_FALSE(is_secret_field_name("wrapped_key"));
    EXPECT_FALSE(is_secret_field_name("sealed_key"));
    EXPECT_FALSE(is_secret_field_name("sign_pk"));
    EXPECT_FALSE(is_secret_field_name("key_commitment"));
    // Any case, anywhere in a name of any length.
    EXPECT_TRUE(is_secret_field_name("CONTENT_KEY"));
    EXPECT_TRUE(is_secret_field_name(std::string(63, 'x') + "sEcReT"));
    EXPECT_TRUE(is_secret_field_name(std::string(5000, 'y') + "PASSWD"));
    EXPECT_FALSE(is_secret_field_name(std::string(5000, 'y') + "PASSWOD"));
    EXPECT_FALSE(is_secret_field_name(""));
}

TEST(FrameSummaryTest, LongStringsAreCutWithALengthMarker) {
    std::string long_text(1000, 'x');
    Bytes frame = MsgpackBuilder().map(1).str("message").str(long_text).bytes();
    std::string shown = summarize_msgpack_frame(frame)["message"];
    EXPECT_EQ(shown, std::string(256, 'x') + "...[truncated, 1000 bytes]");
}

TEST(FrameSummaryTest, NonStringKeysAreShownAsJsonText) {
    Bytes frame = MsgpackBuilder().map(2).uint(5).str("five").boolean(false).nil().bytes();
    EXPECT_EQ(summarize_msgpack_frame(frame), LogJson::parse(R"({"5":"five","false":null})"));
}

TEST(FrameSummaryTest, ARepeatedKeyKeepsItsFirstPlaceAndTakesTheLastValue) {
    Bytes frame =
        MsgpackBuilder().map(3).str("a").uint(1).str("b").uint(2).str("a").uint(3).bytes();
    std::string text;
    append_msgpack_frame_summary(text, frame);
    EXPECT_EQ(text, R"({"a":3,"b":2})");
}

TEST(FrameSummaryTest, TextIsJsonWhateverTheStringsHold) {
    // Invalid UTF-8 (a stray continuation, a truncated sequence, an overlong
    // form, a surrogate), control characters, quotes and backslashes, in keys
    // and values, and floats JSON cannot hold.
    std::string hostile = "ok \xc3\xa9 \x80 \xe2\x82 \xc0\xaf \xed\xa0\x80 \x01\n\"\\ end";
    Bytes frame = MsgpackBuilder()
                      .map(3)
                      .str(hostile)
                      .str(hostile)
                      .str("nan")
                      .real(std::numeric_limits<double>::quiet_NaN())
                      .str("inf")
                      .real(std::numeric_limits<double>::infinity())
                      .bytes();
    std::string text;
    append_msgpack_frame_summary(text, frame);
    ASSERT_TRUE(LogJson::accept(text)) << text;
    LogJson summary = LogJson::parse(text);
    std::string shown = "ok \xc3\xa9 \xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd "
                        "\xef\xbf\xbd\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd "
                        "\x01\n\"\\ end";
    EXPECT_EQ(summary[shown], shown);
    EXPECT_TRUE(summary["nan"].is_null());
    EXPECT_TRUE(summary["inf"].is_null());
}

TEST(FrameSummaryTest, HeaderLiftsTypeAndIdAndHidesAPlainVersion) {
    auto header_text = [](const Bytes& frame) {
        std::string text = "{";
        append_header_summary(text, frame);
        text.push_back('}');
        EXPECT_TRUE(LogJson::accept(text)) << text;
        return text;
    };
    EXPECT_EQ(header_text(MsgpackBuilder()
                              .map(3)
                              .str("v")
                              .uint(1)
                              .str("type")
                              .str("LIST")
                              .str("id")
                              .uint(7)
                              .bytes()),
              R"({"type":"LIST","id":7})");
    EXPECT_EQ(header_text(MsgpackBuilder()
                              .map(3)
                              .str("v")
                              .uint(1)
                              .str("type")
                              .str("LIST")
                              .str("user")
                              .str("alice")
                              .bytes()),
              R"({"type":"LIST","id":null,"header":{"v":1,"user":"alice"}})");
    EXPECT_EQ(header_text(MsgpackBuilder().array(1).uint(1).bytes()),
              R"({"type":null,"id":null,"header":[1]})");
    EXPECT_EQ(header_text(MsgpackBuilder().map(1).str("v").uint(2).bytes()),
              R"({"type":null,"id":null,"header":{"v":2}})");
}

TEST(FrameSummaryTest, ManyValuesAreElidedBeyondTheBudget) {
    MsgpackBuilder builder;
    builder.array(1000);
    for (int i = 0; i < 1000; ++i) {
        builder.array(10);
        for (int j = 0; j < 10; ++j)
            builder.str("0123456789");
    }
    LogJson summary = summarize_msgpack_frame(builder.bytes());
    std::string text = summary.dump();
    EXPECT_NE(text.find("[elided]"), std::string::npos);
    EXPECT_LT(text.size(), 100'000u);
    EXPECT_EQ(summary[0][0], "0123456789");
}

TEST(FrameSummaryTest, NestingUpToTheDepthLimitDecodes) {
    MsgpackBuilder builder;
    for (int i = 0; i < 8; ++i)
        builder.array(1);
    builder.uint(1);
    LogJson summary = summarize_msgpack_frame(builder.bytes());
    EXPECT_FALSE(summary.is_object()) << summary.dump();
    EXPECT_EQ(summary.dump(), "[[[[[[[[1]]]]]]]]");
}

TEST(FrameSummaryTest, HostileFramesAreUndecodable) {
    std::vector<Bytes> frames = {
        {},                              // empty
        {0xdd, 0xff, 0xff, 0xff, 0xff},  // array of 2^32-1 elements, 5 bytes
        {0xdf, 0xff, 0xff, 0xff, 0xff},  // map of 2^32-1 entries
        {0xdb, 0x00, 0x10, 0x00, 0x01},  // str longer than the limit, no body
        {0xc6, 0x7f, 0xff, 0xff, 0xff},  // bin of 2 GiB announced
        {0xc1},                          // never-used type byte
        {0x92, 0x01},                    // truncated array
        {0x01, 0x02},                    // trailing bytes after a value
    };
    MsgpackBuilder too_deep;
    for (int i = 0; i < 9; ++i)
        too_deep.array(1);
    too_deep.uint(1);
    frames.push_back(too_deep.bytes());
    frames.push_back(MsgpackBuilder().array(1025).bytes());  // over the array limit
    frames.push_back(MsgpackBuilder().map(65).bytes());      // over the map limit
    frames.push_back(MsgpackBuilder().str(std::string(4097, 'a')).bytes());
    frames.push_back(MsgpackBuilder().bin(Bytes(2 * 1024 * 1024 + 1)).bytes());
    frames.push_back(MsgpackBuilder().ext(1, Bytes{1, 2, 3}).bytes());  // ext not allowed
    for (const Bytes& frame : frames) {
        LogJson summary;
        EXPECT_NO_THROW(summary = summarize_msgpack_frame(frame));
        EXPECT_EQ(summary, undecodable(frame))
            << to_hex(ByteView(frame).first(std::min<size_t>(frame.size(), 16)));
    }
}

TEST(FrameSummaryTest, LimitsStillAdmitTheProtocolsLargestValues) {
    Bytes chunk(2 * 1024 * 1024);
    Bytes frame = MsgpackBuilder().map(1).str("bytes").bin(chunk).bytes();
    EXPECT_EQ(summarize_msgpack_frame(frame)["bytes"]["len"], chunk.size());
}

TEST(FrameSummaryTest, RandomBytesNeverThrowAndAlwaysDump) {
    std::mt19937 random(12345);
    for (int round = 0; round < 2000; ++round) {
        Bytes frame(random() % 64);
        for (auto& byte : frame)
            byte = static_cast<std::uint8_t>(random());
        LogJson summary;
        ASSERT_NO_THROW(summary = summarize_msgpack_frame(frame));
        ASSERT_NO_THROW((void)summary.dump(-1, ' ', false, LogJson::error_handler_t::replace));
    }
}

}  // namespace
}  // namespace imgshare
