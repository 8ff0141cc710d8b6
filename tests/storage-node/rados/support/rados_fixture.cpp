#include "tests/storage-node/rados/support/rados_fixture.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <utility>

#include "tests/integration/support/process.h"
#include "tests/integration/support/wait.h"

namespace imgshare::testing {

namespace {

std::string environment(const char* name, const char* fallback) {
    const char* value = std::getenv(name);
    return value != nullptr && *value != '\0' ? value : fallback;
}

// The value of `key = value` in the conf file ("" if absent).
std::string conf_value(const std::string& conf_file, const std::string& key) {
    std::ifstream in(conf_file);
    const std::regex line_pattern("^\\s*" + key + "\\s*=\\s*(.*?)\\s*$");
    std::smatch match;
    for (std::string line; std::getline(in, line);) {
        if (std::regex_match(line, match, line_pattern)) {
            return match[1];
        }
    }
    return {};
}

// The pid in a daemon's pid file (0 if none).
pid_t pid_in_file(const std::filesystem::path& file) {
    std::ifstream in(file);
    pid_t pid = 0;
    return in >> pid && pid > 0 ? pid : 0;
}

std::filesystem::path osd_pid_file(const std::string& conf_file, int id) {
    return std::filesystem::path(conf_value(conf_file, "run_dir")) /
           ("osd." + std::to_string(id) + ".pid");
}

// `name` found on PATH (execve takes no search), or `name` itself.
std::string ceph_tool(const std::string& name) {
    std::string path = environment("PATH", "/usr/bin:/bin");
    for (size_t start = 0; start <= path.size();) {
        auto end = path.find(':', start);
        if (end == std::string::npos) end = path.size();
        auto candidate = std::filesystem::path(path.substr(start, end - start)) / name;
        if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
        start = end + 1;
    }
    return name;
}

}  // namespace

void RadosTest::SetUp() {
    conf_file_ = environment("IMGSHARE_CEPH_CONF", "");
    if (conf_file_.empty()) {
        GTEST_SKIP() << "no Ceph cluster: set IMGSHARE_CEPH_CONF to a running cluster's ceph.conf "
                        "(deploy/ceph.sh up --dir DIR; deploy/test.sh starts one itself)";
    }
    pool_name_ = environment("IMGSHARE_CEPH_POOL", "imgshare");
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    namespace_ = std::string(test->test_suite_name()) + "." + test->name() + "." +
                 std::to_string(::getpid()) + "." +
                 std::to_string(std::chrono::system_clock::now().time_since_epoch().count());
    auto connection = storage::rados::RadosConnection::connect(options());
    ASSERT_TRUE(connection) << describe(connection.error());
    auto pool = connection->open_pool(pool_name_, namespace_);
    ASSERT_TRUE(pool) << describe(pool.error());
    connection_.emplace(std::move(*connection));
    pool_.emplace(std::move(*pool));
}

storage::rados::ConnectOptions RadosTest::options() const {
    return {.conf_file = conf_file_,
            .user = environment("IMGSHARE_CEPH_USER", "imgshare"),
            .op_timeout = std::chrono::seconds(5),
            .mount_timeout = std::chrono::seconds(10)};
}

Result<storage::rados::RadosPool> RadosTest::second_client() const {
    auto connection = storage::rados::RadosConnection::connect(options());
    if (!connection) {
        return std::unexpected(connection.error());
    }
    return connection->open_pool(pool_name_, namespace_);  // the pool keeps its connection alive
}

std::vector<pid_t> RadosTest::daemon_pids(const std::string& type) const {
    const std::filesystem::path run_dir = conf_value(conf_file_, "run_dir");
    std::vector<pid_t> pids;
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(run_dir, error)) {
        const auto name = entry.path().filename().string();
        if (name.starts_with(type + ".") && name.ends_with(".pid")) {
            std::ifstream in(entry.path());
            pid_t pid = 0;
            if (in >> pid && pid > 0) {
                pids.push_back(pid);
            }
        }
    }
    return pids;
}

KilledOsd::KilledOsd(std::string conf_file, int id) : conf_file_(std::move(conf_file)), id_(id) {
    const pid_t pid = pid_in_file(osd_pid_file(conf_file_, id_));
    if (pid > 0 && ::kill(pid, SIGKILL) == 0) {
        killed_ = true;
        // Gone once its pid no longer answers (not our child: no waitpid). If it lingers,
        // restart() still starts a new daemon, which waits for the old one's lock.
        (void)wait_until([&] { return ::kill(pid, 0) != 0; }, std::chrono::seconds(5),
                         "osd." + std::to_string(id_) + " to die");
    }
}

KilledOsd::~KilledOsd() {
    if (killed_ && !restarted_) {
        if (auto restarted = restart(); !restarted) {
            ADD_FAILURE() << "osd." << id_ << " could not be restarted: " << restarted.message();
        }
    }
}

::testing::AssertionResult KilledOsd::restart() {
    restarted_ = true;
    const auto pid_file = osd_pid_file(conf_file_, id_);
    std::error_code ignored;
    std::filesystem::remove(pid_file, ignored);
    // ceph-osd forks its daemon once BlueStore is mounted and returns.
    auto started = run_command({ceph_tool("ceph-osd"), "-i", std::to_string(id_), "-c", conf_file_},
                               {}, std::chrono::seconds(60));
    if (started.exit_code != 0) {
        return ::testing::AssertionFailure()
               << "ceph-osd -i " << id_ << " failed: " << started.err << started.out;
    }
    return wait_until(
        [&] {
            const pid_t pid = pid_in_file(pid_file);
            return pid > 0 && ::kill(pid, 0) == 0;
        },
        std::chrono::seconds(30), "osd." + std::to_string(id_) + "'s pid file");
}

::testing::AssertionResult wait_until_ceph_healthy(const std::string& conf_file,
                                                   std::chrono::milliseconds timeout) {
    std::string last;
    auto healthy = wait_until(
        [&] {
            auto health = run_command(
                {ceph_tool("ceph"), "--connect-timeout", "10", "-c", conf_file, "health"}, {},
                std::chrono::seconds(20));
            last = health.out + health.err;
            return health.exit_code == 0 && health.out.starts_with("HEALTH_OK");
        },
        timeout, "Ceph to report HEALTH_OK", std::chrono::milliseconds(500));
    if (!healthy) return healthy << "; last: " << last;
    return healthy;
}

FrozenProcesses::FrozenProcesses(std::vector<pid_t> pids) : pids_(std::move(pids)) {
    for (pid_t pid : pids_) {
        ::kill(pid, SIGSTOP);
    }
}

FrozenProcesses::~FrozenProcesses() {
    for (pid_t pid : pids_) {
        ::kill(pid, SIGCONT);
    }
}

}  // namespace imgshare::testing
