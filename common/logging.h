// The operational log of a process: what a human operator reads (started,
// bound to, worker lost, refused a request and why). It is distinct from the
// protocol log (protocol_log.h), which records every message.
//
// After init_process_logging, spdlog's default logger (spdlog::info(...),
// spdlog::warn(...)) writes to stderr, one line per event, timestamped in UTC:
//   2026-11-23T20:10:13.123Z imgshare-broker info: listening on tcp://*:7400
//
// With log_process_to_file the same lines go to a file instead, rotated by
// size like the protocol log (FILE.1 … FILE.keep, rotating_file.h; spdlog's
// rotating_file_sink: a line is never split, none is lost at the switch),
// each file mode 0600 and written out line by line.
//
// Never pass a secret (private key, content key, passphrase, decrypted
// content) to this log, not even at debug level: stderr ends up in journald,
// terminals and bug reports.
#pragma once

#include <filesystem>
#include <string_view>

#include <spdlog/common.h>

#include "common/error.h"
#include "common/rotating_file.h"

namespace imgshare {

// Replaces spdlog's default logger; safe to call again (tests, re-configuration).
void init_process_logging(std::string_view process_name,
                          spdlog::level::level_enum level = spdlog::level::info);

// The same, to `file` rotated by `rotation` instead of stderr. IO_ERROR naming
// the file when it cannot be opened (the logger is then left as it was).
[[nodiscard]] Result<void> log_process_to_file(std::string_view process_name,
                                               spdlog::level::level_enum level,
                                               const std::filesystem::path& file,
                                               const LogRotation& rotation);

// "trace", "debug", "info", "warn" (or "warning"), "error", "critical" or "off", for
// --log-level flags and config files; CONFIG for anything else.
[[nodiscard]] Result<spdlog::level::level_enum> parse_log_level(std::string_view text);

}  // namespace imgshare
