// A private temporary file that disappears unless it is committed or kept:
// the sealed ciphertext of an image being posted (kept in the home until the
// post commits), the plaintext of an image being downloaded.
//
// Promises: the file is created new (never an existing path) with mode 0600
// in the directory given; it is removed when its owner is destroyed, however
// the owner's work ended, unless commit_as() or keep_as() moved it into place.
// Both make the content durable before it becomes visible under the new name
// and never replace an existing file. A kept file (keep_as, open_kept) stays
// open for reading and is only closed by its owner. Errors are IO_ERROR
// naming the file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>

#include "common/bytes.h"
#include "common/error.h"

namespace imgshare::client {

class TempFile {
  public:
    // A new empty file "<dir>/<prefix>XXXXXX" (random suffix).
    [[nodiscard]] static Result<TempFile> create(const std::filesystem::path& dir,
                                                 std::string_view prefix);

    // Holds no file.
    TempFile() = default;
    TempFile(TempFile&& other) noexcept;
    TempFile& operator=(TempFile&& other) noexcept;
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    ~TempFile();

    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

    // Appends all of `bytes`.
    [[nodiscard]] Result<void> append(ByteView bytes);
    // Fills all of `into` from `offset`; IO_ERROR if the file ends first.
    [[nodiscard]] Result<void> read_at(std::uint64_t offset, std::span<std::uint8_t> into) const;

    // fsync, then moves the file to `destination` unless something exists there
    // (BAD_REQUEST "... already exists; not overwriting it"), then fsyncs the
    // destination's directory. On success the file is no longer temporary.
    [[nodiscard]] Result<void> commit_as(const std::filesystem::path& destination);
    // The same, and the file stays open for read_at() under its new path.
    [[nodiscard]] Result<void> keep_as(const std::filesystem::path& destination);
    // A file kept earlier, opened for read_at(); never removed by this object.
    [[nodiscard]] static Result<TempFile> open_kept(const std::filesystem::path& path);

  private:
    TempFile(int fd, std::filesystem::path path, bool temporary = true)
        : fd_(fd), path_(std::move(path)), temporary_(temporary) {}

    void discard() noexcept;

    int fd_ = -1;
    std::filesystem::path path_;
    bool temporary_ = true;  // removed by discard()
};

}  // namespace imgshare::client
