// Makes every failure of a fuzz target leave its input behind, as libFuzzer
// does: a sanitizer report, an abort (a failed property check, an uncaught
// exception), an input that runs too long, or a process that grows too big.
//
// The failing input is written to "<artifact_prefix><kind>-<16 hex>" (kind:
// crash, timeout, oom) and the line "Test unit written to <path>" goes to
// stderr; then the process dies (abort for a crash, exit status 70 for a
// timeout, 71 for running out of memory). Only async-signal-safe calls are
// made on the way out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace imgshare::fuzz {

struct GuardOptions {
    std::string artifact_prefix;  // e.g. "build-fuzz/artifacts/fuzz_header-"
    bool save_artifacts = true;   // off when replaying files that are already on disk
    unsigned timeout_seconds = 25;
    std::size_t rss_limit_mb = 2048;
};

// Installs the SIGABRT handler and the sanitizers' death callback, and starts the watchdog
// thread. Call once, before the first input.
void install_crash_guard(GuardOptions options);

// The input now running; `data` must stay valid and unchanged until input_finished().
void input_started(const std::uint8_t* data, std::size_t size);
void input_finished();

}  // namespace imgshare::fuzz
