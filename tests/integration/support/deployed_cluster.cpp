#include "tests/integration/support/deployed_cluster.h"

#include <signal.h>
#include <stdlib.h>

#include <fstream>
#include <stdexcept>

#include "common/crypto/keys.h"

namespace imgshare::testing {
namespace {

namespace fs = std::filesystem;

std::string first_line(const std::string& text) {
    return text.substr(0, text.find('\n'));
}

}  // namespace

fs::path source_dir() {
    // Read from the build's CMakeCache.txt (the bin directory's parent) rather than compiled
    // in: a path in a compile definition differs from clone to clone, and no clone's compile
    // could then be taken from ccache.
    static const fs::path directory = [] {
        const fs::path cache = binary_dir().parent_path() / "CMakeCache.txt";
        std::ifstream in(cache);
        constexpr std::string_view kKey = "CMAKE_HOME_DIRECTORY:INTERNAL=";
        for (std::string line; std::getline(in, line);) {
            if (line.starts_with(kKey)) return fs::path(line.substr(kKey.size()));
        }
        throw std::runtime_error("cannot find the source directory in " + cache.string());
    }();
    return directory;
}

DeployedCluster::DeployedCluster(std::map<std::string, std::string> env) : env_(std::move(env)) {
    char pattern[] = "/tmp/imgshare-deployed-XXXXXX";
    if (!mkdtemp(pattern)) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    env_["IMGSHARE_BIN"] = binary_dir().string();
}

DeployedCluster::~DeployedCluster() {
    if (started_) (void)cluster_sh("down");
    if (!getenv("IMGSHARE_KEEP_TEST_DIRS")) {
        std::error_code ignored;
        fs::remove_all(dir_, ignored);
    }
}

CommandResult DeployedCluster::cluster_sh(const std::string& command,
                                          const std::vector<std::string>& flags) {
    std::vector<std::string> argv{(source_dir() / "deploy" / "cluster.sh").string(), command,
                                  "--dir", dir_.string()};
    if (command == "up") {
        argv.push_back("--base-port");
        argv.push_back(std::to_string(base_port_));
    }
    argv.insert(argv.end(), flags.begin(), flags.end());
    return run_command(argv, env_, std::chrono::seconds(60));
}

::testing::AssertionResult DeployedCluster::down() {
    started_ = false;
    auto result = cluster_sh("down");
    if (result.exit_code == 0) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure()
           << "cluster.sh down failed (" << result.exit_code << "):\n" << result.out << result.err;
}

::testing::AssertionResult DeployedCluster::up(const std::vector<std::string>& flags) {
    if (base_port_ == 0) base_port_ = free_ports(4);  // a second up keeps the ports, as homes do
    started_ = true;
    auto result = cluster_sh("up", flags);
    if (result.exit_code != 0) {
        return ::testing::AssertionFailure()
               << "cluster.sh up failed (" << result.exit_code << "):\n"
               << result.out << result.err << "\nbroker.err:\n"
               << broker_err();
    }
    auto key = z85_decode(first_line(read_text(dir_ / "broker" / "broker.pub")));
    if (!key) return ::testing::AssertionFailure() << "no broker key in " << dir_;
    broker_public_key_ = *key;
    return ::testing::AssertionSuccess();
}

std::string DeployedCluster::client_endpoint() const {
    return "tcp://127.0.0.1:" + std::to_string(base_port_);
}

std::string DeployedCluster::events_endpoint() const {
    return "tcp://127.0.0.1:" + std::to_string(base_port_ + 1);
}

std::optional<pid_t> DeployedCluster::broker_pid() const {
    auto text = first_line(read_text(dir_ / "pids" / "broker.pid"));
    if (text.empty()) return std::nullopt;
    pid_t pid = std::stoi(text);
    if (kill(pid, 0) != 0) return std::nullopt;
    return pid;
}

std::string DeployedCluster::broker_memory_limit() const {
    return first_line(read_text(dir_ / "broker.memory-limit"));
}

std::string DeployedCluster::broker_err() const {
    return read_text(dir_ / "logs" / "broker.err");
}

CommandResult DeployedCluster::imgshare(const fs::path& home, const std::vector<std::string>& args,
                                        std::chrono::seconds timeout) {
    std::vector<std::string> argv{executable("imgshare"), "--home", home};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv, client_test_env(), timeout);
}

fs::path DeployedCluster::new_user(const std::string& username) {
    auto home = dir_ / "homes" / username;
    fs::create_directories(home.parent_path());
    auto init = imgshare(home, {"init", "--broker", client_endpoint(), "--events",
                                events_endpoint(), "--trust", (dir_ / "trust").string()});
    if (init.exit_code != 0) throw std::runtime_error("imgshare init: " + init.err);
    auto registered = imgshare(home, {"register", username});
    if (registered.exit_code != 0) {
        throw std::runtime_error("register " + username + ": " + registered.err);
    }
    return home;
}

std::unique_ptr<Process> DeployedCluster::start_watcher(const fs::path& home) {
    return std::make_unique<Process>(
        std::vector<std::string>{executable("imgshare-watch"), "--home", home.string()},
        dir_ / "watcher", client_test_env());
}

}  // namespace imgshare::testing
