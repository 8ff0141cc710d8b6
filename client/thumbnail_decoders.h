// The thumbnail maker's decoders (client/thumbnail_maker.h), one file each:
// thumbnail_decode_jpeg.cpp (TurboJPEG, and the EXIF orientation read with libexif),
// thumbnail_decode_png.cpp (libpng), thumbnail_decode_gif.cpp (giflib, the first frame),
// thumbnail_decode_webp.cpp (libwebp, decoded at thumbnail size), and
// thumbnail_orientation.cpp (turning decoded pixels upright).
//
// Each decoder promises: it checks the pixel count the header declares against its bound
// (thumbnail_maker.h) before it allocates pixels or decodes any, and it answers anything
// that does not decode with a value (BAD_REQUEST, TOO_LARGE), never a crash. What it
// returns may be larger than a thumbnail (JPEG, PNG, GIF); the maker shrinks it.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include <turbojpeg.h>

#include "common/bytes.h"
#include "common/error.h"

namespace imgshare::client::thumbnail {

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

// BAD_REQUEST: "the `kind` does not decode: `why`".
std::unexpected<Error> undecodable(std::string_view kind, std::string_view why);

// TOO_LARGE, for an image whose header declares more pixels than its decoder's bound.
std::unexpected<Error> too_many_pixels(std::string_view kind, std::uint64_t width,
                                       std::uint64_t height);

// The side `side` becomes when the longer side `longer` is brought to kThumbnailSide
// (unchanged when `longer` is at most kThumbnailSide).
std::uint32_t scaled_side(std::uint32_t side, std::uint32_t longer);

Result<RgbImage> decode_jpeg(ByteView jpeg);
Result<RgbImage> decode_png(ByteView png);
// The first frame, over white where it is transparent or does not cover the canvas.
Result<RgbImage> decode_gif(ByteView gif);
// Already at thumbnail size, over white where transparent. An animation is BAD_REQUEST.
Result<RgbImage> decode_webp(ByteView webp);

// The EXIF Orientation (1..8) of a JPEG's APP1 segment; 1 when there is none, or it is
// malformed or out of range.
int jpeg_orientation(ByteView jpeg);

// `image` turned as EXIF orientation `orientation` says the picture is shown upright
// (2..8; 1 and anything else leave it as it is).
RgbImage upright(RgbImage image, int orientation);

}  // namespace imgshare::client::thumbnail
