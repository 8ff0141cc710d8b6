// WebP for the thumbnail maker (thumbnail_decoders.h): libwebp decodes straight to the
// thumbnail's size (its scaler runs row by row), into our own buffer, after the header's
// pixel count passed kMaxLossyWebpSourcePixels (lossy, no alpha: rows at a time) or
// kMaxWebpSourcePixels (lossless or with alpha, which libwebp holds whole). An animation is
// BAD_REQUEST (WebPDecode does not decode one): the post goes on without a thumbnail.
// Transparency is laid over white, as for PNG and GIF.
#include <webp/decode.h>

#include <algorithm>

#include <fmt/format.h>

#include "client/thumbnail_decoders.h"
#include "client/thumbnail_maker.h"

namespace imgshare::client::thumbnail {

Result<RgbImage> decode_webp(ByteView webp) {
    WebPDecoderConfig config;
    if (!WebPInitDecoderConfig(&config)) {
        return fail(ErrorCode::INTERNAL, "libwebp does not match the version built against");
    }
    if (WebPGetFeatures(webp.data(), webp.size(), &config.input) != VP8_STATUS_OK) {
        return undecodable("WebP", "its header does not parse");
    }
    const WebPBitstreamFeatures& features = config.input;
    const auto width = static_cast<std::uint32_t>(std::max(features.width, 0));
    const auto height = static_cast<std::uint32_t>(std::max(features.height, 0));
    const bool lossy_opaque = features.format == 1 && !features.has_alpha;
    if (std::uint64_t{width} * height >
        (lossy_opaque ? kMaxLossyWebpSourcePixels : kMaxWebpSourcePixels)) {
        return too_many_pixels("WebP", width, height);
    }
    if (features.has_animation) {
        return fail(ErrorCode::BAD_REQUEST, "an animated WebP gets no thumbnail");
    }
    if (width == 0 || height == 0) return undecodable("WebP", "it is empty");

    const std::uint32_t longer = std::max(width, height);
    RgbImage image{scaled_side(width, longer), scaled_side(height, longer), {}};
    // Premultiplied RGBA in memory we own: libwebp allocates no output buffer (nothing of
    // it to free), and premultiplied colour over white is c + (255 - alpha).
    Bytes rgba(std::size_t{image.width} * image.height * 4);
    config.options.use_scaling = image.width != width || image.height != height;
    config.options.scaled_width = static_cast<int>(image.width);
    config.options.scaled_height = static_cast<int>(image.height);
    config.output.colorspace = MODE_rgbA;
    config.output.is_external_memory = 1;
    config.output.u.RGBA.rgba = rgba.data();
    config.output.u.RGBA.stride = static_cast<int>(image.width * 4);
    config.output.u.RGBA.size = rgba.size();
    if (auto status = WebPDecode(webp.data(), webp.size(), &config); status != VP8_STATUS_OK) {
        return undecodable("WebP", fmt::format("libwebp status {}", static_cast<int>(status)));
    }
    image.pixels.resize(std::size_t{image.width} * image.height * 3);
    for (std::size_t i = 0, o = 0; i < rgba.size(); i += 4, o += 3) {
        const int clear = 255 - rgba[i + 3];
        for (int c = 0; c < 3; ++c)
            image.pixels[o + c] = static_cast<std::uint8_t>(std::min(255, rgba[i + c] + clear));
    }
    return image;
}

}  // namespace imgshare::client::thumbnail
