// Fuzz target: the thumbnail maker (client/thumbnail_maker.h), which decodes the owner's
// image file with libjpeg-turbo, libpng, giflib, libwebp and libexif before a post. The
// file is the owner's own but may come from anywhere (a download, a chat), so a crafted
// file must cost a value, never a crash, a hang or unbounded memory.
// Input: [type: u8, picks the content type the post would name: 0 JPEG, 1 PNG, 2 GIF,
// 3 WebP, anything else an unsupported type][the file's bytes].
// Properties: a thumbnail is a JPEG (FF D8 ... FF D9) of at most kMaxThumbnailBytes whose
// longer side is at most kThumbnailSide (from its own header); a refusal is BAD_REQUEST or
// TOO_LARGE, and an unsupported type always BAD_REQUEST.
#include <turbojpeg.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "client/thumbnail_maker.h"
#include "common/crypto/thumbnail_box.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using namespace imgshare;

constexpr std::array<std::string_view, 5> kThumbnailFuzzTypes = {
    "image/jpeg", "image/png", "image/gif", "image/webp", "text/html"};

void check_thumbnail_header(ByteView jpeg) {
    std::unique_ptr<void, int (*)(tjhandle)> handle(tjInitDecompress(), tjDestroy);
    fuzz::require(handle != nullptr, "TurboJPEG starts");
    int width = 0, height = 0, subsampling = 0, colorspace = 0;
    const int read = tjDecompressHeader3(handle.get(), jpeg.data(),
                                         static_cast<unsigned long>(jpeg.size()), &width,
                                         &height, &subsampling, &colorspace);
    fuzz::require(read == 0, "a thumbnail's JPEG header reads");
    fuzz::require(width > 0 && height > 0, "a thumbnail has pixels");
    fuzz::require(static_cast<std::uint32_t>(std::max(width, height)) <= client::kThumbnailSide,
                  "a thumbnail's longer side is at most kThumbnailSide");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const auto type = kThumbnailFuzzTypes[std::min<std::size_t>(data[0], 4)];
    const ByteView file(data + 1, size - 1);
    auto thumbnail = client::make_thumbnail_from(file, type);
    if (!thumbnail) {
        const auto code = thumbnail.error().code;
        fuzz::require(code == ErrorCode::BAD_REQUEST || code == ErrorCode::TOO_LARGE,
                      "a refused file is BAD_REQUEST or TOO_LARGE");
        if (type == kThumbnailFuzzTypes.back()) {
            fuzz::require(code == ErrorCode::BAD_REQUEST, "an unsupported type is BAD_REQUEST");
        }
        return 0;
    }
    fuzz::require(type != kThumbnailFuzzTypes.back(), "no thumbnail for an unsupported type");
    const Bytes& jpeg = *thumbnail;
    fuzz::require(jpeg.size() >= 4 && jpeg.size() <= kMaxThumbnailBytes,
                  "a thumbnail fits its box");
    fuzz::require(jpeg[0] == 0xFF && jpeg[1] == 0xD8 && jpeg[jpeg.size() - 2] == 0xFF &&
                      jpeg[jpeg.size() - 1] == 0xD9,
                  "a thumbnail is a whole JPEG");
    check_thumbnail_header(jpeg);
    return 0;
}
