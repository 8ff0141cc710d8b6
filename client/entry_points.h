// The client programs' entry points, what each main.cpp calls: kept apart from
// command_table.h so that a main does not compile the command-line parser (CLI11).
//
// Exit status: 0 on success (and for --help), 1 when the command fails (the
// error printed on stderr as "error: CODE: message"), 2 for a usage error.
#pragma once

#include <atomic>
#include <ostream>

namespace imgshare::client {

// `imgshare [global options] COMMAND [options]`.
[[nodiscard]] int run_imgshare(int argc, const char* const* argv, std::ostream& out,
                               std::ostream& err, const std::atomic<bool>& stop);

// `imgshare-watch [global options] [--download DIR]`: the watch command on its own.
[[nodiscard]] int run_imgshare_watch(int argc, const char* const* argv, std::ostream& out,
                                     std::ostream& err, const std::atomic<bool>& stop);

}  // namespace imgshare::client
