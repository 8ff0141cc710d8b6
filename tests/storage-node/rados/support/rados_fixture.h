// The fixture of the librados wrapper's tests: a REAL Ceph cluster, named by the
// environment, never a mock.
//
//   IMGSHARE_CEPH_CONF  its ceph.conf (deploy/ceph.sh up --dir DIR writes DIR/ceph.conf;
//                       deploy/test.sh starts a cluster and sets this). Unset: every test
//                       of this fixture is skipped, saying so.
//   IMGSHARE_CEPH_POOL  the pool (default imgshare), IMGSHARE_CEPH_USER the client (imgshare).
//
// Each test gets a RADOS namespace of its own (suite, test, pid, time), so tests running at
// once, or again on the same cluster, never see each other's objects.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "storage-node/rados/rados_connection.h"
#include "storage-node/rados/rados_pool.h"

namespace imgshare::testing {

class RadosTest : public ::testing::Test {
  protected:
    void SetUp() override;

    // The options the fixture connects with: short timeouts, so a fault shows in seconds.
    [[nodiscard]] storage::rados::ConnectOptions options() const;

    // Another client of the same cluster (its own connection), on the same namespace.
    [[nodiscard]] Result<storage::rados::RadosPool> second_client() const;

    // The pids of this cluster's daemons of `type` ("osd", "mon"), read from the pid
    // files in the conf's run_dir (deploy/ceph.sh writes them).
    [[nodiscard]] std::vector<pid_t> daemon_pids(const std::string& type) const;

    std::string conf_file_;
    std::string pool_name_;
    std::string namespace_;
    std::optional<storage::rados::RadosConnection> connection_;
    std::optional<storage::rados::RadosPool> pool_;
};

// Stops the processes with SIGSTOP; SIGCONT when destroyed (also when a test fails).
class FrozenProcesses {
  public:
    explicit FrozenProcesses(std::vector<pid_t> pids);
    FrozenProcesses(const FrozenProcesses&) = delete;
    FrozenProcesses& operator=(const FrozenProcesses&) = delete;
    ~FrozenProcesses();

  private:
    std::vector<pid_t> pids_;
};

}  // namespace imgshare::testing
