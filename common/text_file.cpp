#include "common/text_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "common/file_descriptor.h"

namespace imgshare {
namespace {

std::unexpected<Error> io_failure(const std::filesystem::path& path, std::string_view what,
                                  int error_number) {
    return fail(ErrorCode::IO_ERROR,
                fmt::format("{} '{}': {}", what, path.string(), std::strerror(error_number)));
}

}  // namespace

Result<std::string> read_text_file(const std::filesystem::path& path, std::size_t max_bytes) {
    FileDescriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (file.get() < 0) return io_failure(path, "cannot open", errno);

    struct stat info {};
    if (::fstat(file.get(), &info) != 0) return io_failure(path, "cannot stat", errno);
    if (S_ISDIR(info.st_mode)) {
        return fail(ErrorCode::IO_ERROR, fmt::format("'{}' is a directory", path.string()));
    }

    std::string text;
    constexpr std::size_t kReadStep = 16 * 1024;
    while (true) {
        if (text.size() > max_bytes) {
            return fail(ErrorCode::IO_ERROR,
                        fmt::format("'{}' is larger than {} bytes", path.string(), max_bytes));
        }
        std::size_t old_size = text.size();
        std::size_t step = std::min(kReadStep, max_bytes + 1 - old_size);
        text.resize(old_size + step);
        ssize_t got = ::read(file.get(), text.data() + old_size, step);
        if (got < 0) {
            if (errno == EINTR) {
                text.resize(old_size);
                continue;
            }
            return io_failure(path, "cannot read", errno);
        }
        text.resize(old_size + static_cast<std::size_t>(got));
        if (got == 0) break;
    }
    return text;
}

}  // namespace imgshare
