// Storage nodes on the test's Ceph cluster (IMGSHARE_CEPH_CONF, which deploy/test.sh exports;
// tests skip without it): the flags that put `imgshare-storage run` on the pool, a RADOS
// namespace of its own for each test (so runs sharing the pool never see each other's
// objects), more nodes next to a Cluster's own, and how many requests a node has served
// (counted in its protocol log).
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tests/integration/support/cluster.h"
#include "tests/integration/support/process.h"

namespace imgshare::testing {

// A Cluster (CA, broker, one storage node) whose storage node runs on the test cluster's
// pool in a namespace of its own (namespace_); every test is skipped, saying so, without a
// Ceph cluster.
class RadosClusterTest : public ::testing::Test {
  protected:
    void SetUp() override;

    std::string namespace_;
    std::unique_ptr<Cluster> cluster_;
};

// Whether a Ceph cluster is configured for the tests (IMGSHARE_CEPH_CONF is set).
[[nodiscard]] bool ceph_configured();
// IMGSHARE_CEPH_CONF, IMGSHARE_CEPH_POOL (imgshare), IMGSHARE_CEPH_USER (imgshare).
[[nodiscard]] std::string ceph_conf();
[[nodiscard]] std::string ceph_pool();
[[nodiscard]] std::string ceph_user();
// A namespace no other test or run uses: the test's name, the pid and the time.
[[nodiscard]] std::string fresh_pool_namespace();
// `--backend rados --ceph-conf … --pool … --ceph-user … --pool-namespace NS`.
[[nodiscard]] std::vector<std::string> rados_storage_flags(const std::string& pool_namespace);

// Another storage node of `cluster` (whose own node runs with `flags`), as node `node_id`:
// its own data directory, cluster.dir()/node_id, holding the storage service's key (the
// broker knows one key per service). Started into `process`; waits for its READY.
[[nodiscard]] ::testing::AssertionResult start_extra_storage_node(
    Cluster& cluster, const std::string& node_id, const std::vector<std::string>& flags,
    std::unique_ptr<Process>& process);

// The requests (anything received but heartbeats) a node's protocol log records so far.
// The storage node flushes its log before it waits for input, so an idle node's count is
// complete; a node killed with SIGKILL may lose its last burst.
[[nodiscard]] size_t requests_in_log(const std::filesystem::path& protocol_log);

}  // namespace imgshare::testing
