// Real executables for integration tests: started with fork/exec, their output
// captured in files, stopped by pid (SIGTERM, then SIGKILL after a grace period).
// Tests wait for what a process writes or for its exit, never for a fixed time.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace imgshare::testing {

// The directory CMake put the executables in.
std::filesystem::path binary_dir();
std::filesystem::path executable(const std::string& name);

// A free TCP port on 127.0.0.1, outside the ephemeral range (checked by binding it).
int free_port();
// The first of `count` consecutive free ports, in the same way.
int free_ports(int count);

struct CommandResult {
    int exit_code = -1;
    std::string out;
    std::string err;
};

// The environment every test client runs with: the test passphrase, and a fast KDF.
std::map<std::string, std::string> client_test_env();

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
    // Waits until stdout holds `needle` `count` times; fails as soon as the process has
    // exited without writing them.
    ::testing::AssertionResult wait_for_output(const std::string& needle,
                                               std::chrono::milliseconds timeout, size_t count = 1);
    // The same for stderr, where the servers write their operational log.
    ::testing::AssertionResult wait_for_err(const std::string& needle,
                                            std::chrono::milliseconds timeout, size_t count = 1);
    // Waits until the process has exited (and reaps it).
    ::testing::AssertionResult wait_for_exit(std::chrono::milliseconds timeout);
    std::filesystem::path out_path() const { return log_prefix_.string() + ".out"; }

  private:
    ::testing::AssertionResult wait_for_text(const std::filesystem::path& path,
                                             const std::string& needle,
                                             std::chrono::milliseconds timeout, size_t count);

    pid_t pid_ = -1;
    int status_ = 0;
    std::filesystem::path log_prefix_;
};

std::string read_text(const std::filesystem::path& path);
// How many times `needle` occurs in `text` (overlapping occurrences too).
size_t count_of(std::string_view text, std::string_view needle);

// The inodes of the sockets process `pid` holds open (/proc/PID/fd), for tests that must
// know when a server has closed its end of a connection.
std::set<std::uint64_t> open_sockets(pid_t pid);

}  // namespace imgshare::testing
