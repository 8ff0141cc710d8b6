#include "client/command_table.h"

#include <exception>
#include <vector>

namespace imgshare::client {
namespace {

constexpr int kFailed = 1;
constexpr int kUsageError = 2;

constexpr CommandSpec kCommands[] = {
    {"init", "Set up a home: the broker's endpoints and the trust file", define_init},
    {"register", "Create your keys and register USERNAME with the CA", define_register},
    {"whoami", "Show your own certificate", define_whoami},
    {"whois", "Show another user's certificate, as the CA vouches for it", define_whois},
    {"audit", "Check the certificate log, and that no certificate for your name has other keys",
     define_audit},
    {"renew", "Get a new certificate for your keys before the current one expires", define_renew},
    {"post", "Encrypt, sign and upload an image (run it again to resume it)", define_post},
    {"uploads", "List your pending uploads, or abandon one (--abandon ID)", define_uploads},
    {"usage", "Show the space your images take on the storage node, and your quota",
     define_usage},
    {"list", "List the images you may read", define_list},
    {"download", "Download, verify and decrypt an image", define_download},
    {"share", "Let more users read an end-to-end image you posted", define_share},
    {"delete", "Delete an image you posted (signed with your key; readers are told)",
     define_delete},
    {"watch", "Report new images as they are posted (optionally download them)", define_watch},
    {"gallery", "Serve a local web page to see your images, verified (127.0.0.1 only)",
     define_gallery},
};

constexpr std::string_view kEnvironmentHelp =
    "Environment: IMGSHARE_HOME (default home), IMGSHARE_PASSPHRASE (keystore passphrase; "
    "else asked on the terminal), IMGSHARE_TEST_FAST_KDF=1 (automated tests only: a new "
    "keystore gets the weakest key derivation).\n"
    "Errors: on stderr as `error: CODE: message`, exit status 1 (2 for usage errors).";

void add_global_options(CLI::App& app, GlobalOptions& options) {
    app.add_option("--home", options.home,
                   "Your imgshare directory (default: $IMGSHARE_HOME, else ~/.imgshare)");
    app.add_flag("--json", options.json, "Machine-readable output: one JSON object per line");
    app.add_option("--log-file", options.log_file,
                   "Protocol log of every message sent and received (default: HOME/protocol.log)");
}

int usage_error(const CLI::App& app, const CLI::ParseError& error, std::ostream& out,
                std::ostream& err) {
    if (error.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
        // --help (or --help-all): CLI11 prints the help of the command asked about.
        return app.exit(error, out, err);
    }
    err << "error: BAD_REQUEST: " << error.what() << " (see " << app.get_name() << " --help)\n";
    return kUsageError;
}

int finish(const Result<void>& result, std::ostream& err) {
    if (result) return 0;
    err << "error: " << describe(result.error()) << "\n";
    return kFailed;
}

// Parses and runs `action` for whichever of `actions` was selected.
int parse_and_run(CLI::App& app, int argc, const char* const* argv,
                  const std::vector<std::pair<CLI::App*, CommandAction>>& actions,
                  const CommandContext& context) {
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
        return usage_error(app, error, context.out, context.err);
    }
    try {
        for (const auto& [command, action] : actions) {
            if (command->parsed()) return finish(action(context), context.err);
        }
        context.err << "error: BAD_REQUEST: no command given (see " << app.get_name()
                    << " --help)\n";
        return kUsageError;
    } catch (const std::exception& error) {
        // A bug or a start-up failure: still one clear line, never a crash with a stack.
        context.err << "error: INTERNAL: " << error.what() << "\n";
        return kFailed;
    }
}

}  // namespace

std::span<const CommandSpec> command_table() {
    return kCommands;
}

int run_imgshare(int argc, const char* const* argv, std::ostream& out, std::ostream& err,
                 const std::atomic<bool>& stop) {
    CLI::App app{"imgshare: share images encrypted and signed on your own machine", "imgshare"};
    GlobalOptions options;
    add_global_options(app, options);
    app.require_subcommand(1);
    app.fallthrough();  // global options may also follow the command
    app.footer(std::string(kEnvironmentHelp));
    std::vector<std::pair<CLI::App*, CommandAction>> actions;
    for (const auto& spec : command_table()) {
        auto* command = app.add_subcommand(std::string(spec.name), std::string(spec.summary));
        actions.emplace_back(command, spec.define(*command));
    }
    return parse_and_run(app, argc, argv, actions, CommandContext{options, out, err, stop});
}

int run_imgshare_watch(int argc, const char* const* argv, std::ostream& out, std::ostream& err,
                       const std::atomic<bool>& stop) {
    CLI::App app{"imgshare-watch: report new images as they are posted (imgshare watch)",
                 "imgshare-watch"};
    GlobalOptions options;
    add_global_options(app, options);
    auto action = define_watch(app);
    std::string footer = app.get_footer() + "\n" + std::string(kEnvironmentHelp);
    app.footer(footer);
    return parse_and_run(app, argc, argv, {{&app, action}},
                         CommandContext{options, out, err, stop});
}

}  // namespace imgshare::client
