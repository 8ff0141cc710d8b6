// GIF for the thumbnail maker (thumbnail_decoders.h): giflib's low-level API reads from
// memory up to the first image and no further (DGifSlurp would decode every frame of an
// animation). The logical screen's and then the first frame's pixel counts are checked
// against kMaxGifSourcePixels before the canvas is allocated or a row decoded; rows are
// decoded one at a time. The frame is laid on a white canvas (its transparent pixels and
// what it does not cover stay white), as a browser shows a GIF's first frame on a white page.
#include <gif_lib.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <vector>

#include "client/thumbnail_decoders.h"
#include "client/thumbnail_maker.h"

namespace imgshare::client::thumbnail {
namespace {

struct GifMemoryReader {
    ByteView bytes;
    std::size_t at = 0;
};

// giflib's InputFunc: at most `wanted` bytes; fewer at the end, which giflib reports as a
// read error (a truncated file).
int gif_read_memory(GifFileType* gif, GifByteType* into, int wanted) {
    auto* reader = static_cast<GifMemoryReader*>(gif->UserData);
    if (wanted <= 0) return 0;
    const std::size_t count =
        std::min(static_cast<std::size_t>(wanted), reader->bytes.size() - reader->at);
    if (count == 0) return 0;  // an empty view's data() may be null: no memcpy from it
    std::memcpy(into, reader->bytes.data() + reader->at, count);
    reader->at += count;
    return static_cast<int>(count);
}

struct GifCloser {
    void operator()(GifFileType* gif) const {
        int error = 0;
        DGifCloseFile(gif, &error);
    }
};
using GifHandle = std::unique_ptr<GifFileType, GifCloser>;

std::unexpected<Error> gif_undecodable(int error) {
    const char* why = GifErrorString(error);  // null for a code it does not know
    return undecodable("GIF", why ? why : "unknown giflib error");
}

// Reads the records before the first image: extensions, of which a Graphics Control
// Extension may name the transparent palette index (left in `transparent`).
Result<void> gif_skip_to_first_image(GifFileType* gif, int& transparent) {
    for (;;) {
        GifRecordType record = UNDEFINED_RECORD_TYPE;
        if (DGifGetRecordType(gif, &record) == GIF_ERROR) return gif_undecodable(gif->Error);
        if (record == IMAGE_DESC_RECORD_TYPE) return {};
        if (record == TERMINATE_RECORD_TYPE) return undecodable("GIF", "it has no image");
        if (record != EXTENSION_RECORD_TYPE) return undecodable("GIF", "an unknown record");
        int code = 0;
        GifByteType* block = nullptr;  // block[0] is its length; giflib owns it
        if (DGifGetExtension(gif, &code, &block) == GIF_ERROR) return gif_undecodable(gif->Error);
        if (code == GRAPHICS_EXT_FUNC_CODE && block != nullptr) {
            GraphicsControlBlock control{};
            if (DGifExtensionToGCB(block[0], block + 1, &control) == GIF_OK) {
                transparent = control.TransparentColor;
            }
        }
        while (block != nullptr) {
            if (DGifGetExtensionNext(gif, &block) == GIF_ERROR) return gif_undecodable(gif->Error);
        }
    }
}

// The order in which an image's rows come: top to bottom, or in the four passes of an
// interlaced GIF (every 8th row from 0, every 8th from 4, every 4th from 2, every 2nd from 1).
std::vector<std::uint32_t> gif_row_order(std::uint32_t height, bool interlaced) {
    std::vector<std::uint32_t> rows;
    rows.reserve(height);
    if (!interlaced) {
        for (std::uint32_t y = 0; y < height; ++y)
            rows.push_back(y);
        return rows;
    }
    constexpr std::array<std::uint32_t, 4> kStart{0, 4, 2, 1}, kStep{8, 8, 4, 2};
    for (std::size_t pass = 0; pass < kStart.size(); ++pass)
        for (std::uint32_t y = kStart[pass]; y < height; y += kStep[pass])
            rows.push_back(y);
    return rows;
}

}  // namespace

Result<RgbImage> decode_gif(ByteView bytes) {
    GifMemoryReader reader{bytes, 0};
    int error = 0;
    // DGifOpen reads the header, the logical screen and the global colour table.
    GifHandle gif(DGifOpen(&reader, gif_read_memory, &error));
    if (!gif) return gif_undecodable(error);
    const auto screen_width = static_cast<std::uint32_t>(std::max(gif->SWidth, 0));
    const auto screen_height = static_cast<std::uint32_t>(std::max(gif->SHeight, 0));
    if (std::uint64_t{screen_width} * screen_height > kMaxGifSourcePixels) {
        return too_many_pixels("GIF", screen_width, screen_height);
    }
    int transparent = NO_TRANSPARENT_COLOR;
    if (auto skipped = gif_skip_to_first_image(gif.get(), transparent); !skipped) {
        return std::unexpected(skipped.error());
    }
    if (DGifGetImageDesc(gif.get()) == GIF_ERROR) return gif_undecodable(gif->Error);
    const GifImageDesc& frame = gif->Image;
    // Each side is 16 bits in the file: no sum below overflows.
    const auto width = static_cast<std::uint32_t>(std::max(frame.Width, 0));
    const auto height = static_cast<std::uint32_t>(std::max(frame.Height, 0));
    if (std::uint64_t{width} * height > kMaxGifSourcePixels) {
        return too_many_pixels("GIF", width, height);
    }
    if (width == 0 || height == 0) return undecodable("GIF", "its first image is empty");
    const ColorMapObject* colours = frame.ColorMap ? frame.ColorMap : gif->SColorMap;
    if (!colours || !colours->Colors) return undecodable("GIF", "it has no colour table");
    // A first frame that does not fit the logical screen is the canvas itself, as browsers
    // show it.
    auto left = static_cast<std::uint32_t>(std::max(frame.Left, 0));
    auto top = static_cast<std::uint32_t>(std::max(frame.Top, 0));
    RgbImage image{screen_width, screen_height, {}};
    if (left + width > screen_width || top + height > screen_height) {
        image.width = width, image.height = height, left = top = 0;
    }
    image.pixels.assign(std::size_t{image.width} * image.height * 3, 255);
    std::vector<GifPixelType> line(width);
    for (std::uint32_t y : gif_row_order(height, frame.Interlace)) {
        if (DGifGetLine(gif.get(), line.data(), static_cast<int>(width)) == GIF_ERROR) {
            return gif_undecodable(gif->Error);
        }
        auto* out = image.pixels.data() + ((std::size_t{top} + y) * image.width + left) * 3;
        for (std::uint32_t x = 0; x < width; ++x, out += 3) {
            const int index = line[x];
            if (index == transparent || index >= colours->ColorCount) continue;  // white
            const GifColorType& colour = colours->Colors[index];
            out[0] = colour.Red, out[1] = colour.Green, out[2] = colour.Blue;
        }
    }
    return image;
}

}  // namespace imgshare::client::thumbnail
