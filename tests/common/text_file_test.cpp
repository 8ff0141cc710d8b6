#include "common/text_file.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/common/scratch_dir.h"

namespace imgshare {
namespace {

void write_file(const std::filesystem::path& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

TEST(TextFileTest, ReadsAWholeFile) {
    testing::ScratchDir dir;
    write_file(dir / "a", "hello\nworld\n");
    auto text = read_text_file(dir / "a", 100);
    ASSERT_TRUE(text.has_value()) << text.error().message;
    EXPECT_EQ(*text, "hello\nworld\n");
}

TEST(TextFileTest, FileOfExactlyTheBoundIsAccepted) {
    testing::ScratchDir dir;
    write_file(dir / "a", std::string(40000, 'x'));
    auto text = read_text_file(dir / "a", 40000);
    ASSERT_TRUE(text.has_value());
    EXPECT_EQ(text->size(), 40000u);
}

TEST(TextFileTest, FileOverTheBoundIsRefusedNamingIt) {
    testing::ScratchDir dir;
    write_file(dir / "big", std::string(40001, 'x'));
    auto text = read_text_file(dir / "big", 40000);
    ASSERT_FALSE(text.has_value());
    EXPECT_EQ(text.error().code, ErrorCode::IO_ERROR);
    EXPECT_NE(text.error().message.find((dir / "big").string()), std::string::npos);
}

TEST(TextFileTest, EndlessDeviceIsCutAtTheBound) {
    auto text = read_text_file("/dev/zero", 1000);
    ASSERT_FALSE(text.has_value());
    EXPECT_EQ(text.error().code, ErrorCode::IO_ERROR);
}

TEST(TextFileTest, MissingFileIsAnIoErrorNamingIt) {
    testing::ScratchDir dir;
    auto text = read_text_file(dir / "nope", 100);
    ASSERT_FALSE(text.has_value());
    EXPECT_EQ(text.error().code, ErrorCode::IO_ERROR);
    EXPECT_NE(text.error().message.find("nope"), std::string::npos);
}

TEST(TextFileTest, DirectoryIsRefused) {
    testing::ScratchDir dir;
    auto text = read_text_file(dir.path(), 100);
    ASSERT_FALSE(text.has_value());
    EXPECT_EQ(text.error().code, ErrorCode::IO_ERROR);
}

}  // namespace
}  // namespace imgshare
