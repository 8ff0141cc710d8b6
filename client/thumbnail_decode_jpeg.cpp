// JPEG for the thumbnail maker (thumbnail_decoders.h): TurboJPEG decodes at the smallest
// DCT scale (1/2, 1/4, 1/8) that keeps the longer side at least kThumbnailSide, after the
// header's pixel count passed kMaxJpegSourcePixels; libexif reads the Orientation tag of
// IFD 0 (what browsers apply), and anything malformed there is orientation 1.
#include <libexif/exif-data.h>
#include <libexif/exif-utils.h>
#include <turbojpeg.h>

#include <algorithm>
#include <limits>
#include <memory>

#include "client/thumbnail_decoders.h"
#include "client/thumbnail_maker.h"

namespace imgshare::client::thumbnail {
namespace {

struct ExifDataUnref {
    void operator()(ExifData* data) const { exif_data_unref(data); }
};

// The largest reduction TurboJPEG offers that keeps the longer side at kThumbnailSide or
// more, so that the box filter after it always shrinks (never enlarges) what was decoded.
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

}  // namespace

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
        return too_many_pixels("JPEG", static_cast<std::uint32_t>(width),
                               static_cast<std::uint32_t>(height));
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

int jpeg_orientation(ByteView jpeg) {
    // libexif finds the APP1 segment itself (after SOI and other APPn) and bounds every
    // offset by the segment (at most 64 KiB); its length argument is 32-bit.
    if (jpeg.size() > std::numeric_limits<unsigned int>::max()) return 1;
    std::unique_ptr<ExifData, ExifDataUnref> exif(exif_data_new());
    if (!exif) return 1;
    // Read as it is: no entries added or "corrected" (the default follows the
    // specification, which may invent tags).
    exif_data_unset_option(exif.get(), EXIF_DATA_OPTION_FOLLOW_SPECIFICATION);
    exif_data_load_data(exif.get(), jpeg.data(), static_cast<unsigned int>(jpeg.size()));
    // IFD 0 only: IFD 1 describes the embedded thumbnail, not the picture.
    ExifEntry* entry = exif_content_get_entry(exif->ifd[EXIF_IFD_0], EXIF_TAG_ORIENTATION);
    if (!entry || entry->format != EXIF_FORMAT_SHORT || entry->components < 1 || !entry->data ||
        entry->size < 2) {
        return 1;
    }
    const int value = exif_get_short(entry->data, exif_data_get_byte_order(exif.get()));
    return value >= 1 && value <= 8 ? value : 1;
}

}  // namespace imgshare::client::thumbnail
