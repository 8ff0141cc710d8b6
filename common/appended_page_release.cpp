#include "common/appended_page_release.h"

#include <fcntl.h>

namespace imgshare {

AppendedPageRelease::AppendedPageRelease(int fd, std::uint64_t size) noexcept
    : fd_(fd), end_(size), next_step_(size / kStepBytes * kStepBytes + kStepBytes) {}

void AppendedPageRelease::appended(std::size_t bytes) noexcept {
    end_ += bytes;
    if (end_ < next_step_) return;
    // Step boundaries are multiples of 1 MiB, so every range below is whole pages.
    const std::uint64_t step = end_ / kStepBytes * kStepBytes;
    next_step_ = step + kStepBytes;
    if (step >= 2 * kStepBytes) {
        // Start writing out the MiB before the last one, without waiting for it.
        ::sync_file_range(fd_, static_cast<off_t>(step - 2 * kStepBytes),
                          static_cast<off_t>(kStepBytes), SYNC_FILE_RANGE_WRITE);
    }
    if (step > kKeptBytes) {
        // Pages still being written out stay; a later step over them drops them.
        const std::uint64_t drop_end = step - kKeptBytes;
        const std::uint64_t drop_begin = drop_end > kRetriedBytes ? drop_end - kRetriedBytes : 0;
        ::posix_fadvise(fd_, static_cast<off_t>(drop_begin),
                        static_cast<off_t>(drop_end - drop_begin), POSIX_FADV_DONTNEED);
    }
}

}  // namespace imgshare
