// Process-wide start-up shared by every executable: allocator tuning for
// large-buffer churn, and SIGTERM/SIGINT turned into a stop flag the main
// loops poll, so each process stops cleanly (flushes logs, closes RocksDB).
#pragma once

#include <atomic>

namespace imgshare {

// Raises glibc's mmap and trim thresholds (DESIGN.md §7): chunk-sized buffers
// are then reused from the heap instead of being mmap'd and unmapped per
// message. Call once at the top of main().
void tune_allocator();

// Installs SIGTERM/SIGINT handlers that set the returned flag. SIGPIPE is
// ignored. Call once at the top of main().
std::atomic<bool>& install_stop_signals();

// Lowers RLIMIT_CORE to 0, so a crash never writes secrets to a core file, and
// marks the process non-dumpable (PR_SET_DUMPABLE 0), so other processes of
// the same Unix user can neither ptrace it nor read its memory through /proc.
// Not in AddressSanitizer builds, whose leak check needs ptrace.
void disable_core_dumps();

}  // namespace imgshare
