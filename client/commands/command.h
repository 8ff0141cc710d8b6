// The shape every imgshare command has: it adds its own options to its CLI11
// subcommand and returns the action that runs it once the command line has
// been parsed. The action writes its result lines to `out` and returns an
// Error for the caller to print as "error: CODE: message".
#pragma once

#include <CLI/CLI.hpp>

#include <atomic>
#include <functional>
#include <ostream>

#include "client/session.h"
#include "common/error.h"

namespace imgshare::client {

struct CommandContext {
    const GlobalOptions& options;
    std::ostream& out;
    std::ostream& err;              // for errors a long-running command reports and survives
    const std::atomic<bool>& stop;  // set by SIGINT/SIGTERM
};

using CommandAction = std::function<Result<void>(const CommandContext&)>;

// One per command, each in commands/<name>.cpp.
CommandAction define_init(CLI::App& command);
CommandAction define_register(CLI::App& command);
CommandAction define_whoami(CLI::App& command);
CommandAction define_whois(CLI::App& command);
CommandAction define_audit(CLI::App& command);
CommandAction define_renew(CLI::App& command);
CommandAction define_post(CLI::App& command);
CommandAction define_uploads(CLI::App& command);
CommandAction define_usage(CLI::App& command);
CommandAction define_list(CLI::App& command);
CommandAction define_download(CLI::App& command);
CommandAction define_share(CLI::App& command);
CommandAction define_delete(CLI::App& command);
CommandAction define_watch(CLI::App& command);
CommandAction define_gallery(CLI::App& command);

}  // namespace imgshare::client
