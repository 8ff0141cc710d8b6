// The images a load run posts: one file per size class, a PNG signature
// followed by random bytes, so the client's image-type check passes and the
// data does not compress. Every post seals its body under a fresh content
// key, so posts of the same body are unrelated ciphertexts.
//
// Promises: the files are written once, before anything is measured, in a
// private directory that is removed with the ImageBodies.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <vector>

#include "client/load/load_options.h"
#include "common/error.h"

namespace imgshare::client::load {

class ImageBodies {
  public:
    // One body per distinct size in `sizes`, in a new directory under `parent`. IO_ERROR if a
    // file cannot be written.
    [[nodiscard]] static Result<ImageBodies> create(const std::filesystem::path& parent,
                                                    const std::vector<SizeClass>& sizes);

    ImageBodies(ImageBodies&& other) noexcept;
    ImageBodies& operator=(ImageBodies&&) = delete;
    ImageBodies(const ImageBodies&) = delete;
    ImageBodies& operator=(const ImageBodies&) = delete;
    ~ImageBodies();

    // The body of exactly `bytes` bytes; `bytes` must be one of the sizes given to create().
    [[nodiscard]] const std::filesystem::path& path_for(std::uint64_t bytes) const {
        return paths_.at(bytes);
    }

  private:
    explicit ImageBodies(std::filesystem::path dir) : dir_(std::move(dir)) {}

    std::filesystem::path dir_;
    std::map<std::uint64_t, std::filesystem::path> paths_;
};

}  // namespace imgshare::client::load
