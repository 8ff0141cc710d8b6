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

// One OSD of the cluster (`osd.<id>`, found by its pid file in the conf's run_dir) killed
// with SIGKILL at construction: a crash, nothing flushed. restart() starts it again
// (`ceph-osd -i <id> -c CONF`, as deploy/ceph.sh does) and waits for its new pid file; if the
// test never did, the destructor does, so a failing test never leaves the shared cluster an
// OSD short.
class KilledOsd {
  public:
    KilledOsd(std::string conf_file, int id);
    KilledOsd(const KilledOsd&) = delete;
    KilledOsd& operator=(const KilledOsd&) = delete;
    ~KilledOsd();

    // Whether an OSD was found and killed.
    [[nodiscard]] bool killed() const { return killed_; }
    [[nodiscard]] ::testing::AssertionResult restart();

  private:
    std::string conf_file_;
    int id_;
    bool killed_ = false;
    bool restarted_ = false;
};

// Waits until `ceph health` (as client.admin, whose keyring deploy/ceph.sh writes next to the
// conf) says HEALTH_OK: every placement group active and clean again.
[[nodiscard]] ::testing::AssertionResult wait_until_ceph_healthy(const std::string& conf_file,
                                                                 std::chrono::milliseconds timeout);

}  // namespace imgshare::testing
