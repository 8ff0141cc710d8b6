#include "client/thumbnail_maker.h"

#include <gif_lib.h>
#include <png.h>
#include <turbojpeg.h>
#include <webp/decode.h>
#include <webp/encode.h>

#include <gtest/gtest.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <memory>
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

// A thumbnail decoded back to RGB, to look at its pixels.
struct DecodedJpeg {
    int width = 0;
    int height = 0;
    Bytes rgb;
};

DecodedJpeg decoded_jpeg(const Bytes& jpeg) {
    DecodedJpeg out;
    tjhandle handle = tjInitDecompress();
    int subsampling = 0, colorspace = 0;
    if (tjDecompressHeader3(handle, jpeg.data(), jpeg.size(), &out.width, &out.height, &subsampling,
                            &colorspace) == 0) {
        out.rgb.resize(std::size_t(out.width) * out.height * 3);
        if (tjDecompress2(handle, jpeg.data(), jpeg.size(), out.rgb.data(), out.width, 0,
                          out.height, TJPF_RGB, 0) != 0) {
            out = {};
        }
    }
    tjDestroy(handle);
    return out;
}

using Rgb = std::array<int, 3>;
constexpr Rgb kRed{255, 0, 0}, kGreen{0, 255, 0}, kBlue{0, 0, 255}, kBlack{0, 0, 0},
    kWhite{255, 255, 255};

// Whether the pixel at (x, y) is `expected`, within what JPEG's loss allows.
::testing::AssertionResult colour_at(const DecodedJpeg& image, int x, int y, Rgb expected) {
    if (x >= image.width || y >= image.height) {
        return ::testing::AssertionFailure()
               << "(" << x << ", " << y << ") is outside " << image.width << "x" << image.height;
    }
    const auto* p = image.rgb.data() + (std::size_t(y) * image.width + x) * 3;
    for (int c = 0; c < 3; ++c) {
        if (std::abs(p[c] - expected[c]) > 60) {
            return ::testing::AssertionFailure()
                   << "(" << x << ", " << y << ") is (" << int(p[0]) << ", " << int(p[1]) << ", "
                   << int(p[2]) << "), not (" << expected[0] << ", " << expected[1] << ", "
                   << expected[2] << ")";
        }
    }
    return ::testing::AssertionSuccess();
}

// `width` x `height` RGB pixels of one colour, then painted by `paint(x, y)` -> Rgb.
template <typename Paint>
Bytes painted(std::uint32_t width, std::uint32_t height, Paint paint) {
    Bytes pixels(std::size_t{width} * height * 3);
    for (std::uint32_t y = 0; y < height; ++y)
        for (std::uint32_t x = 0; x < width; ++x) {
            Rgb colour = paint(x, y);
            for (int c = 0; c < 3; ++c)
                pixels[(std::size_t{y} * width + x) * 3 + c] = static_cast<std::uint8_t>(colour[c]);
        }
    return pixels;
}

// --- EXIF orientation ---

// The upright picture of the orientation tests: 64 x 32, one colour a quadrant, so that
// each of the eight orientations puts a different colour in its top left corner or changes
// its shape.
constexpr std::uint32_t kUprightWidth = 64, kUprightHeight = 32;
Rgb upright_colour(std::uint32_t x, std::uint32_t y) {
    const bool right = x >= kUprightWidth / 2, bottom = y >= kUprightHeight / 2;
    return bottom ? (right ? kBlack : kBlue) : (right ? kGreen : kRed);
}

// The pixels a camera stores for the upright picture with EXIF orientation `orientation`,
// from the EXIF specification's words: where the stored 0th row and 0th column are shown.
// Returns {width, height, pixels}.
struct StoredImage {
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    Bytes pixels;
};
StoredImage stored_for(int orientation) {
    enum Side { kTop, kBottom, kLeft, kRight };
    //                          1      2      3        4        5      6       7       8
    constexpr Side kRowSide[] = {kTop, kTop, kBottom, kBottom, kLeft, kRight, kRight, kLeft};
    constexpr Side kColumnSide[] = {kLeft, kRight, kRight, kLeft, kTop, kTop, kBottom, kBottom};
    const Side row_side = kRowSide[orientation - 1], column_side = kColumnSide[orientation - 1];
    const bool turned = orientation >= 5;
    StoredImage stored{
        turned ? kUprightHeight : kUprightWidth, turned ? kUprightWidth : kUprightHeight, {}};
    stored.pixels = painted(stored.width, stored.height, [&](std::uint32_t sx, std::uint32_t sy) {
        std::uint32_t ux = 0, uy = 0;
        switch (row_side) {  // the stored row sy is the upright row or column it shows as
            case kTop:
                uy = sy;
                break;
            case kBottom:
                uy = kUprightHeight - 1 - sy;
                break;
            case kLeft:
                ux = sy;
                break;
            case kRight:
                ux = kUprightWidth - 1 - sy;
                break;
        }
        switch (column_side) {
            case kLeft:
                ux = sx;
                break;
            case kRight:
                ux = kUprightWidth - 1 - sx;
                break;
            case kTop:
                uy = sx;
                break;
            case kBottom:
                uy = kUprightHeight - 1 - sx;
                break;
        }
        return upright_colour(ux, uy);
    });
    return stored;
}

// A TIFF structure (the body of an Exif APP1 segment) with one IFD holding the entries
// given as {tag, type, count, value-or-offset}, little endian ("II") or big endian ("MM").
struct IfdEntry {
    std::uint16_t tag = 0;
    std::uint16_t type = 0;
    std::uint32_t count = 0;
    std::uint32_t value = 0;  // one SHORT sits in the field's first two bytes
};
Bytes tiff_with(std::initializer_list<IfdEntry> entries, bool big_endian = false,
                std::uint32_t ifd_offset = 8) {
    Bytes tiff;
    auto put16 = [&](std::uint16_t v) {
        const auto high = std::uint8_t(v >> 8), low = std::uint8_t(v);
        tiff.push_back(big_endian ? high : low);
        tiff.push_back(big_endian ? low : high);
    };
    auto put32 = [&](std::uint32_t v) {
        put16(std::uint16_t(big_endian ? v >> 16 : v));
        put16(std::uint16_t(big_endian ? v : v >> 16));
    };
    tiff.push_back(big_endian ? 'M' : 'I');
    tiff.push_back(big_endian ? 'M' : 'I');
    put16(42);
    put32(ifd_offset);
    put16(static_cast<std::uint16_t>(entries.size()));
    for (const auto& entry : entries) {
        put16(entry.tag);
        put16(entry.type);
        put32(entry.count);
        if (entry.type == 3 && entry.count == 1) {
            put16(std::uint16_t(entry.value));
            put16(0);
        } else {
            put32(entry.value);
        }
    }
    put32(0);  // no IFD 1
    return tiff;
}

Bytes tiff_with_orientation(int orientation, bool big_endian = false) {
    return tiff_with({{0x0112, 3, 1, std::uint32_t(orientation)}}, big_endian);
}

// `jpeg` with an APP1 "Exif" segment holding `tiff` right after its SOI marker.
Bytes with_exif(const Bytes& jpeg, const Bytes& tiff) {
    Bytes segment = {0xff, 0xe1, 0, 0, 'E', 'x', 'i', 'f', 0, 0};
    segment.insert(segment.end(), tiff.begin(), tiff.end());
    const std::size_t length = segment.size() - 2;  // the length counts itself, not the marker
    segment[2] = std::uint8_t(length >> 8), segment[3] = std::uint8_t(length);
    Bytes out(jpeg.begin(), jpeg.begin() + 2);
    out.insert(out.end(), segment.begin(), segment.end());
    out.insert(out.end(), jpeg.begin() + 2, jpeg.end());
    return out;
}

// The thumbnail of `image` decoded back to RGB; none (0 x 0) and a failure if it has none.
DecodedJpeg thumbnail_pixels(const Bytes& image, std::string_view content_type) {
    auto thumbnail = make_thumbnail_from(image, content_type);
    EXPECT_TRUE(thumbnail.has_value()) << thumbnail.error().message;
    return thumbnail ? decoded_jpeg(*thumbnail) : DecodedJpeg{};
}

// The thumbnail of the stored picture for `orientation`, with `tiff` as its EXIF.
DecodedJpeg thumbnail_of_stored(int orientation, const Bytes& tiff) {
    auto stored = stored_for(orientation);
    return thumbnail_pixels(with_exif(jpeg_of(stored.width, stored.height, stored.pixels), tiff),
                            "image/jpeg");
}

// Whether `image` is the upright picture (its four quadrants' colours at their centres).
void expect_upright(const DecodedJpeg& image) {
    ASSERT_EQ(image.width, int(kUprightWidth));
    ASSERT_EQ(image.height, int(kUprightHeight));
    EXPECT_TRUE(colour_at(image, 16, 8, kRed));
    EXPECT_TRUE(colour_at(image, 48, 8, kGreen));
    EXPECT_TRUE(colour_at(image, 16, 24, kBlue));
    EXPECT_TRUE(colour_at(image, 48, 24, kBlack));
}

// Whether `image` is the stored picture for `orientation` as it is, not turned.
void expect_as_stored(const DecodedJpeg& image, int orientation) {
    auto stored = stored_for(orientation);
    ASSERT_EQ(image.width, int(stored.width));
    ASSERT_EQ(image.height, int(stored.height));
    for (auto [x, y] : {std::pair{0.25, 0.25}, {0.75, 0.25}, {0.25, 0.75}, {0.75, 0.75}}) {
        const auto sx = std::uint32_t(x * stored.width), sy = std::uint32_t(y * stored.height);
        const auto* p = stored.pixels.data() + (std::size_t{sy} * stored.width + sx) * 3;
        EXPECT_TRUE(colour_at(image, int(sx), int(sy), Rgb{p[0], p[1], p[2]}));
    }
}

// --- GIF ---

struct GifFrame {
    int left = 0;
    int top = 0;
    int width = 0;
    int height = 0;
    std::vector<std::uint8_t> indices;  // row after row, top to bottom
    bool interlaced = false;
};

int gif_append(GifFileType* gif, const GifByteType* bytes, int count) {
    auto* out = static_cast<Bytes*>(gif->UserData);
    out->insert(out->end(), bytes, bytes + count);
    return count;
}

// A GIF of a `width` x `height` screen with a 4-colour global palette (red, blue, green,
// black), `frames` in order, palette index `transparent` transparent in the first (-1: none).
Bytes gif_of(int width, int height, const std::vector<GifFrame>& frames, int transparent = -1) {
    Bytes out;
    int error = 0;
    GifFileType* gif = EGifOpen(&out, gif_append, &error);
    EXPECT_NE(gif, nullptr);
    if (!gif) return out;
    const GifColorType colours[4] = {{255, 0, 0}, {0, 0, 255}, {0, 255, 0}, {0, 0, 0}};
    std::unique_ptr<ColorMapObject, void (*)(ColorMapObject*)> palette(GifMakeMapObject(4, colours),
                                                                       GifFreeMapObject);
    EGifSetGifVersion(gif, true);
    EXPECT_EQ(EGifPutScreenDesc(gif, width, height, 8, 0, palette.get()), GIF_OK);
    bool first = true;
    for (const auto& frame : frames) {
        if (first && transparent >= 0) {
            GraphicsControlBlock control{};
            control.TransparentColor = transparent;
            GifByteType extension[4];
            auto length = EGifGCBToExtension(&control, extension);
            EXPECT_EQ(EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, int(length), extension),
                      GIF_OK);
        }
        first = false;
        EXPECT_EQ(EGifPutImageDesc(gif, frame.left, frame.top, frame.width, frame.height,
                                   frame.interlaced, nullptr),
                  GIF_OK);
        std::vector<int> rows;
        if (frame.interlaced) {
            for (auto [start, step] : {std::pair{0, 8}, {4, 8}, {2, 4}, {1, 2}})
                for (int y = start; y < frame.height; y += step)
                    rows.push_back(y);
        } else {
            for (int y = 0; y < frame.height; ++y)
                rows.push_back(y);
        }
        for (int y : rows) {
            auto line = frame.indices;  // EGifPutLine takes a non-const row
            EXPECT_EQ(EGifPutLine(gif, line.data() + std::size_t(y) * frame.width, frame.width),
                      GIF_OK);
        }
    }
    EXPECT_EQ(EGifCloseFile(gif, &error), GIF_OK);
    return out;
}

// A full-screen frame of `width` x `height` whose pixels are `index(x, y)`.
template <typename Index>
GifFrame gif_frame(int width, int height, Index index, bool interlaced = false) {
    GifFrame frame{0, 0, width, height, {}, interlaced};
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x)
            frame.indices.push_back(static_cast<std::uint8_t>(index(x, y)));
    return frame;
}

// --- WebP ---

Bytes webp_of(std::uint32_t width, std::uint32_t height, const Bytes& rgb) {
    std::uint8_t* output = nullptr;
    auto size = WebPEncodeRGB(rgb.data(), int(width), int(height), int(width * 3), 90, &output);
    EXPECT_GT(size, 0u);
    Bytes webp(output, output + size);
    WebPFree(output);
    return webp;
}

Bytes lossless_webp_of(std::uint32_t width, std::uint32_t height, const Bytes& rgba) {
    std::uint8_t* output = nullptr;
    auto size =
        WebPEncodeLosslessRGBA(rgba.data(), int(width), int(height), int(width * 4), &output);
    EXPECT_GT(size, 0u);
    Bytes webp(output, output + size);
    WebPFree(output);
    return webp;
}

void put_le(Bytes& bytes, std::size_t at, std::uint32_t value, int count) {
    for (int i = 0; i < count; ++i)
        bytes[at + i] = std::uint8_t(value >> (8 * i));
}

// A RIFF chunk: fourcc, little-endian size, payload, padded to an even size.
Bytes riff_chunk(std::string_view fourcc, const Bytes& payload) {
    Bytes chunk(fourcc.begin(), fourcc.end());
    chunk.resize(8);
    put_le(chunk, 4, std::uint32_t(payload.size()), 4);
    chunk.insert(chunk.end(), payload.begin(), payload.end());
    if (payload.size() % 2) chunk.push_back(0);
    return chunk;
}

// An animated WebP of one frame (the frame is `still`, a simple lossy WebP): RIFF with a
// VP8X chunk whose animation flag is set, an ANIM chunk and one ANMF chunk (WebP container
// specification).
Bytes animated_webp_of(std::uint32_t width, std::uint32_t height, const Bytes& still) {
    Bytes vp8x(10, 0);
    vp8x[0] = 0x02;  // animation
    put_le(vp8x, 4, width - 1, 3);
    put_le(vp8x, 7, height - 1, 3);
    Bytes anim(6, 0);   // background colour, loop count 0
    Bytes anmf(16, 0);  // x/2 = y/2 = 0
    put_le(anmf, 6, width - 1, 3);
    put_le(anmf, 9, height - 1, 3);
    put_le(anmf, 12, 100, 3);                                  // duration, ms
    anmf.insert(anmf.end(), still.begin() + 12, still.end());  // the still's VP8 chunk
    Bytes body = {'W', 'E', 'B', 'P'};
    for (const auto& chunk :
         {riff_chunk("VP8X", vp8x), riff_chunk("ANIM", anim), riff_chunk("ANMF", anmf)}) {
        body.insert(body.end(), chunk.begin(), chunk.end());
    }
    return riff_chunk("RIFF", body);
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

TEST(ThumbnailMakerTest, BytesOfAnotherTypeAreBadRequest) {
    auto png = png_of(10, 10, gradient_pixels(10, 10));
    EXPECT_EQ(make_thumbnail_from(png, "image/gif").error().code, ErrorCode::BAD_REQUEST);
    EXPECT_EQ(make_thumbnail_from(png, "image/webp").error().code, ErrorCode::BAD_REQUEST);
    EXPECT_EQ(make_thumbnail_from(png, "image/bmp").error().code, ErrorCode::BAD_REQUEST);
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
    auto gif = dir / "small.gif";
    ASSERT_TRUE(write_file_atomically(
        gif, gif_of(40, 20, {gif_frame(40, 20, [](int, int) { return 2; })}),
        std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
    thumbnail = make_thumbnail(gif, "image/gif");
    ASSERT_TRUE(thumbnail.has_value()) << thumbnail.error().message;
    EXPECT_EQ(jpeg_size(*thumbnail), (std::pair{40, 20}));
    std::filesystem::remove_all(dir);
}

TEST(ThumbnailMakerTest, EachExifOrientationIsTurnedUpright) {
    for (int orientation = 1; orientation <= 8; ++orientation) {
        SCOPED_TRACE("orientation " + std::to_string(orientation));
        auto thumbnail = thumbnail_of_stored(orientation, tiff_with_orientation(orientation));
        expect_upright(thumbnail);
    }
}

TEST(ThumbnailMakerTest, ABigEndianExifIsReadToo) {
    expect_upright(thumbnail_of_stored(6, tiff_with_orientation(6, true)));
    expect_upright(thumbnail_of_stored(3, tiff_with_orientation(3, true)));
}

TEST(ThumbnailMakerTest, AScaledPhotoIsTurnedUpright) {
    // A 1200 x 600 picture stored on its side (orientation 8: turned 90 counter-clockwise
    // to be shown): the thumbnail is 320 x 160, upright.
    auto stored = painted(600, 1200, [](std::uint32_t x, std::uint32_t y) {
        // Orientation 8's stored 0th row is the visual left side: the stored top half is
        // the left half shown upright.
        (void)x;
        return y < 600 ? kRed : kBlue;
    });
    auto jpeg = with_exif(jpeg_of(600, 1200, stored), tiff_with_orientation(8));
    auto image = thumbnail_pixels(jpeg, "image/jpeg");
    ASSERT_EQ(std::pair(image.width, image.height), (std::pair{320, 160}));
    EXPECT_TRUE(colour_at(image, 40, 80, kRed));
    EXPECT_TRUE(colour_at(image, 280, 80, kBlue));
}

TEST(ThumbnailMakerTest, MalformedExifIsOrientationOne) {
    // Each claims orientation 6 in a way that cannot be read: the picture is left as stored.
    auto good = tiff_with_orientation(6);
    Bytes truncated_ifd(good.begin(), good.begin() + 16);        // the entry cut after 6 bytes
    auto huge_count = tiff_with({{0x0112, 3, 0x7fffffff, 6}});   // 4 GiB of SHORTs
    auto huger_count = tiff_with({{0x0112, 3, 0xffffffff, 6}});  // its size overflows 32 bits
    auto offset_past_end = tiff_with({{0x0112, 3, 1, 6}}, false, 0xfff0);
    auto no_ifd = Bytes(good.begin(), good.begin() + 8);
    auto long_type = tiff_with({{0x0112, 4, 1, 6}});  // LONG, not SHORT
    auto out_of_range = tiff_with({{0x0112, 3, 1, 9}});
    auto zero = tiff_with({{0x0112, 3, 1, 0}});
    auto not_tiff = Bytes{'X', 'X', 42, 0, 8, 0, 0, 0};
    int which = 0;
    for (const auto& tiff : {truncated_ifd, huge_count, huger_count, offset_past_end, no_ifd,
                             long_type, out_of_range, zero, not_tiff, Bytes{}}) {
        SCOPED_TRACE("malformed EXIF " + std::to_string(which++));
        expect_as_stored(thumbnail_of_stored(6, tiff), 6);
    }
}

TEST(ThumbnailMakerTest, AnOrientationInIfdOneIsNotThePictures) {
    // IFD 0 without entries, then IFD 1 (the embedded thumbnail's) with orientation 6.
    Bytes tiff = {'I', 'I', 42,   0,    8, 0, 0, 0,        // header, IFD 0 at 8
                  0,   0,   14,   0,    0, 0,              // IFD 0: no entries, IFD 1 at 14
                  1,   0,   0x12, 0x01, 3, 0, 1, 0, 0, 0,  // IFD 1: one entry, Orientation SHORT
                  6,   0,   0,    0,    0, 0, 0, 0};       // = 6; no next IFD
    expect_as_stored(thumbnail_of_stored(6, tiff), 6);
}

TEST(ThumbnailMakerTest, AnExifSegmentWithAnImpossibleLengthIsIgnored) {
    // An APP1 whose length runs past the file: TurboJPEG refuses the file, libexif reads
    // nothing past it; no crash either way.
    auto stored = stored_for(6);
    auto jpeg =
        with_exif(jpeg_of(stored.width, stored.height, stored.pixels), tiff_with_orientation(6));
    jpeg[4] = 0xff, jpeg[5] = 0xff;
    Bytes cut(jpeg.begin(), jpeg.begin() + 40);
    for (const auto& bytes : {jpeg, cut}) {
        auto thumbnail = make_thumbnail_from(bytes, "image/jpeg");
        if (!thumbnail) {
            EXPECT_EQ(thumbnail.error().code, ErrorCode::BAD_REQUEST);
        }
    }
}

TEST(ThumbnailMakerTest, AGifIsScaledToItsLongerSide) {
    auto gif = gif_of(640, 320, {gif_frame(640, 320, [](int x, int) { return x < 320 ? 0 : 1; })});
    auto image = thumbnail_pixels(gif, "image/gif");
    ASSERT_EQ(std::pair(image.width, image.height), (std::pair{320, 160}));
    EXPECT_TRUE(colour_at(image, 80, 80, kRed));
    EXPECT_TRUE(colour_at(image, 240, 80, kBlue));
}

// The 43-byte GIF89a that web pages use as a spacer (one transparent pixel): written by
// another encoder than this test's, and the GIF seed of fuzz_thumbnail.
TEST(ThumbnailMakerTest, TheClassicOnePixelGifGetsAOnePixelThumbnail) {
    const Bytes gif = {'G',  'I',  'F',  '8',  '9',  'a',  0x01, 0x00, 0x01, 0x00, 0x80,
                       0x00, 0x00, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x21, 0xf9, 0x04,
                       0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x01,
                       0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b};
    auto thumbnail = make_thumbnail_from(gif, "image/gif");
    ASSERT_TRUE(thumbnail) << thumbnail.error().message;
    EXPECT_EQ(jpeg_size(*thumbnail), (std::pair{1, 1}));
}

TEST(ThumbnailMakerTest, AnInterlacedGifIsPutInRowOrder) {
    // Top half red, bottom half blue, its rows stored in the four interlaced passes.
    auto gif = gif_of(128, 128,
                      {gif_frame(
                          128, 128, [](int, int y) { return y < 64 ? 0 : 1; }, true)});
    auto image = thumbnail_pixels(gif, "image/gif");
    ASSERT_EQ(std::pair(image.width, image.height), (std::pair{128, 128}));
    for (int y : {8, 24, 40, 56})
        EXPECT_TRUE(colour_at(image, 64, y, kRed)) << y;
    for (int y : {72, 88, 104, 120})
        EXPECT_TRUE(colour_at(image, 64, y, kBlue)) << y;
}

TEST(ThumbnailMakerTest, AGifsFirstFrameIsShownOverWhite) {
    // A 64 x 32 screen; the first frame covers its left half: red, then transparent (index 3,
    // black in the palette); the second frame (blue, everywhere) is not the thumbnail's.
    GifFrame first = gif_frame(32, 32, [](int x, int) { return x < 16 ? 0 : 3; });
    GifFrame second = gif_frame(64, 32, [](int, int) { return 1; });
    auto gif = gif_of(64, 32, {first, second}, 3);
    auto image = thumbnail_pixels(gif, "image/gif");
    ASSERT_EQ(std::pair(image.width, image.height), (std::pair{64, 32}));
    EXPECT_TRUE(colour_at(image, 8, 16, kRed));
    EXPECT_TRUE(colour_at(image, 24, 16, kWhite));  // transparent
    EXPECT_TRUE(colour_at(image, 48, 16, kWhite));  // not covered by the first frame
}

TEST(ThumbnailMakerTest, AGifFrameLargerThanItsScreenIsTheCanvas) {
    // As browsers show it: a 48 x 24 frame at (8, 8) on a 16 x 16 screen is shown whole.
    GifFrame frame = gif_frame(48, 24, [](int x, int) { return x < 24 ? 2 : 1; });
    frame.left = frame.top = 8;
    auto image = thumbnail_pixels(gif_of(16, 16, {frame}), "image/gif");
    ASSERT_EQ(std::pair(image.width, image.height), (std::pair{48, 24}));
    EXPECT_TRUE(colour_at(image, 8, 12, kGreen));
    EXPECT_TRUE(colour_at(image, 40, 12, kBlue));
}

TEST(ThumbnailMakerTest, AGifPixelBombIsRefusedFromItsHeader) {
    auto gif = gif_of(16, 16, {gif_frame(16, 16, [](int x, int) { return x % 2; })});
    // The logical screen (bytes 6..9) made 65535 x 65535: refused on opening.
    auto big_screen = gif;
    put_le(big_screen, 6, 65535, 2);
    put_le(big_screen, 8, 65535, 2);
    EXPECT_EQ(make_thumbnail_from(big_screen, "image/gif").error().code, ErrorCode::TOO_LARGE);
    // The first frame's descriptor (after the 13-byte header and the 4-colour palette, a
    // GIF89 control block: none here) made 60000 x 60000: refused before a row is decoded
    // (decoding would find its data short: BAD_REQUEST).
    auto big_frame = gif;
    ASSERT_EQ(big_frame[13 + 12], ',');
    put_le(big_frame, 13 + 12 + 5, 60000, 2);
    put_le(big_frame, 13 + 12 + 7, 60000, 2);
    EXPECT_EQ(make_thumbnail_from(big_frame, "image/gif").error().code, ErrorCode::TOO_LARGE);
}

TEST(ThumbnailMakerTest, ATruncatedGifIsBadRequest) {
    std::mt19937 random(11);
    auto gif = gif_of(200, 200, {gif_frame(200, 200, [&](int, int) { return random() % 4; })});
    for (std::size_t size : {gif.size() / 2, std::size_t{40}, std::size_t{10}, std::size_t{0}}) {
        Bytes cut(gif.begin(), gif.begin() + static_cast<long>(size));
        EXPECT_EQ(make_thumbnail_from(cut, "image/gif").error().code, ErrorCode::BAD_REQUEST)
            << size;
    }
    // A GIF with a screen and no image.
    auto no_image = gif_of(16, 16, {});
    EXPECT_EQ(make_thumbnail_from(no_image, "image/gif").error().code, ErrorCode::BAD_REQUEST);
}

TEST(ThumbnailMakerTest, AWebpIsScaledToItsLongerSide) {
    auto rgb =
        painted(640, 320, [](std::uint32_t x, std::uint32_t) { return x < 320 ? kRed : kBlue; });
    auto image = thumbnail_pixels(webp_of(640, 320, rgb), "image/webp");
    ASSERT_EQ(std::pair(image.width, image.height), (std::pair{320, 160}));
    EXPECT_TRUE(colour_at(image, 80, 80, kRed));
    EXPECT_TRUE(colour_at(image, 240, 80, kBlue));
}

TEST(ThumbnailMakerTest, ALosslessWebpWithAlphaIsShownOverWhite) {
    // 100 x 50: a green left half, a transparent right half (black where transparent).
    Bytes rgba(100 * 50 * 4);
    for (std::size_t i = 0; i < 100 * 50; ++i) {
        const bool left = i % 100 < 50;
        rgba[i * 4 + 1] = left ? 255 : 0;
        rgba[i * 4 + 3] = left ? 255 : 0;
    }
    auto image = thumbnail_pixels(lossless_webp_of(100, 50, rgba), "image/webp");
    ASSERT_EQ(std::pair(image.width, image.height), (std::pair{100, 50}));
    EXPECT_TRUE(colour_at(image, 20, 25, kGreen));
    EXPECT_TRUE(colour_at(image, 80, 25, kWhite));
}

TEST(ThumbnailMakerTest, AWebpPixelBombIsRefusedFromItsHeader) {
    // A lossy WebP ("VP8 " chunk) whose frame header says 16383 x 16383 (268 Mpx).
    auto lossy = webp_of(16, 16, gradient_pixels(16, 16));
    ASSERT_EQ(std::string(lossy.begin() + 12, lossy.begin() + 16), "VP8 ");
    ASSERT_EQ(lossy[23], 0x9d);  // the key frame's start code, then 14-bit width and height
    put_le(lossy, 26, 16383, 2);
    put_le(lossy, 28, 16383, 2);
    EXPECT_EQ(make_thumbnail_from(lossy, "image/webp").error().code, ErrorCode::TOO_LARGE);
    // A lossless one ("VP8L") of 4000 x 4000 (16 Mpx, past the lossless bound).
    auto lossless = lossless_webp_of(16, 16, Bytes(16 * 16 * 4, 200));
    ASSERT_EQ(std::string(lossless.begin() + 12, lossless.begin() + 16), "VP8L");
    ASSERT_EQ(lossless[20], 0x2f);
    std::uint32_t bits =
        lossless[21] | lossless[22] << 8 | lossless[23] << 16 | std::uint32_t(lossless[24]) << 24;
    bits = (bits & 0xf0000000u) | (3999u << 14) | 3999u;
    put_le(lossless, 21, bits, 4);
    EXPECT_EQ(make_thumbnail_from(lossless, "image/webp").error().code, ErrorCode::TOO_LARGE);
}

TEST(ThumbnailMakerTest, ATruncatedWebpIsBadRequest) {
    std::mt19937 random(5);
    Bytes noise(200 * 200 * 3);
    for (auto& byte : noise)
        byte = static_cast<std::uint8_t>(random());
    for (const auto& webp :
         {webp_of(200, 200, noise), lossless_webp_of(100, 100, Bytes(40000, 7))}) {
        for (std::size_t size :
             {webp.size() / 2, std::size_t{30}, std::size_t{12}, std::size_t{0}}) {
            Bytes cut(webp.begin(), webp.begin() + static_cast<long>(size));
            EXPECT_EQ(make_thumbnail_from(cut, "image/webp").error().code, ErrorCode::BAD_REQUEST)
                << size;
        }
    }
}

TEST(ThumbnailMakerTest, AnAnimatedWebpGetsNone) {
    auto still = webp_of(32, 32, gradient_pixels(32, 32));
    ASSERT_TRUE(make_thumbnail_from(still, "image/webp").has_value());
    auto animated = animated_webp_of(32, 32, still);
    WebPBitstreamFeatures features{};
    ASSERT_EQ(WebPGetFeatures(animated.data(), animated.size(), &features), VP8_STATUS_OK);
    ASSERT_TRUE(features.has_animation);  // a well-formed animation, refused for being one
    auto thumbnail = make_thumbnail_from(animated, "image/webp");
    ASSERT_FALSE(thumbnail.has_value());
    EXPECT_EQ(thumbnail.error().code, ErrorCode::BAD_REQUEST);
    EXPECT_NE(thumbnail.error().message.find("animated"), std::string::npos)
        << thumbnail.error().message;
}

}  // namespace
}  // namespace imgshare::client
