// Making an image's thumbnail for posting (docs/CRYPTO.md, "Thumbnails"): the owner's own
// file, decoded on the owner's machine, scaled so that its longer side is at most
// kThumbnailSide pixels, encoded as a baseline JPEG that fits a thumbnail box
// (common/crypto/thumbnail_box.h).
//
// Decoders: libjpeg-turbo's TurboJPEG API for JPEG (it decodes at 1/2, 1/4 or 1/8 scale in
// the DCT, so a large photo costs a fraction of a full decode) and for encoding the
// thumbnail; libpng's simplified API for PNG (no setjmp in our code). GIF and WebP get no
// thumbnail (the gallery shows the full image for them).
//
// Promises: bounds are checked before decoding: the file's size (kMaxThumbnailSourceBytes)
// and the pixel count its header declares (kMaxJpegSourcePixels, kMaxPngSourcePixels), so
// a decompression bomb costs a header read. Anything that does not decode is a value
// (BAD_REQUEST, TOO_LARGE, IO_ERROR), never a crash: a post goes on without a thumbnail.
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
// The source is read into memory whole (both decoders read from memory); larger files get
// no thumbnail, so a 200 MiB post costs one stat() here.
inline constexpr std::uint64_t kMaxThumbnailSourceBytes = 32u * 1024 * 1024;
// JPEG decodes at up to 1/8 scale: 100 Mpx cost at most ~5 MiB of RGB at the scale used.
inline constexpr std::uint64_t kMaxJpegSourcePixels = 100'000'000;
// PNG decodes at full size, 3 bytes a pixel: 8 Mpx is 24 MiB for a moment.
inline constexpr std::uint64_t kMaxPngSourcePixels = 8'000'000;

// The thumbnail of `file`, a JPEG of at most kMaxThumbnailBytes whose longer side is
// min(kThumbnailSide, the image's). `content_type` is the type the post found from the
// file's first bytes (image_type.h). BAD_REQUEST: not a JPEG or PNG, or it does not decode;
// TOO_LARGE: past a bound above, or no quality fits the box; IO_ERROR: unreadable.
[[nodiscard]] Result<Bytes> make_thumbnail(const std::filesystem::path& file,
                                           std::string_view content_type);

// The same from bytes in memory (tests, and the decoder of make_thumbnail).
[[nodiscard]] Result<Bytes> make_thumbnail_from(ByteView image, std::string_view content_type);

}  // namespace imgshare::client
