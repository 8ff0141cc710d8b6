// Every port the broker opens to peers closes a connection that never
// completes its handshake (ZMQ_HANDSHAKE_IVL, 5 s instead of libzmq's 30 s),
// so silent connections cannot pile up.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include "tests/integration/support/cluster.h"

namespace imgshare::testing {
namespace {

int port_of(const std::string& endpoint) {
    return std::stoi(endpoint.substr(endpoint.rfind(':') + 1));
}

// A plain TCP connection that says nothing.
int silent_connection(int port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// Reads (the peer's greeting) until the peer closes; false if it is still open at `deadline`.
bool closed_by_peer(int fd, std::chrono::steady_clock::time_point deadline) {
    char buffer[256];
    while (std::chrono::steady_clock::now() < deadline) {
        pollfd item{fd, POLLIN, 0};
        if (::poll(&item, 1, 100) <= 0) continue;
        auto n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) return true;
    }
    return false;
}

TEST(SocketHardeningTest, SilentConnectionsAreClosedOnEveryBrokerPort) {
    Cluster cluster(ClusterOptions{false, {}, {}, {}});
    std::vector<int> ports{port_of(cluster.client_endpoint()), port_of(cluster.events_endpoint()),
                           port_of(cluster.backend_endpoint())};
    std::vector<int> fds;
    for (int port : ports) {
        int fd = silent_connection(port);
        ASSERT_GE(fd, 0) << port;
        fds.push_back(fd);
    }
    // Far below libzmq's default 30 s, far above the 5 s set, for a loaded machine.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    for (std::size_t i = 0; i < fds.size(); ++i) {
        EXPECT_TRUE(closed_by_peer(fds[i], deadline)) << "port " << ports[i];
        ::close(fds[i]);
    }
}

}  // namespace
}  // namespace imgshare::testing
