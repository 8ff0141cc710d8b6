#include "common/json_text.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <random>
#include <string>

namespace imgshare {
namespace {

std::string json_string(std::string_view text) {
    std::string out;
    append_json_string(out, text);
    return out;
}

TEST(JsonTextTest, PlainTextIsQuotedAsItIs) {
    EXPECT_EQ(json_string(""), R"("")");
    EXPECT_EQ(json_string("cat.png by alice"), R"("cat.png by alice")");
    EXPECT_EQ(json_string("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x88"),
              "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x88\"");
}

TEST(JsonTextTest, QuotesBackslashesAndControlCharactersAreEscaped) {
    EXPECT_EQ(json_string("a\"b\\c\nd\re\tf\bg\fh"), R"("a\"b\\c\nd\re\tf\bg\fh")");
    EXPECT_EQ(json_string(std::string_view("\x00\x01\x1f", 3)), R"("\u0000\u0001\u001f")");
}

TEST(JsonTextTest, EachByteStartingNoValidSequenceBecomesAReplacementCharacter) {
    const std::string replacement = "\xef\xbf\xbd";
    EXPECT_EQ(json_string("\x80"), "\"" + replacement + "\"");  // a stray continuation
    EXPECT_EQ(json_string("\xe2\x82"), "\"" + replacement + replacement + "\"");  // cut short
    EXPECT_EQ(json_string("\xc0\xaf"), "\"" + replacement + replacement + "\"");  // overlong
    EXPECT_EQ(json_string("\xed\xa0\x80"),
              "\"" + replacement + replacement + replacement + "\"");  // a surrogate
    EXPECT_EQ(json_string("\xf4\x90\x80\x80"),
              "\"" + replacement + replacement + replacement + replacement + "\"");  // > U+10FFFF
    EXPECT_EQ(json_string("\xff"), "\"" + replacement + "\"");
}

TEST(JsonTextTest, RandomBytesAlwaysMakeOneValidJsonString) {
    std::mt19937 random(20261202);
    for (int round = 0; round < 2000; ++round) {
        std::string text(random() % 64, '\0');
        for (char& c : text)
            c = static_cast<char>(random());
        std::string out = json_string(text);
        ASSERT_TRUE(nlohmann::json::accept(out)) << "round " << round;
        ASSERT_TRUE(nlohmann::json::parse(out).is_string()) << "round " << round;
    }
}

TEST(JsonTextTest, ShownStringsAreCutAfter256BytesWithTheirLength) {
    std::string out;
    append_shown_string(out, std::string(256, 'x'));
    EXPECT_EQ(out, "\"" + std::string(256, 'x') + "\"");
    out.clear();
    append_shown_string(out, std::string(1000, 'y'));
    EXPECT_EQ(out, "\"" + std::string(256, 'y') + "...[truncated, 1000 bytes]\"");
    EXPECT_EQ(shown_part(std::string(1000, 'y')), std::string(256, 'y'));
}

}  // namespace
}  // namespace imgshare
