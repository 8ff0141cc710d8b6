#include "client/thumbnail_maker.h"

#include <png.h>
#include <sys/stat.h>
#include <turbojpeg.h>

#include <algorithm>
#include <memory>

#include <fmt/format.h>

#include "common/crypto/thumbnail_box.h"
#include "common/file_io.h"

namespace imgshare::client {
namespace {

// Decoded pixels, 3 bytes (R, G, B) each, row after row.
struct RgbImage {
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    Bytes pixels;
};

struct TurboJpegCloser {
    void operator()(void* handle) const { tjDestroy(handle); }
};
using TurboJpegHandle = std::unique_ptr<void, TurboJpegCloser>;

struct TurboJpegBuffer {
    void operator()(unsigned char* buffer) const { tjFree(buffer); }
};

std::unexpected<Error> undecodable(std::string_view kind, std::string_view why) {
    return fail(ErrorCode::BAD_REQUEST, fmt::format("the {} does not decode: {}", kind, why));
}

// The side `side` becomes when the longer side `longer` is brought to kThumbnailSide.
std::uint32_t scaled_side(std::uint32_t side, std::uint32_t longer) {
    if (longer <= kThumbnailSide) return side;
    auto scaled = (std::uint64_t{side} * kThumbnailSide + longer / 2) / longer;
    return static_cast<std::uint32_t>(std::max<std::uint64_t>(1, scaled));
}

// The largest reduction TurboJPEG offers that keeps the longer side at kThumbnailSide or
// more, so that the box filter below always shrinks (never enlarges) what was decoded.
tjscalingfactor jpeg_scale(std::uint32_t longer) {
    int count = 0;
    const tjscalingfactor* factors = tjGetScalingFactors(&count);
    tjscalingfactor best{1, 1};
    for (int i = 0; factors && i < count; ++i) {
        const auto& factor = factors[i];
        if (factor.num > factor.denom) continue;  // enlargements
        auto side = TJSCALED(static_cast<int>(longer), factor);
        bool smaller = factor.num * best.denom < best.num * factor.denom;
        if (side >= static_cast<int>(std::min(longer, kThumbnailSide)) && smaller) best = factor;
    }
    return best;
}

Result<RgbImage> decode_jpeg(ByteView jpeg) {
    TurboJpegHandle handle(tjInitDecompress());
    if (!handle) return fail(ErrorCode::INTERNAL, "TurboJPEG did not start");
    int width = 0, height = 0, subsampling = 0, colorspace = 0;
    // TurboJPEG's API takes non-const buffers it does not write.
    auto* source = const_cast<unsigned char*>(jpeg.data());
    if (tjDecompressHeader3(handle.get(), source, jpeg.size(), &width, &height, &subsampling,
                            &colorspace) != 0 ||
        width <= 0 || height <= 0) {
        return undecodable("JPEG", tjGetErrorStr2(handle.get()));
    }
    if (std::uint64_t{static_cast<std::uint32_t>(width)} * static_cast<std::uint32_t>(height) >
        kMaxJpegSourcePixels) {
        return fail(ErrorCode::TOO_LARGE,
                    fmt::format("a JPEG of {}x{} pixels is too large for a thumbnail", width,
                                height));
    }
    auto factor = jpeg_scale(static_cast<std::uint32_t>(std::max(width, height)));
    RgbImage image{static_cast<std::uint32_t>(TJSCALED(width, factor)),
                   static_cast<std::uint32_t>(TJSCALED(height, factor)),
                   {}};
    image.pixels.resize(std::size_t{image.width} * image.height * 3);
    if (tjDecompress2(handle.get(), source, jpeg.size(), image.pixels.data(),
                      static_cast<int>(image.width), 0, static_cast<int>(image.height), TJPF_RGB,
                      TJFLAG_FASTDCT) != 0 &&
        tjGetErrorCode(handle.get()) == TJERR_FATAL) {
        return undecodable("JPEG", tjGetErrorStr2(handle.get()));
    }
    return image;
}

Result<RgbImage> decode_png(ByteView png) {
    png_image header{};
    header.version = PNG_IMAGE_VERSION;
    // The simplified API frees its state on every failure and on finish_read.
    struct Freer {
        png_image& image;
        ~Freer() { png_image_free(&image); }
    } freer{header};
    if (png_image_begin_read_from_memory(&header, png.data(), png.size()) == 0) {
        return undecodable("PNG", header.message);
    }
    if (std::uint64_t{header.width} * header.height > kMaxPngSourcePixels) {
        return fail(ErrorCode::TOO_LARGE,
                    fmt::format("a PNG of {}x{} pixels is too large for a thumbnail", header.width,
                                header.height));
    }
    header.format = PNG_FORMAT_RGB;  // transparency over white, below
    RgbImage image{header.width, header.height, {}};
    image.pixels.resize(PNG_IMAGE_SIZE(header));
    png_color white{255, 255, 255};
    if (png_image_finish_read(&header, &white, image.pixels.data(), 0, nullptr) == 0) {
        return undecodable("PNG", header.message);
    }
    return image;
}

// Area average (box filter) down to the thumbnail's size: every source pixel counts once.
RgbImage shrink(const RgbImage& source) {
    const std::uint32_t longer = std::max(source.width, source.height);
    RgbImage out{scaled_side(source.width, longer), scaled_side(source.height, longer), {}};
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
    TurboJpegHandle handle(tjInitCompress());
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

}  // namespace

Result<Bytes> make_thumbnail_from(ByteView image, std::string_view content_type) {
    Result<RgbImage> decoded = content_type == "image/jpeg" ? decode_jpeg(image)
                               : content_type == "image/png"
                                   ? decode_png(image)
                                   : fail(ErrorCode::BAD_REQUEST,
                                          fmt::format("no thumbnail for {}", content_type));
    if (!decoded) return std::unexpected(decoded.error());
    return encode_jpeg(shrink(*decoded));
}

Result<Bytes> make_thumbnail(const std::filesystem::path& file, std::string_view content_type) {
    if (content_type != "image/jpeg" && content_type != "image/png") {
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
