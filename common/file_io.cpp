#include "common/file_io.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "common/crypto/sodium_init.h"
#include "common/file_descriptor.h"

namespace imgshare {
namespace {

Error io_error(std::string_view action, const std::filesystem::path& path, int error_number) {
    return Error{ErrorCode::IO_ERROR, fmt::format("cannot {} {}: {}", action, path.string(),
                                                  std::strerror(error_number))};
}

bool write_all(int fd, ByteView contents) {
    std::size_t written = 0;
    while (written < contents.size()) {
        const ssize_t n = ::write(fd, contents.data() + written, contents.size() - written);
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        written += static_cast<std::size_t>(n);
    }
    return true;
}

std::filesystem::path temporary_path_beside(const std::filesystem::path& path) {
    ensure_sodium();
    std::uint8_t random[8];
    randombytes_buf(random, sizeof random);
    auto temporary = path;
    temporary += ".tmp-" + to_hex(random);
    return temporary;
}

// Moves `from` to `to`; with ExistingFile::Refuse only if `to` does not exist (atomically).
int move_into_place(const std::filesystem::path& from, const std::filesystem::path& to,
                    ExistingFile existing) {
    if (existing == ExistingFile::Replace) return ::rename(from.c_str(), to.c_str());
    if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return 0;
    if (errno != EINVAL && errno != ENOSYS) return -1;
    // A file system without RENAME_NOREPLACE: link() refuses an existing target too.
    if (::link(from.c_str(), to.c_str()) != 0) return -1;
    ::unlink(from.c_str());
    return 0;
}

Result<void> sync_directory(const std::filesystem::path& directory) {
    FileDescriptor fd(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.get() < 0) return std::unexpected(io_error("open directory", directory, errno));
    if (::fsync(fd.get()) != 0) return std::unexpected(io_error("fsync", directory, errno));
    return {};
}

}  // namespace

Result<void> write_file_atomically(const std::filesystem::path& path, ByteView contents,
                                   std::filesystem::perms mode, ExistingFile existing) {
    const auto directory = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
    const auto temporary = temporary_path_beside(path);
    const auto mode_bits = static_cast<mode_t>(mode & std::filesystem::perms::mask);

    FileDescriptor fd(
        ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode_bits));
    if (fd.get() < 0) return std::unexpected(io_error("create", temporary, errno));

    auto abandon = [&](std::string_view action, int error_number) {
        ::unlink(temporary.c_str());
        return std::unexpected(io_error(action, path, error_number));
    };
    // open() applied the umask; set exactly the mode asked for.
    if (::fchmod(fd.get(), mode_bits) != 0) return abandon("set the mode of", errno);
    if (!write_all(fd.get(), contents)) return abandon("write", errno);
    if (::fsync(fd.get()) != 0) return abandon("fsync", errno);
    if (fd.close() != 0) return abandon("close", errno);
    if (move_into_place(temporary, path, existing) != 0) {
        const int error_number = errno;
        ::unlink(temporary.c_str());
        if (error_number == EEXIST) {
            return fail(ErrorCode::BAD_REQUEST,
                        fmt::format("{} already exists; not overwriting it", path.string()));
        }
        return std::unexpected(io_error("rename into place", path, error_number));
    }
    return sync_directory(directory);
}

Result<Bytes> read_file(const std::filesystem::path& path, std::size_t max_bytes) {
    FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) return std::unexpected(io_error("open", path, errno));
    struct stat status {};
    if (::fstat(fd.get(), &status) != 0) return std::unexpected(io_error("stat", path, errno));
    if (!S_ISREG(status.st_mode)) {
        return fail(ErrorCode::IO_ERROR, fmt::format("{} is not a regular file", path.string()));
    }
    if (static_cast<std::uint64_t>(status.st_size) > max_bytes) {
        return fail(ErrorCode::TOO_LARGE,
                    fmt::format("{} is larger than {} bytes", path.string(), max_bytes));
    }
    // The file may grow after fstat: read at most one byte past the limit to notice.
    const std::size_t read_limit =
        max_bytes < std::numeric_limits<std::size_t>::max() ? max_bytes + 1 : max_bytes;
    Bytes contents(std::min(static_cast<std::size_t>(status.st_size) + 1, read_limit));
    std::size_t total = 0;
    while (total < contents.size()) {
        const ssize_t n = ::read(fd.get(), contents.data() + total, contents.size() - total);
        if (n < 0) {
            if (errno == EINTR) continue;
            return std::unexpected(io_error("read", path, errno));
        }
        if (n == 0) break;
        total += static_cast<std::size_t>(n);
        if (total > max_bytes) {
            return fail(ErrorCode::TOO_LARGE,
                        fmt::format("{} is larger than {} bytes", path.string(), max_bytes));
        }
        if (total == contents.size()) contents.resize(std::min(contents.size() * 2, read_limit));
    }
    contents.resize(total);
    return contents;
}

}  // namespace imgshare
