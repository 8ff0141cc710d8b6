// What kind of image a file holds, told by its first bytes (magic numbers),
// never by its name: `post` refuses anything else before a byte is sent, and
// `download` picks a file extension only from this closed list.
#pragma once

#include <filesystem>
#include <optional>
#include <string_view>

#include "common/bytes.h"
#include "common/error.h"

namespace imgshare::client {

enum class ImageType { Png, Jpeg, Gif, Webp };

// How many leading bytes detect_image_type needs at most.
constexpr std::size_t kImageMagicBytes = 12;

// PNG 89 50 4E 47 0D 0A 1A 0A; JPEG FF D8 FF; GIF "GIF87a"/"GIF89a"; WebP "RIFF" ?? ?? ?? ??
// "WEBP". nullopt for anything else, including a prefix too short to tell.
[[nodiscard]] std::optional<ImageType> detect_image_type(ByteView leading_bytes);

// "image/png", "image/jpeg", "image/gif", "image/webp".
[[nodiscard]] std::string_view content_type_of(ImageType type);
// The inverse; nullopt for any other text (e.g. a content type from the network).
[[nodiscard]] std::optional<ImageType> image_type_of_content_type(std::string_view content_type);
// ".png", ".jpg", ".gif", ".webp".
[[nodiscard]] std::string_view file_extension_of(ImageType type);

// The type of the image in `path`. IO_ERROR if it cannot be read; BAD_REQUEST if it is empty
// or not one of the four image kinds.
[[nodiscard]] Result<ImageType> image_type_of_file(const std::filesystem::path& path);

}  // namespace imgshare::client
