// PNG for the thumbnail maker (thumbnail_decoders.h): libpng's simplified API (no setjmp in
// our code) decodes at full size as RGB over white, after the header's pixel count passed
// kMaxPngSourcePixels.
#include <png.h>

#include "client/thumbnail_decoders.h"
#include "client/thumbnail_maker.h"

namespace imgshare::client::thumbnail {

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
        return too_many_pixels("PNG", header.width, header.height);
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

}  // namespace imgshare::client::thumbnail
