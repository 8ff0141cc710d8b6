// A cluster started the way an operator starts one: `deploy/cluster.sh up` on free
// loopback ports in a temporary directory, so the broker runs under the deploy scripts'
// memory limit and supervisor (deploy/memory-limit.sh, deploy/supervise.sh); `down` when
// the test ends. For tests of what those scripts promise; other tests use support/cluster.h.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "tests/integration/support/process.h"

namespace imgshare::testing {

// The repository's root (deploy/ is under it).
std::filesystem::path source_dir();

class DeployedCluster {
  public:
    // `env` is added to cluster.sh's environment (e.g. IMGSHARE_BROKER_MEMORY_MAX).
    explicit DeployedCluster(std::map<std::string, std::string> env = {});
    ~DeployedCluster();
    DeployedCluster(const DeployedCluster&) = delete;
    DeployedCluster& operator=(const DeployedCluster&) = delete;

    // cluster.sh up with `flags` added (e.g. --connection-limit 5/s), on free ports the first
    // time and on the same ones after a down; fails with its output when it does not come up.
    [[nodiscard]] ::testing::AssertionResult up(const std::vector<std::string>& flags = {});
    // cluster.sh down (else the destructor runs it); fails with its output.
    [[nodiscard]] ::testing::AssertionResult down();

    const std::filesystem::path& dir() const { return dir_; }
    std::string client_endpoint() const;
    std::string events_endpoint() const;
    const Bytes& broker_public_key() const { return broker_public_key_; }
    // The broker's pid as cluster.sh's pid file says now (its supervisor rewrites it at each
    // start); nullopt when it is not alive.
    std::optional<pid_t> broker_pid() const;
    // DIR/broker.memory-limit: "BYTES cgroup1 DIR", "BYTES cgroup2 DIR",
    // "BYTES systemd-run" or "none: WHY".
    std::string broker_memory_limit() const;
    // What the broker's supervisor and its start-up errors wrote (DIR/logs/broker.err).
    std::string broker_err() const;

    // `imgshare --home HOME args...` with the test passphrase and fast KDF.
    CommandResult imgshare(const std::filesystem::path& home, const std::vector<std::string>& args,
                           std::chrono::seconds timeout = std::chrono::seconds(60));
    // A home initialised against this cluster and registered as `username`.
    std::filesystem::path new_user(const std::string& username);
    std::unique_ptr<Process> start_watcher(const std::filesystem::path& home);

  private:
    CommandResult cluster_sh(const std::string& command,
                             const std::vector<std::string>& flags = {});

    std::map<std::string, std::string> env_;
    std::filesystem::path dir_;
    int base_port_ = 0;
    Bytes broker_public_key_;
    bool started_ = false;
};

}  // namespace imgshare::testing
