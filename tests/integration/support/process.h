// Real executables for integration tests: started with fork/exec, their output
// captured in files, stopped by pid (SIGTERM, then SIGKILL after a grace period).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace imgshare::testing {

// The directory CMake put the executables in.
std::filesystem::path binary_dir();
std::filesystem::path executable(const std::string& name);

// A free TCP port on 127.0.0.1, outside the ephemeral range (checked by binding it).
int free_port();

struct CommandResult {
    int exit_code = -1;
    std::string out;
    std::string err;
};

// Runs a command to completion (killed after `timeout`), capturing its output.
CommandResult run_command(const std::vector<std::string>& argv,
                          const std::map<std::string, std::string>& env = {},
                          std::chrono::seconds timeout = std::chrono::seconds(60),
                          const std::string& stdin_text = {});

class Process {
  public:
    // Starts argv[0] with the environment extended by `env`; stdout/stderr go
    // to `log_prefix`.out / .err.
    Process(std::vector<std::string> argv, std::filesystem::path log_prefix,
            const std::map<std::string, std::string>& env = {});
    Process(Process&& other) noexcept;
    Process& operator=(Process&&) = delete;
    Process(const Process&) = delete;
    ~Process();

    pid_t pid() const { return pid_; }
    bool running();
    // SIGTERM, wait up to `grace`, then SIGKILL; returns the exit status (or -signal).
    int stop(std::chrono::milliseconds grace = std::chrono::milliseconds(5000));
    void kill_hard();
    std::string out() const;
    std::string err() const;
    // Waits until stdout holds `count` lines containing `needle`.
    bool wait_for_output(const std::string& needle, std::chrono::milliseconds timeout,
                         size_t count = 1) const;
    std::filesystem::path out_path() const { return log_prefix_.string() + ".out"; }

  private:
    pid_t pid_ = -1;
    int status_ = 0;
    std::filesystem::path log_prefix_;
};

std::string read_text(const std::filesystem::path& path);

}  // namespace imgshare::testing
