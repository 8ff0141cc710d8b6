#include "common/image_name.h"

#include <gtest/gtest.h>

#include <string>

namespace imgshare {
namespace {

TEST(ImageNameTest, AcceptsOrdinaryNames) {
    for (const char* name : {"cat", "Cat_2.png", "a", "holiday-2026.v2", "x_y"}) {
        EXPECT_TRUE(check_image_name(name).has_value()) << name;
    }
    EXPECT_TRUE(check_image_name(std::string(128, 'a')).has_value());
}

TEST(ImageNameTest, RefusesPathsControlCharactersAndLongNames) {
    std::string with_nul("cat\0png", 7);
    for (std::string name :
         {std::string("../../etc/passwd"), std::string("/etc/passwd"), std::string(".."),
          std::string("."), std::string(".hidden"), std::string("-rf"), std::string("a/b"),
          std::string("a b"), std::string("tab\there"), std::string("new\nline"), with_nul,
          std::string(""), std::string(129, 'a'), std::string(10000, 'x'),
          std::string("caf\xc3\xa9")}) {
        auto result = check_image_name(name);
        ASSERT_FALSE(result.has_value()) << name;
        EXPECT_EQ(result.error().code, ErrorCode::BAD_REQUEST);
    }
}

TEST(ImageNameTest, ErrorMessageDoesNotEchoControlBytes) {
    auto result = check_image_name(std::string("bad\x1b[31m", 8));
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().message.find('\x1b'), std::string::npos);
}

TEST(ImageNameTest, DerivesAValidNameFromAFileName) {
    EXPECT_EQ(image_name_from_file_name("/home/alice/My cat (1).png"), "My_cat_1");
    EXPECT_EQ(image_name_from_file_name("photo.jpeg"), "photo");
    EXPECT_EQ(image_name_from_file_name(".png"), "png");
    EXPECT_EQ(image_name_from_file_name("???"), "image");
    for (auto file : {"../../x.png", "a b c.gif", "\x01\x02.webp", "---.png"}) {
        EXPECT_TRUE(check_image_name(image_name_from_file_name(file)).has_value()) << file;
    }
}

}  // namespace
}  // namespace imgshare
