#include "tests/integration/support/process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>

#include "tests/integration/support/wait.h"

extern char** environ;

namespace imgshare::testing {
namespace {

using Clock = std::chrono::steady_clock;

std::vector<std::string> merged_environment(const std::map<std::string, std::string>& extra) {
    std::map<std::string, std::string> all;
    for (char** entry = environ; *entry; ++entry) {
        std::string text(*entry);
        auto equals = text.find('=');
        if (equals != std::string::npos) all[text.substr(0, equals)] = text.substr(equals + 1);
    }
    for (const auto& [key, value] : extra)
        all[key] = value;
    std::vector<std::string> result;
    for (const auto& [key, value] : all)
        result.push_back(key + "=" + value);
    return result;
}

pid_t spawn(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
            const std::string& out_path, const std::string& err_path, int stdin_fd) {
    auto environment = merged_environment(env);
    std::vector<char*> args;
    for (const auto& arg : argv)
        args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    std::vector<char*> envp;
    for (const auto& entry : environment)
        envp.push_back(const_cast<char*>(entry.c_str()));
    envp.push_back(nullptr);
    pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int in = stdin_fd >= 0 ? stdin_fd : open("/dev/null", O_RDONLY);
        dup2(in, 0);
        dup2(out, 1);
        dup2(err, 2);
        setpgid(0, 0);
        execve(args[0], args.data(), envp.data());
        _exit(127);
    }
    return pid;
}

// Reaps child `pid` as soon as it exits, waiting at most `timeout`: its wait status, or
// nullopt if it is still running. A pidfd turns readable at the exit itself, so nothing
// polls; kernels older than 5.3 have none, and then waitpid is polled.
std::optional<int> reap(pid_t pid, std::chrono::milliseconds timeout) {
    int status = 0;
    int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
    if (pidfd < 0) {
        auto exited = wait_until([&] { return waitpid(pid, &status, WNOHANG) == pid; }, timeout,
                                 "the exit of pid " + std::to_string(pid));
        return exited ? std::optional<int>(status) : std::nullopt;
    }
    auto deadline = Clock::now() + timeout;
    auto left_ms = [&] {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        return static_cast<int>(std::max<std::int64_t>(0, left.count()));
    };
    pollfd item{pidfd, POLLIN, 0};
    while (poll(&item, 1, left_ms()) < 0 && errno == EINTR) {
    }
    close(pidfd);
    if (waitpid(pid, &status, WNOHANG) == pid) return status;
    return std::nullopt;
}

int decode_status(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return -WTERMSIG(status);
    return -1;
}

}  // namespace

std::filesystem::path binary_dir() {
    // The test binaries are built next to the servers' (CMAKE_RUNTIME_OUTPUT_DIRECTORY). Found
    // at run time rather than compiled in: a path in a compile definition differs from clone to
    // clone, so no clone's compile could be taken from ccache.
    static const std::filesystem::path directory =
        std::filesystem::read_symlink("/proc/self/exe").parent_path();
    return directory;
}

std::filesystem::path executable(const std::string& name) {
    return binary_dir() / name;
}

namespace {

bool can_bind(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    bool bound = bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    close(fd);
    return bound;
}

}  // namespace

int free_ports(int count) {
    // Below Linux's ephemeral range (32768+), so a port cannot be taken by some
    // connection's local end between this check and the server's bind; never
    // the same port twice in one process.
    static std::mt19937 random(std::random_device{}());
    static std::set<int> handed_out;
    std::uniform_int_distribution<int> pick(20000, 32000 - count);
    for (int attempt = 0; attempt < 1000; ++attempt) {
        int first = pick(random);
        bool free = true;
        for (int port = first; free && port < first + count; ++port)
            free = !handed_out.contains(port) && can_bind(port);
        if (!free) continue;
        for (int port = first; port < first + count; ++port)
            handed_out.insert(port);
        return first;
    }
    throw std::runtime_error("no free port found");
}

std::map<std::string, std::string> client_test_env() {
    return {{"IMGSHARE_PASSPHRASE", "correct horse battery staple"},
            {"IMGSHARE_TEST_FAST_KDF", "1"}};
}

int free_port() {
    return free_ports(1);
}

std::string read_text(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

CommandResult run_command(const std::vector<std::string>& argv,
                          const std::map<std::string, std::string>& env,
                          std::chrono::seconds timeout, const std::string& stdin_text) {
    char pattern[] = "/tmp/imgshare-cmd-XXXXXX";
    if (!mkdtemp(pattern)) throw std::runtime_error("mkdtemp failed");
    std::filesystem::path dir(pattern);
    int stdin_fd = -1;
    if (!stdin_text.empty()) {
        auto in_path = dir / "in";
        std::ofstream(in_path) << stdin_text;
        stdin_fd = open(in_path.c_str(), O_RDONLY);
    }
    pid_t pid = spawn(argv, env, dir / "out", dir / "err", stdin_fd);
    if (stdin_fd >= 0) close(stdin_fd);
    auto status = reap(pid, timeout);
    if (!status) {
        kill(-pid, SIGKILL);
        status = 0;
        waitpid(pid, &*status, 0);
    }
    CommandResult result{decode_status(*status), read_text(dir / "out"), read_text(dir / "err")};
    std::filesystem::remove_all(dir);
    return result;
}

Process::Process(std::vector<std::string> argv, std::filesystem::path log_prefix,
                 const std::map<std::string, std::string>& env)
    : log_prefix_(std::move(log_prefix)) {
    pid_ = spawn(argv, env, log_prefix_.string() + ".out", log_prefix_.string() + ".err", -1);
}

Process::Process(Process&& other) noexcept
    : pid_(other.pid_), status_(other.status_), log_prefix_(std::move(other.log_prefix_)) {
    other.pid_ = -1;
}

Process::~Process() {
    if (pid_ > 0) stop(std::chrono::milliseconds(2000));
}

bool Process::running() {
    if (pid_ <= 0) return false;
    int status = 0;
    pid_t done = waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
        status_ = status;
        pid_ = -1;
        return false;
    }
    return true;
}

int Process::stop(std::chrono::milliseconds grace) {
    if (pid_ <= 0) return decode_status(status_);
    kill(pid_, SIGTERM);
    auto status = reap(pid_, grace);
    if (!status) {
        kill(-pid_, SIGKILL);
        status = 0;
        waitpid(pid_, &*status, 0);
    }
    status_ = *status;
    pid_ = -1;
    return decode_status(status_);
}

void Process::kill_hard() {
    if (pid_ <= 0) return;
    kill(-pid_, SIGKILL);
    waitpid(pid_, &status_, 0);
    pid_ = -1;
}

std::string Process::out() const {
    return read_text(log_prefix_.string() + ".out");
}
std::string Process::err() const {
    return read_text(log_prefix_.string() + ".err");
}

::testing::AssertionResult Process::wait_for_output(const std::string& needle,
                                                    std::chrono::milliseconds timeout,
                                                    size_t count) {
    return wait_for_text(log_prefix_.string() + ".out", needle, timeout, count);
}

::testing::AssertionResult Process::wait_for_err(const std::string& needle,
                                                 std::chrono::milliseconds timeout, size_t count) {
    return wait_for_text(log_prefix_.string() + ".err", needle, timeout, count);
}

::testing::AssertionResult Process::wait_for_text(const std::filesystem::path& path,
                                                  const std::string& needle,
                                                  std::chrono::milliseconds timeout, size_t count) {
    auto what =
        "\"" + needle + "\" " + std::to_string(count) + " time(s) in " + path.filename().string();
    bool exited = false;
    auto written = [&] { return count_of(read_text(path), needle) >= count; };
    auto waited = wait_until(
        [&] {
            exited = !running();  // asked first: a read after the exit holds all it wrote
            return written() || exited;
        },
        timeout, what);
    if (!waited || written()) return waited;
    return ::testing::AssertionFailure() << "the process exited (status " << decode_status(status_)
                                         << ") before writing " << what;
}

::testing::AssertionResult Process::wait_for_exit(std::chrono::milliseconds timeout) {
    if (pid_ > 0) {
        if (auto status = reap(pid_, timeout)) {
            status_ = *status;
            pid_ = -1;
        }
    }
    if (pid_ <= 0) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure()
           << "timed out after " << timeout.count() << " ms waiting for pid " << pid_ << " to exit";
}

size_t count_of(std::string_view text, std::string_view needle) {
    size_t found = 0;
    for (auto at = text.find(needle); at != std::string_view::npos; at = text.find(needle, at + 1))
        ++found;
    return found;
}

std::set<std::uint64_t> open_sockets(pid_t pid) {
    std::set<std::uint64_t> inodes;
    std::error_code error;
    auto fd_dir = std::filesystem::path("/proc") / std::to_string(pid) / "fd";
    for (const auto& entry : std::filesystem::directory_iterator(fd_dir, error)) {
        auto target = std::filesystem::read_symlink(entry.path(), error).string();
        if (!error && target.starts_with("socket:[")) {
            inodes.insert(std::stoull(target.substr(8)));
        }
    }
    return inodes;
}

}  // namespace imgshare::testing
