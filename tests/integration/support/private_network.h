// A private network namespace for a test: the calling thread leaves the machine's network
// for a new one that has only a loopback interface, up, and no firewall rules, so a test may
// load nftables rules (deploy/connection-limit.sh) without touching the machine's. Every
// process and thread the calling thread starts afterwards is in it too; destroying the
// object takes the thread back to the network it came from (stop what you started first).
// Needs CAP_SYS_ADMIN (root, as CI runs the suite).
#pragma once

#include <expected>
#include <string>

namespace imgshare::testing {

class PrivateNetwork {
  public:
    // The new namespace, or what is missing ("... needs root (CAP_SYS_ADMIN): ...").
    static std::expected<PrivateNetwork, std::string> enter();
    ~PrivateNetwork();
    PrivateNetwork(PrivateNetwork&& other) noexcept;
    PrivateNetwork& operator=(PrivateNetwork&&) = delete;
    PrivateNetwork(const PrivateNetwork&) = delete;
    PrivateNetwork& operator=(const PrivateNetwork&) = delete;

  private:
    explicit PrivateNetwork(int original) : original_(original) {}
    int original_;  // the machine's namespace (/proc/self/task/TID/ns/net), to go back to
};

}  // namespace imgshare::testing
