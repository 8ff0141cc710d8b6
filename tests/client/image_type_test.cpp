#include "client/image_type.h"

#include <gtest/gtest.h>

#include "common/content_type.h"
#include "tests/client/sealing_support.h"
#include "tests/common/scratch_dir.h"

namespace imgshare::client {
namespace {

Bytes bytes_of(std::string_view text) {
    return to_bytes(text);
}

TEST(ImageTypeTest, RecognisesTheFourKindsByTheirMagicBytes) {
    EXPECT_EQ(detect_image_type(Bytes{0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a, 0}),
              ImageType::Png);
    EXPECT_EQ(detect_image_type(Bytes{0xff, 0xd8, 0xff}), ImageType::Jpeg);
    EXPECT_EQ(detect_image_type(bytes_of("GIF87a...")), ImageType::Gif);
    EXPECT_EQ(detect_image_type(bytes_of("GIF89a")), ImageType::Gif);
    EXPECT_EQ(detect_image_type(bytes_of("RIFF\x10\x20\x30\x40WEBPVP8 ")), ImageType::Webp);
}

TEST(ImageTypeTest, RefusesEverythingElse) {
    EXPECT_FALSE(detect_image_type(Bytes{}));
    EXPECT_FALSE(detect_image_type(Bytes{0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a}));  // cut short
    EXPECT_FALSE(detect_image_type(Bytes{0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0b}));
    EXPECT_FALSE(detect_image_type(Bytes{0xff, 0xd8}));
    EXPECT_FALSE(detect_image_type(bytes_of("GIF88a")));
    EXPECT_FALSE(detect_image_type(bytes_of("RIFF\x10\x20\x30\x40WAVEfmt ")));  // audio
    EXPECT_FALSE(detect_image_type(bytes_of("RIFF\x10\x20\x30\x40WEB")));
    EXPECT_FALSE(detect_image_type(bytes_of("just some text, not an image\n")));
    EXPECT_FALSE(detect_image_type(bytes_of("%PDF-1.7")));
}

TEST(ImageTypeTest, ContentTypesAndExtensionsComeFromAClosedList) {
    for (auto type : {ImageType::Png, ImageType::Jpeg, ImageType::Gif, ImageType::Webp}) {
        EXPECT_EQ(image_type_of_content_type(content_type_of(type)), type);
        EXPECT_EQ(file_extension_of(type).front(), '.');
    }
    EXPECT_EQ(file_extension_of(ImageType::Jpeg), ".jpg");
    EXPECT_FALSE(image_type_of_content_type("image/svg+xml"));
    EXPECT_FALSE(image_type_of_content_type("image/png/../../x"));
    EXPECT_FALSE(image_type_of_content_type(""));
}

TEST(ImageTypeTest, TheClientsListIsTheProtocolsClosedList) {
    // What the client puts in an envelope is what every node and reader accepts, and the
    // reverse: one list (common/content_type.h), one type each.
    ASSERT_EQ(kContentTypes.size(), 4u);
    for (auto type : {ImageType::Png, ImageType::Jpeg, ImageType::Gif, ImageType::Webp}) {
        EXPECT_TRUE(is_known_content_type(content_type_of(type))) << content_type_of(type);
    }
    for (auto known : kContentTypes) {
        EXPECT_TRUE(image_type_of_content_type(known).has_value()) << known;
    }
}

TEST(ImageTypeTest, FilesAreJudgedByContentNotName) {
    testing::ScratchDir dir;
    testing::write_bytes(dir / "notes.png", bytes_of("just some text\n"));
    testing::write_bytes(dir / "photo.txt", testing::png_bytes(100));
    testing::write_bytes(dir / "empty.png", {});
    auto text = image_type_of_file(dir / "notes.png");
    ASSERT_FALSE(text);
    EXPECT_EQ(text.error().code, ErrorCode::BAD_REQUEST);
    EXPECT_EQ(image_type_of_file(dir / "photo.txt"), ImageType::Png);
    auto empty = image_type_of_file(dir / "empty.png");
    ASSERT_FALSE(empty);
    EXPECT_EQ(empty.error().code, ErrorCode::BAD_REQUEST);
    auto missing = image_type_of_file(dir / "missing.png");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, ErrorCode::IO_ERROR);
}

}  // namespace
}  // namespace imgshare::client
