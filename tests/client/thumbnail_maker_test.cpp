#include "client/thumbnail_maker.h"

#include <png.h>
#include <turbojpeg.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "common/crypto/thumbnail_box.h"
#include "common/file_io.h"

namespace imgshare::client {
namespace {

// A smooth RGB picture of `width` x `height` (so that JPEG compresses it as a photo).
Bytes gradient_pixels(std::uint32_t width, std::uint32_t height) {
    Bytes pixels(std::size_t{width} * height * 3);
    for (std::uint32_t y = 0; y < height; ++y)
        for (std::uint32_t x = 0; x < width; ++x) {
            auto* p = pixels.data() + (std::size_t{y} * width + x) * 3;
            p[0] = static_cast<std::uint8_t>(x * 255 / width);
            p[1] = static_cast<std::uint8_t>(y * 255 / height);
            p[2] = 128;
        }
    return pixels;
}

Bytes png_of(std::uint32_t width, std::uint32_t height, const Bytes& pixels) {
    png_image image{};
    image.version = PNG_IMAGE_VERSION;
    image.width = width;
    image.height = height;
    image.format = PNG_FORMAT_RGB;
    png_alloc_size_t size = 0;
    EXPECT_NE(png_image_write_to_memory(&image, nullptr, &size, 0, pixels.data(), 0, nullptr), 0);
    Bytes png(size);
    EXPECT_NE(png_image_write_to_memory(&image, png.data(), &size, 0, pixels.data(), 0, nullptr),
              0);
    png.resize(size);
    return png;
}

Bytes jpeg_of(std::uint32_t width, std::uint32_t height, const Bytes& pixels) {
    tjhandle handle = tjInitCompress();
    unsigned char* buffer = nullptr;
    unsigned long size = 0;
    EXPECT_EQ(tjCompress2(handle, pixels.data(), static_cast<int>(width), 0,
                          static_cast<int>(height), TJPF_RGB, &buffer, &size, TJSAMP_420, 90, 0),
              0);
    Bytes jpeg(buffer, buffer + size);
    tjFree(buffer);
    tjDestroy(handle);
    return jpeg;
}

// The width and height a JPEG declares; {0, 0} if it does not decode.
std::pair<int, int> jpeg_size(const Bytes& jpeg) {
    tjhandle handle = tjInitDecompress();
    int width = 0, height = 0, subsampling = 0, colorspace = 0;
    if (tjDecompressHeader3(handle, jpeg.data(), jpeg.size(), &width, &height, &subsampling,
                            &colorspace) != 0) {
        width = height = 0;
    }
    tjDestroy(handle);
    return {width, height};
}

// The CRC a PNG chunk ends with (PNG spec, annex D) over its type and data: here the IHDR,
// bytes 12..28 of a PNG.
std::uint32_t png_crc_of_ihdr(const Bytes& png) {
    std::uint32_t crc = 0xffffffffu;
    for (std::size_t i = 12; i < 29; ++i) {
        crc ^= png[i];
        for (int bit = 0; bit < 8; ++bit)
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    return crc ^ 0xffffffffu;
}

TEST(ThumbnailMakerTest, APngIsScaledToItsLongerSide) {
    auto thumbnail = make_thumbnail_from(png_of(1000, 500, gradient_pixels(1000, 500)),
                                         "image/png");
    ASSERT_TRUE(thumbnail.has_value()) << thumbnail.error().message;
    EXPECT_EQ(jpeg_size(*thumbnail), (std::pair{320, 160}));
    EXPECT_LE(thumbnail->size(), kMaxThumbnailBytes);
}

TEST(ThumbnailMakerTest, AJpegIsScaledToItsLongerSide) {
    auto thumbnail = make_thumbnail_from(jpeg_of(1200, 2400, gradient_pixels(1200, 2400)),
                                         "image/jpeg");
    ASSERT_TRUE(thumbnail.has_value()) << thumbnail.error().message;
    EXPECT_EQ(jpeg_size(*thumbnail), (std::pair{160, 320}));
}

TEST(ThumbnailMakerTest, ASmallImageKeepsItsSize) {
    auto thumbnail = make_thumbnail_from(png_of(100, 40, gradient_pixels(100, 40)), "image/png");
    ASSERT_TRUE(thumbnail.has_value()) << thumbnail.error().message;
    EXPECT_EQ(jpeg_size(*thumbnail), (std::pair{100, 40}));
}

TEST(ThumbnailMakerTest, NoiseStillFitsTheBox) {
    // Random pixels (the gallery benchmark's images) are the worst case for JPEG.
    std::mt19937 random(7);
    Bytes noise(320 * 320 * 3);
    for (auto& byte : noise)
        byte = static_cast<std::uint8_t>(random());
    auto thumbnail = make_thumbnail_from(png_of(320, 320, noise), "image/png");
    ASSERT_TRUE(thumbnail.has_value()) << thumbnail.error().message;
    EXPECT_LE(thumbnail->size(), kMaxThumbnailBytes);
}

TEST(ThumbnailMakerTest, UndecodableBytesAreBadRequest) {
    // What the crash test posts: a PNG signature followed by random bytes.
    Bytes broken = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    std::mt19937 random(3);
    for (int i = 0; i < 4000; ++i)
        broken.push_back(static_cast<std::uint8_t>(random()));
    EXPECT_EQ(make_thumbnail_from(broken, "image/png").error().code, ErrorCode::BAD_REQUEST);
    Bytes not_jpeg = broken;
    not_jpeg[0] = 0xff, not_jpeg[1] = 0xd8, not_jpeg[2] = 0xff;
    EXPECT_EQ(make_thumbnail_from(not_jpeg, "image/jpeg").error().code, ErrorCode::BAD_REQUEST);
    EXPECT_EQ(make_thumbnail_from(Bytes{}, "image/png").error().code, ErrorCode::BAD_REQUEST);
    // A truncated PNG: its header is fine, its pixels are not all there.
    auto png = png_of(200, 200, gradient_pixels(200, 200));
    png.resize(png.size() / 2);
    EXPECT_EQ(make_thumbnail_from(png, "image/png").error().code, ErrorCode::BAD_REQUEST);
}

TEST(ThumbnailMakerTest, GifAndWebpGetNone) {
    auto png = png_of(10, 10, gradient_pixels(10, 10));
    EXPECT_EQ(make_thumbnail_from(png, "image/gif").error().code, ErrorCode::BAD_REQUEST);
    EXPECT_EQ(make_thumbnail_from(png, "image/webp").error().code, ErrorCode::BAD_REQUEST);
}

TEST(ThumbnailMakerTest, APixelBombIsRefusedFromItsHeader) {
    // A PNG whose header declares 20000 x 20000 pixels (1.2 GB of RGB): refused before any
    // pixel is decoded. The header of a real small PNG, with the size changed and the
    // IHDR's CRC made again.
    auto png = png_of(16, 16, gradient_pixels(16, 16));
    auto put32 = [&](std::size_t at, std::uint32_t value) {
        for (int i = 0; i < 4; ++i)
            png[at + i] = static_cast<std::uint8_t>(value >> (24 - 8 * i));
    };
    put32(16, 20000);
    put32(20, 20000);
    put32(29, png_crc_of_ihdr(png));
    EXPECT_EQ(make_thumbnail_from(png, "image/png").error().code, ErrorCode::TOO_LARGE);
}

TEST(ThumbnailMakerTest, ALargeFileIsNotRead) {
    auto dir = std::filesystem::temp_directory_path() /
               ("thumbnail-maker-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    auto big = dir / "big.png";
    { std::ofstream(big) << "x"; }
    std::filesystem::resize_file(big, kMaxThumbnailSourceBytes + 1);  // sparse: no disk used
    EXPECT_EQ(make_thumbnail(big, "image/png").error().code, ErrorCode::TOO_LARGE);
    EXPECT_EQ(make_thumbnail(dir / "missing.png", "image/png").error().code, ErrorCode::IO_ERROR);
    auto small = dir / "small.png";
    ASSERT_TRUE(write_file_atomically(small, png_of(640, 480, gradient_pixels(640, 480)),
                                      std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
    auto thumbnail = make_thumbnail(small, "image/png");
    ASSERT_TRUE(thumbnail.has_value()) << thumbnail.error().message;
    EXPECT_EQ(jpeg_size(*thumbnail), (std::pair{320, 240}));
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace imgshare::client
