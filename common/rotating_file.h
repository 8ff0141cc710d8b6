// An append-only log file bounded by size: FILE, then FILE's older parts
// FILE.1 … FILE.keep under the names spdlog's rotating_file_sink gives them
// ("protocol.log" → "protocol.1.log", "protocol.2.log", …), so that the
// protocol log and the operational log rotate alike.
//
// Promises:
// - Lines are never split: append() takes whole lines, and a file is rotated
//   between lines, before the next line would take it past max_bytes. A line
//   longer than max_bytes is written whole, alone in its file.
// - Nothing is dropped at the switch: rotation renames (FILE.k → FILE.k+1,
//   FILE → FILE.1; the oldest, FILE.keep, is replaced) and opens a fresh FILE
//   before the next byte is written. So with one writer every file stays
//   within max_bytes (lines no longer than that), and FILE and its parts
//   within max_bytes × (keep + 1) however long the process runs.
// - Modes are kept: a fresh FILE gets `mode` (an existing one is tightened to
//   it); renamed files keep theirs.
// - Several processes may append to one FILE (clients sharing a home): a file
//   is rotated once (an exclusive flock and a check that FILE is still the
//   file this process has open), and a process whose FILE was rotated by
//   another opens the new one before its next write. Each may then overshoot
//   max_bytes by the lines it writes at once.
// - The file's pages are handed back to the kernel as it grows
//   (appended_page_release.h), and a rotated-out file's once written out.
// Not thread-safe: its owner serialises calls (ProtocolLog holds a mutex).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string_view>

#include "common/appended_page_release.h"

namespace imgshare {

struct LogRotation {
    std::uint64_t max_bytes = 64u << 20;  // a file is rotated before it would pass this
    std::size_t keep = 8;                 // rotated files kept, at least 1

    static constexpr std::uint64_t kMinBytes = 4096;
    static constexpr std::size_t kMaxKeep = 1000;
};

// FILE's rotated part `index` (0: FILE itself), as spdlog names it.
[[nodiscard]] std::filesystem::path rotated_file_name(const std::filesystem::path& file,
                                                      std::size_t index);

class RotatingFile {
  public:
    // Opens `file` for appending, creating it with `mode` (and its directory),
    // tightening an existing file to `mode`. Throws std::runtime_error when any
    // of that fails: a start-up failure.
    RotatingFile(std::filesystem::path file, mode_t mode, LogRotation rotation);
    RotatingFile(const RotatingFile&) = delete;
    RotatingFile& operator=(const RotatingFile&) = delete;
    ~RotatingFile();

    struct Appended {
        std::size_t bytes = 0;  // written, from the start of `lines`
        int error = 0;          // errno of the write or rotation that stopped short, or 0
    };
    // Appends `lines` (each ending in '\n'), rotating as needed. Never throws; a
    // failed write or rotation stops it (the caller decides what the rest is).
    Appended append(std::string_view lines) noexcept;

  private:
    struct Open;
    // Opens the file now named file_ (another process may have rotated ours away).
    bool reopen() noexcept;
    // Rotates when the file is still ours and holds anything; reopens either way.
    bool rotate() noexcept;
    [[nodiscard]] bool still_named() const noexcept;

    std::filesystem::path file_;
    mode_t mode_;
    LogRotation rotation_;
    std::unique_ptr<Open> open_;
};

}  // namespace imgshare
