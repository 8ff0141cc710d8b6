#include "client/image_type.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

namespace imgshare::client {
namespace {

bool starts_with(ByteView bytes, std::initializer_list<std::uint8_t> prefix, std::size_t at = 0) {
    if (bytes.size() < at + prefix.size()) return false;
    return std::equal(prefix.begin(), prefix.end(), bytes.begin() + static_cast<long>(at));
}

}  // namespace

std::optional<ImageType> detect_image_type(ByteView bytes) {
    if (starts_with(bytes, {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a})) return ImageType::Png;
    if (starts_with(bytes, {0xff, 0xd8, 0xff})) return ImageType::Jpeg;
    if (starts_with(bytes, {'G', 'I', 'F', '8', '7', 'a'}) ||
        starts_with(bytes, {'G', 'I', 'F', '8', '9', 'a'})) {
        return ImageType::Gif;
    }
    if (starts_with(bytes, {'R', 'I', 'F', 'F'}) && starts_with(bytes, {'W', 'E', 'B', 'P'}, 8)) {
        return ImageType::Webp;
    }
    return std::nullopt;
}

std::string_view content_type_of(ImageType type) {
    switch (type) {
        case ImageType::Png:
            return "image/png";
        case ImageType::Jpeg:
            return "image/jpeg";
        case ImageType::Gif:
            return "image/gif";
        case ImageType::Webp:
            return "image/webp";
    }
    return "application/octet-stream";
}

std::optional<ImageType> image_type_of_content_type(std::string_view content_type) {
    for (auto type : {ImageType::Png, ImageType::Jpeg, ImageType::Gif, ImageType::Webp}) {
        if (content_type_of(type) == content_type) return type;
    }
    return std::nullopt;
}

std::string_view file_extension_of(ImageType type) {
    switch (type) {
        case ImageType::Png:
            return ".png";
        case ImageType::Jpeg:
            return ".jpg";
        case ImageType::Gif:
            return ".gif";
        case ImageType::Webp:
            return ".webp";
    }
    return "";
}

Result<ImageType> image_type_of_file(const std::filesystem::path& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        return fail(ErrorCode::IO_ERROR,
                    fmt::format("cannot open {}: {}", path.string(), std::strerror(errno)));
    }
    std::array<char, kImageMagicBytes> head{};
    file.read(head.data(), head.size());
    if (file.bad()) return fail(ErrorCode::IO_ERROR, fmt::format("cannot read {}", path.string()));
    auto count = static_cast<std::size_t>(file.gcount());
    if (count == 0) return fail(ErrorCode::BAD_REQUEST, fmt::format("{} is empty", path.string()));
    auto type =
        detect_image_type(ByteView(reinterpret_cast<const std::uint8_t*>(head.data()), count));
    if (!type) {
        return fail(ErrorCode::BAD_REQUEST,
                    fmt::format("{} is not an image (PNG, JPEG, GIF or WebP, by its first bytes)",
                                path.string()));
    }
    return *type;
}

}  // namespace imgshare::client
