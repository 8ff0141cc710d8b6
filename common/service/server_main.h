// The command line every server shares (imgshare-broker, imgshare-ca,
// imgshare-storage), so that each main.cpp only describes its server: the
// flags it adds, how it makes its keys, how it builds its parts and serves.
//
//   NAME init --data-dir D      create the server's keys (never replacing any)
//   NAME show --data-dir D      print their public halves again
//   NAME run  --data-dir D [--log-file F] [--operational-log F] [--log-level info]
//             [--log-max-bytes N] [--log-keep K] [the server's flags]
//   NAME <extra command> …      the server's own (the CA's `revoke`)
//   NAME [command] --help       what each takes
//
// Promises, the same for every server:
// - `show` prints exactly what `init` printed (for deploy scripts); before
//   `init` it fails with the key loader's CONFIG naming the missing file.
// - `run` sets the operational log (logging.h) to --log-level before it
//   builds anything: a level that is not one is CONFIG and nothing starts.
//   It goes to stderr, or to --operational-log (IO_ERROR when that cannot be
//   opened). The protocol log is --log-file, else DATA_DIR/protocol.log.
// - Both logs are rotated by size (rotating_file.h): no file passes
//   --log-max-bytes (default 64 MiB; a single longer line gets a file of its
//   own), --log-keep (default 8) rotated files are kept, so each log takes at
//   most max-bytes x (keep + 1).
// - SIGTERM and SIGINT set the stop flag `run` serves until.
// - Exit codes: 0 when the command succeeded; 1 for an Error, printed on
//   stderr as "error: CODE: message", or an exception, as
//   "error: INTERNAL: what"; for a command line CLI11 refuses (an unknown
//   command or flag, a missing required one, none) CLI11's own non-zero code
//   with its message; `--help` prints the help and exits 0.
#pragma once

#include <CLI/CLI.hpp>

#include <atomic>
#include <filesystem>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/protocol_log.h"

namespace imgshare::service {

inline constexpr int kExitSuccess = 0;
inline constexpr int kExitFailure = 1;

// A command's line in --help and its --data-dir's help.
struct CommandText {
    std::string description;
    std::string data_dir_help;
};

// Text a key command prints, or why it could not.
using KeyCommand = std::function<Result<std::string>(const std::filesystem::path& data_dir)>;

// The server's own keys, as `init` and `show` see them.
struct ServerKeyFiles {
    // Creates the keys in the data directory, refusing to replace any; their public halves
    // as `init` prints them.
    KeyCommand create;
    // The same text for the keys already there.
    KeyCommand show;
};

// One CURVE key pair, <name>.key and <name>.pub (server_keys.h), printed as one line:
// `label` then the Z85 public key.
[[nodiscard]] ServerKeyFiles curve_key_files(std::string name, std::string label);

// What `run` hands the server once its command line is parsed and its operational log set up.
class RunContext {
  public:
    RunContext(std::string process_name, std::filesystem::path data_dir,
               std::filesystem::path protocol_log_file, LogRotation rotation,
               const std::atomic<bool>& stop)
        : process_name_(std::move(process_name)),
          data_dir_(std::move(data_dir)),
          protocol_log_file_(std::move(protocol_log_file)),
          rotation_(rotation),
          stop_(stop) {}

    [[nodiscard]] const std::filesystem::path& data_dir() const { return data_dir_; }
    // Set by SIGTERM/SIGINT: serve until it is.
    [[nodiscard]] const std::atomic<bool>& stop() const { return stop_; }

    // The protocol log, batched (LogFlush::Batched) and rotated as the flags say. Open it once the parts that may refuse
    // to start (keys, databases) are open, so that a refused start leaves it untouched.
    // Throws std::runtime_error when the file cannot be opened, as ProtocolLog does.
    [[nodiscard]] ProtocolLog open_protocol_log() const;

  private:
    std::string process_name_;
    std::filesystem::path data_dir_;
    std::filesystem::path protocol_log_file_;
    LogRotation rotation_;
    const std::atomic<bool>& stop_;
};

// A command a server adds to init, show and run.
struct ExtraCommand {
    std::string name;
    CommandText text;
    std::function<void(CLI::App& command)> add_flags;  // may be empty
    std::function<Result<void>(const std::filesystem::path& data_dir, std::ostream& out)> action;
};

struct ServerProgram {
    std::string name;         // "imgshare-ca": the logs' process name
    std::string description;  // the head of --help
    ServerKeyFiles keys;
    CommandText init;
    CommandText show;
    CommandText run;
    // Adds the server's own `run` flags, bound to variables that outlive run_server_*.
    std::function<void(CLI::App& run)> add_run_flags;
    // Builds the server's parts from those flags and serves until context.stop().
    std::function<Result<void>(const RunContext& context)> serve;
    std::vector<ExtraCommand> extra_commands;
};

// Where a command line runs: its output streams and the stop flag `run` serves until.
struct ServerEnvironment {
    std::ostream& out;
    std::ostream& err;
    const std::atomic<bool>& stop;
};

// Parses the command line and runs its command; the exit code. Sets the operational log
// (spdlog's default logger) but nothing else process-wide, so tests may call it.
[[nodiscard]] int run_server_command(int argc, const char* const* argv,
                                     const ServerProgram& program,
                                     const ServerEnvironment& environment);

// A server's whole main(): the start-up every process shares (process.h: allocator
// tuning, no core dumps, the stop signals), then run_server_command on stdout and stderr.
[[nodiscard]] int run_server_main(int argc, char** argv, const ServerProgram& program);

}  // namespace imgshare::service
