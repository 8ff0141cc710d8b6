#include "client/thumbnail_maker.h"

#include <sys/stat.h>
#include <turbojpeg.h>

#include <algorithm>
#include <memory>

#include <fmt/format.h>

#include "client/thumbnail_decoders.h"
#include "common/crypto/thumbnail_box.h"
#include "common/file_io.h"

namespace imgshare::client {
namespace thumbnail {

std::unexpected<Error> undecodable(std::string_view kind, std::string_view why) {
    return fail(ErrorCode::BAD_REQUEST, fmt::format("the {} does not decode: {}", kind, why));
}

std::unexpected<Error> too_many_pixels(std::string_view kind, std::uint64_t width,
                                       std::uint64_t height) {
    return fail(
        ErrorCode::TOO_LARGE,
        fmt::format("a {} of {}x{} pixels is too large for a thumbnail", kind, width, height));
}

std::uint32_t scaled_side(std::uint32_t side, std::uint32_t longer) {
    if (longer <= kThumbnailSide) return side;
    auto scaled = (std::uint64_t{side} * kThumbnailSide + longer / 2) / longer;
    return static_cast<std::uint32_t>(std::max<std::uint64_t>(1, scaled));
}

}  // namespace thumbnail

namespace {

using thumbnail::RgbImage;

struct TurboJpegBuffer {
    void operator()(unsigned char* buffer) const { tjFree(buffer); }
};

// Area average (box filter) down to the thumbnail's size: every source pixel counts once.
RgbImage shrink(RgbImage source) {
    const std::uint32_t longer = std::max(source.width, source.height);
    RgbImage out{thumbnail::scaled_side(source.width, longer),
                 thumbnail::scaled_side(source.height, longer),
                 {}};
    if (out.width == source.width && out.height == source.height) return source;
    out.pixels.resize(std::size_t{out.width} * out.height * 3);
    for (std::uint32_t y = 0; y < out.height; ++y) {
        const std::uint64_t y0 = std::uint64_t{y} * source.height / out.height;
        const std::uint64_t y1 =
            std::max(y0 + 1, std::uint64_t{y + 1} * source.height / out.height);
        for (std::uint32_t x = 0; x < out.width; ++x) {
            const std::uint64_t x0 = std::uint64_t{x} * source.width / out.width;
            const std::uint64_t x1 =
                std::max(x0 + 1, std::uint64_t{x + 1} * source.width / out.width);
            std::uint64_t sum[3] = {0, 0, 0};
            for (std::uint64_t sy = y0; sy < y1; ++sy) {
                const std::uint8_t* row = source.pixels.data() + (sy * source.width + x0) * 3;
                for (std::uint64_t sx = x0; sx < x1; ++sx, row += 3) {
                    sum[0] += row[0];
                    sum[1] += row[1];
                    sum[2] += row[2];
                }
            }
            const std::uint64_t count = (y1 - y0) * (x1 - x0);
            std::uint8_t* pixel = out.pixels.data() + (std::size_t{y} * out.width + x) * 3;
            for (int c = 0; c < 3; ++c)
                pixel[c] = static_cast<std::uint8_t>((sum[c] + count / 2) / count);
        }
    }
    return out;
}

// A baseline JPEG of `image` that fits a thumbnail box: quality kThumbnailQuality, lower if
// the image is so busy (noise) that it does not fit.
Result<Bytes> encode_jpeg(const RgbImage& image) {
    thumbnail::TurboJpegHandle handle(tjInitCompress());
    if (!handle) return fail(ErrorCode::INTERNAL, "TurboJPEG did not start");
    for (int quality : {kThumbnailQuality, 60, 40}) {
        unsigned char* buffer = nullptr;
        unsigned long size = 0;
        int failed = tjCompress2(handle.get(), image.pixels.data(), static_cast<int>(image.width),
                                 0, static_cast<int>(image.height), TJPF_RGB, &buffer, &size,
                                 TJSAMP_420, quality, 0);
        std::unique_ptr<unsigned char, TurboJpegBuffer> owned(buffer);
        if (failed != 0) {
            return fail(ErrorCode::INTERNAL,
                        fmt::format("TurboJPEG cannot encode: {}", tjGetErrorStr2(handle.get())));
        }
        if (size <= kMaxThumbnailBytes) return Bytes(buffer, buffer + size);
    }
    return fail(ErrorCode::TOO_LARGE, "the image's thumbnail does not fit 48 KiB");
}

// The image's pixels, as its decoder gives them (larger than the thumbnail, or not).
Result<RgbImage> decode_thumbnail_source(ByteView image, std::string_view content_type) {
    if (content_type == "image/jpeg") return thumbnail::decode_jpeg(image);
    if (content_type == "image/png") return thumbnail::decode_png(image);
    if (content_type == "image/gif") return thumbnail::decode_gif(image);
    if (content_type == "image/webp") return thumbnail::decode_webp(image);
    return fail(ErrorCode::BAD_REQUEST, fmt::format("no thumbnail for {}", content_type));
}

bool has_thumbnail_decoder(std::string_view content_type) {
    return content_type == "image/jpeg" || content_type == "image/png" ||
           content_type == "image/gif" || content_type == "image/webp";
}

}  // namespace

Result<Bytes> make_thumbnail_from(ByteView image, std::string_view content_type) {
    auto decoded = decode_thumbnail_source(image, content_type);
    if (!decoded) return std::unexpected(decoded.error());
    // Browsers show a JPEG as its EXIF orientation says (image-orientation: from-image);
    // turned after shrinking, on at most 320x320 pixels (thumbnail_orientation.cpp).
    const int orientation = content_type == "image/jpeg" ? thumbnail::jpeg_orientation(image) : 1;
    return encode_jpeg(thumbnail::upright(shrink(std::move(*decoded)), orientation));
}

Result<Bytes> make_thumbnail(const std::filesystem::path& file, std::string_view content_type) {
    if (!has_thumbnail_decoder(content_type)) {
        return fail(ErrorCode::BAD_REQUEST, fmt::format("no thumbnail for {}", content_type));
    }
    // Measured first, so that a large post costs a stat() and no read.
    struct stat info {};
    if (::stat(file.c_str(), &info) != 0) {
        return fail(ErrorCode::IO_ERROR, fmt::format("cannot stat {}", file.string()));
    }
    if (static_cast<std::uint64_t>(info.st_size) > kMaxThumbnailSourceBytes) {
        return fail(ErrorCode::TOO_LARGE, "the image is too large for a thumbnail");
    }
    auto bytes = read_file(file, kMaxThumbnailSourceBytes);
    if (!bytes) return std::unexpected(bytes.error());
    return make_thumbnail_from(*bytes, content_type);
}

}  // namespace imgshare::client
