#include "common/rotating_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>
#include <spdlog/sinks/rotating_file_sink.h>

namespace imgshare {
namespace {

// Opens for appending, created with `mode`, and tightens an existing file to it.
// -1 with errno set on failure.
int open_log_file(const std::filesystem::path& file, mode_t mode) noexcept {
    int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, mode);
    if (fd < 0) return -1;
    struct stat info {};
    if (::fstat(fd, &info) != 0 || ((info.st_mode & 07777) != mode && ::fchmod(fd, mode) != 0)) {
        int saved = errno;
        ::close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

// The length of the longest run of whole lines at the start of `text` that fits
// in `room` bytes (0 when even the first line does not).
std::size_t whole_lines_within(std::string_view text, std::uint64_t room) {
    if (text.size() <= room) return text.size();
    if (room == 0) return 0;
    auto last_newline = text.rfind('\n', static_cast<std::size_t>(room - 1));
    return last_newline == std::string_view::npos ? 0 : last_newline + 1;
}

std::size_t first_line_length(std::string_view text) {
    auto end = text.find('\n');
    return end == std::string_view::npos ? text.size() : end + 1;
}

}  // namespace

std::filesystem::path rotated_file_name(const std::filesystem::path& file, std::size_t index) {
    return spdlog::sinks::rotating_file_sink_mt::calc_filename(file.string(), index);
}

// The file as this process has it open, and its pages' release.
struct RotatingFile::Open {
    int fd;
    struct stat identity;  // st_dev and st_ino tell whether file_ still names it
    AppendedPageRelease release;

    Open(int descriptor, const struct stat& info)
        : fd(descriptor),
          identity(info),
          release(descriptor, static_cast<std::uint64_t>(info.st_size)) {}
    Open(const Open&) = delete;
    Open& operator=(const Open&) = delete;
    ~Open() {
        // Rotated out or closed: start writing it out and drop what is clean, as the
        // growing file would have (appended_page_release.h). Advice only.
        ::sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
        ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
        ::close(fd);
    }

    [[nodiscard]] std::uint64_t size() const noexcept {
        struct stat info {};
        return ::fstat(fd, &info) == 0 ? static_cast<std::uint64_t>(info.st_size) : 0;
    }
};

RotatingFile::RotatingFile(std::filesystem::path file, mode_t mode, LogRotation rotation)
    : file_(std::move(file)), mode_(mode), rotation_(rotation) {
    if (rotation_.keep < 1) rotation_.keep = 1;
    if (file_.has_parent_path()) std::filesystem::create_directories(file_.parent_path());
    if (!reopen()) {
        throw std::runtime_error(fmt::format("cannot open it with mode {:04o}: {}", mode_,
                                             std::strerror(errno)));
    }
}

RotatingFile::~RotatingFile() = default;

bool RotatingFile::reopen() noexcept {
    int fd = open_log_file(file_, mode_);
    if (fd < 0) return false;
    struct stat info {};
    if (::fstat(fd, &info) != 0) {
        ::close(fd);
        return false;
    }
    open_.reset();
    open_ = std::make_unique<Open>(fd, info);
    return true;
}

bool RotatingFile::still_named() const noexcept {
    struct stat named {};
    return ::stat(file_.c_str(), &named) == 0 && named.st_dev == open_->identity.st_dev &&
           named.st_ino == open_->identity.st_ino;
}

bool RotatingFile::rotate() noexcept {
    // Another process appending to the same file rotates it at the same moment: the
    // lock makes one of them rotate, the other then finds a new file under the name.
    if (::flock(open_->fd, LOCK_EX) != 0) return false;
    bool ok = true;
    if (still_named() && open_->size() > 0) {
        std::error_code ignored;
        for (auto index = rotation_.keep; index > 1; --index) {
            std::filesystem::rename(rotated_file_name(file_, index - 1),
                                    rotated_file_name(file_, index), ignored);
        }
        ok = ::rename(file_.c_str(), rotated_file_name(file_, 1).c_str()) == 0;
    }
    int saved = errno;
    ::flock(open_->fd, LOCK_UN);
    errno = saved;
    return ok && reopen();
}

RotatingFile::Appended RotatingFile::append(std::string_view lines) noexcept {
    Appended result;
    while (result.bytes < lines.size()) {
        if (!still_named() && !reopen()) {
            result.error = errno;
            return result;
        }
        auto rest = lines.substr(result.bytes);
        auto size = open_->size();
        auto room = rotation_.max_bytes > size ? rotation_.max_bytes - size : 0;
        auto piece = whole_lines_within(rest, room);
        if (piece == 0) {
            if (size > 0) {
                if (!rotate()) {
                    result.error = errno;
                    return result;
                }
                continue;
            }
            piece = first_line_length(rest);  // longer than max_bytes: alone in its file
        }
        std::size_t done = 0;
        while (done < piece) {
            ssize_t wrote = ::write(open_->fd, rest.data() + done, piece - done);
            if (wrote < 0 && errno == EINTR) continue;
            if (wrote <= 0) {
                result.error = wrote < 0 ? errno : EIO;
                open_->release.appended(done);
                result.bytes += done;
                return result;
            }
            done += static_cast<std::size_t>(wrote);
        }
        open_->release.appended(done);
        result.bytes += done;
    }
    return result;
}

}  // namespace imgshare
