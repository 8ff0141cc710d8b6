#include "client/load/image_bodies.h"

#include <sodium.h>
#include <stdlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <utility>

#include <fmt/format.h>

#include "common/bytes.h"

namespace imgshare::client::load {
namespace {

constexpr std::uint8_t kPngSignature[] = {0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a};
constexpr std::size_t kWriteBuffer = 1u << 20;

Result<void> write_body(const std::filesystem::path& path, std::uint64_t bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    Bytes buffer(kWriteBuffer);
    std::uint64_t written = 0;
    while (out && written < bytes) {
        const auto n =
            static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), bytes - written));
        randombytes_buf(buffer.data(), n);
        if (written == 0)
            std::copy(std::begin(kPngSignature), std::end(kPngSignature), buffer.begin());
        out.write(reinterpret_cast<const char*>(buffer.data()), static_cast<std::streamsize>(n));
        written += n;
    }
    out.close();
    if (!out) {
        return fail(ErrorCode::IO_ERROR,
                    fmt::format("cannot write the image body {}", path.string()));
    }
    return {};
}

}  // namespace

Result<ImageBodies> ImageBodies::create(const std::filesystem::path& parent,
                                        const std::vector<SizeClass>& sizes) {
    std::string pattern = (parent / "bodies-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
        return fail(ErrorCode::IO_ERROR, fmt::format("cannot create a directory in {}: {}",
                                                     parent.string(), std::strerror(errno)));
    }
    ImageBodies bodies{std::filesystem::path(pattern)};
    for (const auto& size_class : sizes) {
        if (bodies.paths_.contains(size_class.bytes)) continue;
        auto path = bodies.dir_ / fmt::format("body-{}.png", size_class.bytes);
        if (auto ok = write_body(path, size_class.bytes); !ok) return std::unexpected(ok.error());
        bodies.paths_.emplace(size_class.bytes, std::move(path));
    }
    return bodies;
}

ImageBodies::ImageBodies(ImageBodies&& other) noexcept
    : dir_(std::exchange(other.dir_, {})), paths_(std::move(other.paths_)) {}

ImageBodies::~ImageBodies() {
    if (dir_.empty()) return;
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
}

}  // namespace imgshare::client::load
