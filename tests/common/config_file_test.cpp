#include "common/config_file.h"

#include <gtest/gtest.h>

namespace imgshare {
namespace {

TEST(ConfigFileTest, ParsesTrimmedEntriesWithLineNumbers) {
    auto entries = parse_key_values("# comment\n\n  name =  value one  \r\nport=7400\n", "cfg");
    ASSERT_TRUE(entries.has_value()) << entries.error().message;
    ASSERT_EQ(entries->size(), 2u);
    EXPECT_EQ((*entries)[0], (ConfigEntry{"name", "value one", 3}));
    EXPECT_EQ((*entries)[1], (ConfigEntry{"port", "7400", 4}));
}

TEST(ConfigFileTest, SplitsAtTheFirstEqualsAndKeepsHashInValues) {
    // Z85 text contains '=' and '#': neither may be cut off.
    auto entries = parse_key_values("key = a=b#c # not a comment\n", "cfg");
    ASSERT_TRUE(entries.has_value());
    ASSERT_EQ(entries->size(), 1u);
    EXPECT_EQ((*entries)[0].value, "a=b#c # not a comment");
}

TEST(ConfigFileTest, EmptyValueAndLastLineWithoutNewlineAreAccepted) {
    auto entries = parse_key_values("a =\nb = 2", "cfg");
    ASSERT_TRUE(entries.has_value());
    ASSERT_EQ(entries->size(), 2u);
    EXPECT_EQ((*entries)[0].value, "");
    EXPECT_EQ((*entries)[1], (ConfigEntry{"b", "2", 2}));
}

TEST(ConfigFileTest, EmptyTextHasNoEntries) {
    auto entries = parse_key_values("", "cfg");
    ASSERT_TRUE(entries.has_value());
    EXPECT_TRUE(entries->empty());
}

TEST(ConfigFileTest, DuplicatesAreReturnedForTheCallerToJudge) {
    auto entries = parse_key_values("a = 1\na = 2\n", "cfg");
    ASSERT_TRUE(entries.has_value());
    EXPECT_EQ(entries->size(), 2u);
}

TEST(ConfigFileTest, LineWithoutEqualsIsRefusedWithSourceAndLine) {
    auto entries = parse_key_values("a = 1\n\njust some words\n", "/etc/imgshare/ca.conf");
    ASSERT_FALSE(entries.has_value());
    EXPECT_EQ(entries.error().code, ErrorCode::CONFIG);
    EXPECT_EQ(entries.error().message, "/etc/imgshare/ca.conf:3: expected 'key = value'");
}

TEST(ConfigFileTest, RefusalDoesNotEchoTheLine) {
    // Someone pasted a passphrase where a setting belongs.
    auto entries = parse_key_values("correct horse battery staple\n", "cfg");
    ASSERT_FALSE(entries.has_value());
    EXPECT_EQ(entries.error().message.find("horse"), std::string::npos);
}

TEST(ConfigFileTest, MissingKeyIsRefused) {
    auto entries = parse_key_values(" = value\n", "cfg");
    ASSERT_FALSE(entries.has_value());
    EXPECT_EQ(entries.error().code, ErrorCode::CONFIG);
    EXPECT_EQ(entries.error().message, "cfg:1: missing key before '='");
}

TEST(ConfigFileTest, KeyWithSpaceOrOddCharacterIsRefused) {
    for (const char* text : {"two words = x\n", "k$y = x\n", "k\xc3\xa9y = x\n"}) {
        auto entries = parse_key_values(text, "cfg");
        ASSERT_FALSE(entries.has_value()) << text;
        EXPECT_EQ(entries.error().code, ErrorCode::CONFIG);
        EXPECT_TRUE(entries.error().message.starts_with("cfg:1: a key may only contain"));
    }
}

TEST(ConfigFileTest, ControlCharacterIsRefused) {
    auto entries = parse_key_values(std::string_view("a = x\nb = y\0z\n", 14), "cfg");
    ASSERT_FALSE(entries.has_value());
    EXPECT_EQ(entries.error().code, ErrorCode::CONFIG);
    EXPECT_EQ(entries.error().message, "cfg:2: line contains a control character");
}

TEST(ConfigFileTest, FailAtFormatsLocation) {
    EXPECT_EQ(fail_at("f", 7, "bad").error(), (Error{ErrorCode::CONFIG, "f:7: bad"}));
    EXPECT_EQ(fail_at("f", 0, "missing").error(), (Error{ErrorCode::CONFIG, "f: missing"}));
}

}  // namespace
}  // namespace imgshare
