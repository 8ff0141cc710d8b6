// Making an image's thumbnail for posting (docs/CRYPTO.md, "Thumbnails"): the owner's own
// file, decoded on the owner's machine, turned upright as its EXIF orientation says (JPEG),
// scaled so that its longer side is at most kThumbnailSide pixels, encoded as a baseline
// JPEG that fits a thumbnail box (common/crypto/thumbnail_box.h).
//
// Decoders (client/thumbnail_decoders.h): libjpeg-turbo's TurboJPEG API for JPEG (it decodes
// at 1/2, 1/4 or 1/8 scale in the DCT, so a large photo costs a fraction of a full decode)
// and for encoding the thumbnail, libexif for a JPEG's Orientation tag; libpng's simplified
// API for PNG; giflib for GIF (the first frame); libwebp for WebP (decoded directly at
// thumbnail size; an animated WebP gets no thumbnail). No setjmp in our code.
//
// Promises: bounds are checked before decoding: the file's size (kMaxThumbnailSourceBytes)
// and the pixel count its header declares (kMaxJpegSourcePixels, kMaxPngSourcePixels,
// kMaxGifSourcePixels, kMaxWebpSourcePixels, kMaxLossyWebpSourcePixels), so a
// decompression bomb costs a header read. Anything that does not decode is a value
// (BAD_REQUEST, TOO_LARGE, IO_ERROR), never a crash: a post goes on without a thumbnail.
// A malformed EXIF block is orientation 1, not a failure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string_view>

#include "common/bytes.h"
#include "common/error.h"

namespace imgshare::client {

inline constexpr std::uint32_t kThumbnailSide = 320;
inline constexpr int kThumbnailQuality = 80;
// The source is read into memory whole (every decoder reads from memory); larger files get
// no thumbnail, so a 200 MiB post costs one stat() here.
inline constexpr std::uint64_t kMaxThumbnailSourceBytes = 32u * 1024 * 1024;
// JPEG decodes at up to 1/8 scale: 100 Mpx cost at most ~5 MiB of RGB at the scale used.
inline constexpr std::uint64_t kMaxJpegSourcePixels = 100'000'000;
// PNG decodes at full size, 3 bytes a pixel: 8 Mpx is 24 MiB for a moment.
inline constexpr std::uint64_t kMaxPngSourcePixels = 8'000'000;
// GIF: the canvas at 3 bytes a pixel, and the first frame's rows decoded one at a time.
inline constexpr std::uint64_t kMaxGifSourcePixels = 8'000'000;
// WebP decodes straight to thumbnail size, but libwebp keeps a lossless image (4 bytes a
// pixel) or an alpha plane (1 byte a pixel) whole while decoding: 8 Mpx is 32 MiB at most.
inline constexpr std::uint64_t kMaxWebpSourcePixels = 8'000'000;
// A lossy WebP without alpha decodes a few rows at a time: its bound is time, as JPEG's.
inline constexpr std::uint64_t kMaxLossyWebpSourcePixels = 100'000'000;

// The thumbnail of `file`, a JPEG of at most kMaxThumbnailBytes whose longer side is
// min(kThumbnailSide, the image's). `content_type` is the type the post found from the
// file's first bytes (image_type.h). BAD_REQUEST: not a JPEG, PNG, GIF or WebP, an animated
// WebP, or it does not decode; TOO_LARGE: past a bound above, or no quality fits the box;
// IO_ERROR: unreadable.
[[nodiscard]] Result<Bytes> make_thumbnail(const std::filesystem::path& file,
                                           std::string_view content_type);

// The same from bytes in memory (tests, and the decoder of make_thumbnail).
[[nodiscard]] Result<Bytes> make_thumbnail_from(ByteView image, std::string_view content_type);

}  // namespace imgshare::client
