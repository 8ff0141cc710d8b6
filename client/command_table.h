// The imgshare command line: global options, and the subcommands from one
// table (name, summary, definition), as ninja's kTools. Adding a command =
// its file in commands/, its line in the table. The programs' entry points
// are in entry_points.h.
#pragma once

#include <span>
#include <string_view>

#include "client/commands/command.h"
#include "client/entry_points.h"

namespace imgshare::client {

struct CommandSpec {
    std::string_view name;
    std::string_view summary;
    CommandAction (*define)(CLI::App& command);
};

[[nodiscard]] std::span<const CommandSpec> command_table();

}  // namespace imgshare::client
