// The imgshare command line: global options, and the subcommands from one
// table (name, summary, definition), as ninja's kTools. Adding a command =
// its file in commands/, its line in the table.
//
// Exit status: 0 on success (and for --help), 1 when the command fails (the
// error printed on stderr as "error: CODE: message"), 2 for a usage error.
#pragma once

#include <atomic>
#include <ostream>
#include <span>
#include <string_view>

#include "client/commands/command.h"

namespace imgshare::client {

struct CommandSpec {
    std::string_view name;
    std::string_view summary;
    CommandAction (*define)(CLI::App& command);
};

[[nodiscard]] std::span<const CommandSpec> command_table();

// `imgshare [global options] COMMAND [options]`.
[[nodiscard]] int run_imgshare(int argc, const char* const* argv, std::ostream& out,
                               std::ostream& err, const std::atomic<bool>& stop);

// `imgshare-watch [global options] [--download DIR]`: the watch command on its own.
[[nodiscard]] int run_imgshare_watch(int argc, const char* const* argv, std::ostream& out,
                                     std::ostream& err, const std::atomic<bool>& stop);

}  // namespace imgshare::client
