// Hands the page cache's copy of an append-only file back to the kernel a few
// MiB behind the file's end, once the kernel has written it out.
//
// Why: on the reference machine (a VM whose balloon returns free memory to the
// host) a page that stayed free for a few seconds costs a host page fault the
// next time it is touched. The protocol logs grow by up to 150 MB/s under load,
// and filling the cache with fresh pages was a quarter of the broker's CPU
// (docs/BENCHMARKS.md). A released page is taken again by the next write,
// still backed.
//
// Promises: advice only. Dirty pages are never dropped, so nothing written is
// lost and every read returns what was written; the last 4 MiB stay cached
// for readers of the tail. Writeback of each MiB is started once 1 MiB more
// follows it; its pages are dropped from 4 MiB behind the end on, at each
// step over the next 8 MiB, so a slow disk delays the release, never the writer.
#pragma once

#include <cstddef>
#include <cstdint>

namespace imgshare {

class AppendedPageRelease {
  public:
    // `fd` is open for writing, `size` its length now; neither is owned.
    AppendedPageRelease(int fd, std::uint64_t size) noexcept;

    // `bytes` more were appended to the file. Never throws; the advice's errors
    // are ignored (the pages then merely stay cached).
    void appended(std::size_t bytes) noexcept;

    static constexpr std::uint64_t kStepBytes = 1u << 20;
    static constexpr std::uint64_t kKeptBytes = 4 * kStepBytes;
    static constexpr std::uint64_t kRetriedBytes = 8 * kStepBytes;

  private:
    int fd_;
    std::uint64_t end_;
    std::uint64_t next_step_;
};

}  // namespace imgshare
