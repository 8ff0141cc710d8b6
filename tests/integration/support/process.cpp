#include "tests/integration/support/process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

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

int decode_status(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return -WTERMSIG(status);
    return -1;
}

}  // namespace

std::filesystem::path binary_dir() {
    return IMGSHARE_BIN_DIR;
}

std::filesystem::path executable(const std::string& name) {
    return binary_dir() / name;
}

int free_port() {
    // Below Linux's ephemeral range (32768+), so a port cannot be taken by some
    // connection's local end between this check and the server's bind; never
    // the same port twice in one process.
    static std::mt19937 random(std::random_device{}());
    static std::set<int> handed_out;
    std::uniform_int_distribution<int> pick(20000, 32000);
    for (int attempt = 0; attempt < 1000; ++attempt) {
        int port = pick(random);
        if (handed_out.contains(port)) continue;
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        address.sin_port = htons(static_cast<std::uint16_t>(port));
        bool bound = bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
        close(fd);
        if (bound) {
            handed_out.insert(port);
            return port;
        }
    }
    throw std::runtime_error("no free port found");
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
    int status = 0;
    auto deadline = Clock::now() + timeout;
    while (waitpid(pid, &status, WNOHANG) == 0) {
        if (Clock::now() > deadline) {
            kill(-pid, SIGKILL);
            waitpid(pid, &status, 0);
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    CommandResult result{decode_status(status), read_text(dir / "out"), read_text(dir / "err")};
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
    auto deadline = Clock::now() + grace;
    int status = 0;
    while (waitpid(pid_, &status, WNOHANG) == 0) {
        if (Clock::now() > deadline) {
            kill(-pid_, SIGKILL);
            waitpid(pid_, &status, 0);
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    status_ = status;
    pid_ = -1;
    return decode_status(status);
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

bool Process::wait_for_output(const std::string& needle, std::chrono::milliseconds timeout,
                              size_t count) const {
    auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
        auto text = out();
        size_t found = 0;
        for (size_t at = text.find(needle); at != std::string::npos;
             at = text.find(needle, at + 1)) {
            ++found;
        }
        if (found >= count) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

}  // namespace imgshare::testing
