#include "common/service/server_main.h"

#include <iostream>
#include <utility>

#include "common/crypto/keys.h"
#include "common/logging.h"
#include "common/process.h"
#include "common/server_keys.h"

namespace imgshare::service {
namespace {

namespace fs = std::filesystem;

int exit_code(const Result<void>& result, std::ostream& err) {
    if (result) return kExitSuccess;
    err << "error: " << describe(result.error()) << "\n";
    return kExitFailure;
}

// Every command works on one data directory.
CLI::App* add_command(CLI::App& app, const std::string& name, const CommandText& text,
                      std::string& data_dir) {
    auto* command = app.add_subcommand(name, text.description);
    command->add_option("--data-dir", data_dir, text.data_dir_help)->required();
    return command;
}

Result<void> print_keys(const KeyCommand& command, const fs::path& data_dir, std::ostream& out) {
    auto text = command(data_dir);
    if (!text) return std::unexpected(text.error());
    out << *text;
    return {};
}

// `run`'s flags for its logs, the same for every server.
struct LogFlags {
    std::string protocol_log;
    std::string operational_log;  // empty: stderr
    std::string level = "info";
    LogRotation rotation;

    void add_to(CLI::App& run) {
        run.add_option("--log-file", protocol_log, "Protocol log (default DATA_DIR/protocol.log)");
        run.add_option("--operational-log", operational_log,
                       "Write the operational log to this file, rotated like the protocol log, "
                       "instead of to stderr");
        run.add_option("--log-level", level, "Operational log level")->capture_default_str();
        run.add_option("--log-max-bytes", rotation.max_bytes,
                       "Each log file (protocol log, operational log file) is rotated before it "
                       "passes this size: FILE becomes FILE.1 (protocol.log: protocol.1.log)")
            ->check(CLI::Range(LogRotation::kMinBytes, std::uint64_t{1} << 40))
            ->capture_default_str();
        run.add_option("--log-keep", rotation.keep,
                       "Rotated files kept per log; the oldest beyond them is deleted, so a log "
                       "takes at most max-bytes x (keep + 1)")
            ->check(CLI::Range(std::size_t{1}, LogRotation::kMaxKeep))
            ->capture_default_str();
    }
};

Result<void> run_command(const ServerProgram& program, const fs::path& data_dir,
                         const LogFlags& logs, const std::atomic<bool>& stop) {
    auto level = parse_log_level(logs.level);
    if (!level) return std::unexpected(level.error());
    if (logs.operational_log.empty()) {
        init_process_logging(program.name, *level);
    } else if (auto opened = log_process_to_file(program.name, *level, logs.operational_log,
                                                 logs.rotation);
               !opened) {
        return opened;
    }
    RunContext context(program.name, data_dir,
                       logs.protocol_log.empty() ? data_dir / "protocol.log"
                                                 : fs::path(logs.protocol_log),
                       logs.rotation, stop);
    return program.serve(context);
}

}  // namespace

ServerKeyFiles curve_key_files(std::string name, std::string label) {
    ServerKeyFiles files;
    files.create = [name, label](const fs::path& data_dir) -> Result<std::string> {
        auto key = create_curve_key_files(data_dir, name);
        if (!key) return std::unexpected(key.error());
        return label + z85_encode(*key) + "\n";
    };
    files.show = [name, label](const fs::path& data_dir) -> Result<std::string> {
        auto keys = load_curve_key_files(data_dir, name);
        if (!keys) return std::unexpected(keys.error());
        return label + z85_encode(keys->public_key) + "\n";
    };
    return files;
}

ProtocolLog RunContext::open_protocol_log() const {
    return ProtocolLog(process_name_, protocol_log_file_, LogFlush::Batched, rotation_);
}

int run_server_command(int argc, const char* const* argv, const ServerProgram& program,
                       const ServerEnvironment& environment) {
    CLI::App app{program.description};
    app.require_subcommand(1);
    std::string data_dir;  // one command runs, so its --data-dir is the only one given
    auto* init = add_command(app, "init", program.init, data_dir);
    auto* show = add_command(app, "show", program.show, data_dir);
    auto* run = add_command(app, "run", program.run, data_dir);
    if (program.add_run_flags) program.add_run_flags(*run);
    LogFlags logs;
    logs.add_to(*run);
    std::vector<std::pair<CLI::App*, const ExtraCommand*>> extras;
    for (const auto& extra : program.extra_commands) {
        auto* command = add_command(app, extra.name, extra.text, data_dir);
        if (extra.add_flags) extra.add_flags(*command);
        extras.emplace_back(command, &extra);
    }

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
        return app.exit(error, environment.out, environment.err);
    }

    try {
        if (run->parsed()) {
            return exit_code(run_command(program, data_dir, logs, environment.stop),
                             environment.err);
        }
        init_process_logging(program.name);
        if (init->parsed()) {
            return exit_code(print_keys(program.keys.create, data_dir, environment.out),
                             environment.err);
        }
        if (show->parsed()) {
            return exit_code(print_keys(program.keys.show, data_dir, environment.out),
                             environment.err);
        }
        for (const auto& [command, extra] : extras) {
            if (command->parsed()) {
                return exit_code(extra->action(data_dir, environment.out), environment.err);
            }
        }
        return kExitFailure;  // not reached: CLI11 requires one command
    } catch (const std::exception& error) {
        environment.err << "error: INTERNAL: " << error.what() << "\n";
        return kExitFailure;
    }
}

int run_server_main(int argc, char** argv, const ServerProgram& program) {
    tune_allocator();
    disable_core_dumps();
    const auto& stop = install_stop_signals();
    return run_server_command(argc, argv, program, ServerEnvironment{std::cout, std::cerr, stop});
}

}  // namespace imgshare::service
