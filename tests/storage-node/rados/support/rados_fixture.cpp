#include "tests/storage-node/rados/support/rados_fixture.h"

#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>

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
