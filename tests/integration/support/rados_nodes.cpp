#include "tests/integration/support/rados_nodes.h"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string_view>

#include "common/bytes.h"
#include "common/crypto/keys.h"

namespace imgshare::testing {

namespace fs = std::filesystem;

namespace {

std::string setting_or(const char* name, const char* fallback) {
    const char* value = std::getenv(name);
    return value != nullptr && *value != '\0' ? value : fallback;
}

}  // namespace

void RadosClusterTest::SetUp() {
    if (!ceph_configured()) {
        GTEST_SKIP() << "no Ceph cluster: set IMGSHARE_CEPH_CONF (deploy/ceph.sh up)";
    }
    namespace_ = fresh_pool_namespace();
    ClusterOptions options;
    options.storage_args = rados_storage_flags(namespace_);
    cluster_ = std::make_unique<Cluster>(std::move(options));
}

bool ceph_configured() { return !ceph_conf().empty(); }
std::string ceph_conf() { return setting_or("IMGSHARE_CEPH_CONF", ""); }
std::string ceph_pool() { return setting_or("IMGSHARE_CEPH_POOL", "imgshare"); }
std::string ceph_user() { return setting_or("IMGSHARE_CEPH_USER", "imgshare"); }

std::string fresh_pool_namespace() {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    const std::string name = test != nullptr ? test->name() : "none";
    return "it." + name + "." + std::to_string(::getpid()) + "." +
           std::to_string(std::chrono::system_clock::now().time_since_epoch().count());
}

std::vector<std::string> rados_storage_flags(const std::string& pool_namespace) {
    return {"--backend",   "rados",      "--ceph-conf",      ceph_conf(),   "--pool",
            ceph_pool(),   "--ceph-user", ceph_user(),       "--pool-namespace",
            pool_namespace};
}

::testing::AssertionResult start_extra_storage_node(Cluster& cluster, const std::string& node_id,
                                                    const std::vector<std::string>& flags,
                                                    std::unique_ptr<Process>& process) {
    const auto dir = cluster.dir() / node_id;
    fs::create_directories(dir);
    for (const char* file : {"service.key", "service.pub"}) {
        fs::copy_file(cluster.storage_dir() / file, dir / file,
                      fs::copy_options::overwrite_existing);
    }
    std::vector<std::string> argv{executable("imgshare-storage"),
                                  "run",
                                  "--data-dir",
                                  dir.string(),
                                  "--broker",
                                  cluster.backend_endpoint(),
                                  "--broker-key",
                                  z85_encode(cluster.broker_public_key()),
                                  "--ca-key",
                                  to_hex(cluster.ca_verify_key()),
                                  "--node-id",
                                  node_id};
    argv.insert(argv.end(), flags.begin(), flags.end());
    const auto before = cluster.ready_count("storage");
    process = std::make_unique<Process>(argv, cluster.dir() / (node_id + "-process"));
    return cluster.wait_for_service("storage", before + 1);
}

size_t requests_in_log(const fs::path& protocol_log) {
    const auto text = read_text(protocol_log);
    size_t requests = 0;
    size_t start = 0;
    while (start < text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        const std::string_view line(text.data() + start, end - start);
        if (line.find("\"direction\":\"received\"") != std::string_view::npos &&
            line.find("\"type\":\"HEARTBEAT\"") == std::string_view::npos) {
            ++requests;
        }
        start = end + 1;
    }
    return requests;
}

}  // namespace imgshare::testing
