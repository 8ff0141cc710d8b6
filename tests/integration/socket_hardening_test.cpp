// Every port the broker opens to peers closes a connection that never
// completes its handshake (ZMQ_HANDSHAKE_IVL, 5 s instead of libzmq's 30 s),
// so silent connections cannot pile up.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "tests/integration/support/cluster.h"
#include "tests/integration/support/silent_connection.h"
#include "tests/integration/support/wait.h"

namespace imgshare::testing {
namespace {

TEST(SocketHardeningTest, SilentConnectionsAreClosedOnEveryBrokerPort) {
    Cluster cluster(ClusterOptions{false, {}, {}, {}});
    std::vector<std::string> endpoints{cluster.client_endpoint(), cluster.events_endpoint(),
                                       cluster.backend_endpoint()};
    std::vector<std::unique_ptr<SilentConnection>> connections;
    for (const auto& endpoint : endpoints) {
        connections.push_back(std::make_unique<SilentConnection>(endpoint));
        ASSERT_TRUE(connections.back()->connected()) << endpoint;
    }
    // Far below libzmq's default 30 s, far above the 5 s set, for a loaded machine.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    for (std::size_t i = 0; i < connections.size(); ++i) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        EXPECT_TRUE(wait_until([&] { return connections[i]->closed_by_peer(); }, left,
                               "the broker to close a silent connection to " + endpoints[i]));
    }
}

}  // namespace
}  // namespace imgshare::testing
