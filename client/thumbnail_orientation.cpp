// Turning a thumbnail upright (thumbnail_decoders.h): the EXIF orientations 2..8 applied to
// decoded RGB pixels, the output being a new buffer of the same size (5..8 swap the sides).
//
// On the pixels, after shrinking, rather than TurboJPEG's lossless tjTransform on the
// source: tjTransform works on whole DCT blocks (an image whose sides are not multiples of
// the block size loses its edge, or the transform is refused) and writes a second
// full-size JPEG; turning at most 320x320 pixels costs microseconds and is exact.
#include "client/thumbnail_decoders.h"

namespace imgshare::client::thumbnail {

RgbImage upright(RgbImage image, int orientation) {
    if (orientation < 2 || orientation > 8) return image;
    const std::uint32_t w = image.width, h = image.height;
    const bool swapped = orientation >= 5;
    RgbImage out{swapped ? h : w, swapped ? w : h, Bytes(image.pixels.size())};
    for (std::uint32_t y = 0; y < out.height; ++y) {
        for (std::uint32_t x = 0; x < out.width; ++x) {
            // The stored pixel shown at (x, y) once upright.
            std::uint32_t sx = x, sy = y;
            switch (orientation) {
                case 2:  // mirrored left to right
                    sx = w - 1 - x;
                    break;
                case 3:  // turned 180
                    sx = w - 1 - x, sy = h - 1 - y;
                    break;
                case 4:  // mirrored top to bottom
                    sy = h - 1 - y;
                    break;
                case 5:  // transposed
                    sx = y, sy = x;
                    break;
                case 6:  // shown turned 90 clockwise
                    sx = y, sy = h - 1 - x;
                    break;
                case 7:  // transversed
                    sx = w - 1 - y, sy = h - 1 - x;
                    break;
                case 8:  // shown turned 90 counter-clockwise
                    sx = w - 1 - y, sy = x;
                    break;
            }
            const auto* from = image.pixels.data() + (std::size_t{sy} * w + sx) * 3;
            auto* to = out.pixels.data() + (std::size_t{y} * out.width + x) * 3;
            to[0] = from[0], to[1] = from[1], to[2] = from[2];
        }
    }
    return out;
}

}  // namespace imgshare::client::thumbnail
