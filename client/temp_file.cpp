#include "client/temp_file.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include <fmt/format.h>

namespace imgshare::client {
namespace {

std::unexpected<Error> io_error(std::string_view action, const std::filesystem::path& path,
                                int error_number) {
    return fail(ErrorCode::IO_ERROR, fmt::format("cannot {} {}: {}", action, path.string(),
                                                 std::strerror(error_number)));
}

Result<void> sync_directory(const std::filesystem::path& directory) {
    int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return io_error("open directory", directory, errno);
    int synced = ::fsync(fd);
    int error_number = errno;
    ::close(fd);
    if (synced != 0) return io_error("fsync", directory, error_number);
    return {};
}

// Moves `from` to `to` only if nothing is at `to`, atomically where the file system allows.
int move_without_replacing(const std::filesystem::path& from, const std::filesystem::path& to) {
    if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return 0;
    if (errno != EINVAL && errno != ENOSYS) return -1;
    if (::link(from.c_str(), to.c_str()) != 0) return -1;
    ::unlink(from.c_str());
    return 0;
}

}  // namespace

Result<TempFile> TempFile::create(const std::filesystem::path& dir, std::string_view prefix) {
    std::string pattern = (dir / (std::string(prefix) + "XXXXXX")).string();
    int fd = ::mkostemp(pattern.data(), O_CLOEXEC);
    if (fd < 0) return io_error("create a temporary file in", dir, errno);
    // mkostemp creates 0600 already; make sure whatever the platform's umask handling.
    if (::fchmod(fd, S_IRUSR | S_IWUSR) != 0) {
        int error_number = errno;
        ::close(fd);
        ::unlink(pattern.c_str());
        return io_error("set the mode of", pattern, error_number);
    }
    return TempFile(fd, std::filesystem::path(pattern));
}

TempFile::TempFile(TempFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      path_(std::exchange(other.path_, {})),
      temporary_(other.temporary_) {}

TempFile& TempFile::operator=(TempFile&& other) noexcept {
    if (this != &other) {
        discard();
        fd_ = std::exchange(other.fd_, -1);
        path_ = std::exchange(other.path_, {});
        temporary_ = other.temporary_;
    }
    return *this;
}

TempFile::~TempFile() {
    discard();
}

void TempFile::discard() noexcept {
    if (fd_ >= 0) ::close(fd_);
    if (temporary_ && !path_.empty()) ::unlink(path_.c_str());
    fd_ = -1;
    path_.clear();
}

Result<void> TempFile::append(ByteView bytes) {
    std::size_t written = 0;
    while (written < bytes.size()) {
        ssize_t n = ::write(fd_, bytes.data() + written, bytes.size() - written);
        if (n < 0) {
            if (errno == EINTR) continue;
            return io_error("write", path_, errno);
        }
        written += static_cast<std::size_t>(n);
    }
    return {};
}

Result<void> TempFile::read_at(std::uint64_t offset, std::span<std::uint8_t> into) const {
    std::size_t done = 0;
    while (done < into.size()) {
        ssize_t n =
            ::pread(fd_, into.data() + done, into.size() - done, static_cast<off_t>(offset + done));
        if (n < 0) {
            if (errno == EINTR) continue;
            return io_error("read", path_, errno);
        }
        if (n == 0) {
            return fail(ErrorCode::IO_ERROR, fmt::format("{} ended early", path_.string()));
        }
        done += static_cast<std::size_t>(n);
    }
    return {};
}

Result<void> TempFile::commit_as(const std::filesystem::path& destination) {
    if (auto kept = keep_as(destination); !kept) return kept;
    ::close(std::exchange(fd_, -1));
    path_.clear();
    return {};
}

Result<void> TempFile::keep_as(const std::filesystem::path& destination) {
    if (::fsync(fd_) != 0) return io_error("fsync", path_, errno);
    if (move_without_replacing(path_, destination) != 0) {
        if (errno == EEXIST) {
            return fail(ErrorCode::BAD_REQUEST,
                        fmt::format("{} already exists; not overwriting it", destination.string()));
        }
        return io_error("move into place", destination, errno);
    }
    path_ = destination;
    temporary_ = false;
    auto directory =
        destination.has_parent_path() ? destination.parent_path() : std::filesystem::path(".");
    return sync_directory(directory);
}

Result<TempFile> TempFile::open_kept(const std::filesystem::path& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return io_error("open", path, errno);
    return TempFile(fd, path, false);
}

}  // namespace imgshare::client
