// The options every socket facing a peer gets (DESIGN.md §7): read back from
// libzmq, so a default that breaks a promise cannot slip back in.
#include "common/net/socket_options.h"

#include <gtest/gtest.h>

#include "common/crypto/keys.h"
#include "common/protocol/limits.h"

#ifndef ZMQ_ZAP_ENFORCE_DOMAIN
#define ZMQ_ZAP_ENFORCE_DOMAIN 93
#endif

namespace imgshare::net {
namespace {

TEST(SocketOptionsTest, PeerSocketsBoundMessagesHandshakesAndQueues) {
    zmq::context_t context(1);
    for (auto type : {zmq::socket_type::router, zmq::socket_type::dealer, zmq::socket_type::xpub,
                      zmq::socket_type::sub}) {
        for (auto liveness : {Liveness::Service, Liveness::Client, Liveness::ClientFacing}) {
            zmq::socket_t socket(context, type);
            harden_peer_socket(socket, liveness);
            EXPECT_EQ(socket.get(zmq::sockopt::maxmsgsize), static_cast<int64_t>(kMaxFrameBytes));
            EXPECT_EQ(socket.get(zmq::sockopt::handshake_ivl), kHandshakeMs);
            EXPECT_LT(kHandshakeMs, 30'000);  // libzmq's default would keep silent peers 30 s
            const HeartbeatSettings expected = heartbeat_settings(liveness);
            EXPECT_EQ(socket.get(zmq::sockopt::heartbeat_ivl), expected.interval_ms);
            EXPECT_EQ(socket.get(zmq::sockopt::heartbeat_timeout), expected.timeout_ms);
            EXPECT_EQ(socket.get(zmq::sockopt::heartbeat_ttl), expected.ttl_ms);
            EXPECT_EQ(socket.get(zmq::sockopt::linger), 0);
            EXPECT_EQ(socket.get(zmq::sockopt::sndhwm), kHighWaterMark);
            EXPECT_EQ(socket.get(zmq::sockopt::rcvhwm), kHighWaterMark);
        }
    }
}

TEST(SocketOptionsTest, EveryLinkIsHeartbeatenAndOnlyServiceLinksAskForATtlTimer) {
    const auto service = heartbeat_settings(Liveness::Service);
    EXPECT_EQ(service.interval_ms, 2500);
    EXPECT_EQ(service.ttl_ms, service.timeout_ms);
    // Thousands of client links at the broker: no TTL timer there per link, and the broker's
    // own ping once a minute (libzmq's linear timer cancel, docs/BENCHMARKS.md).
    const auto client = heartbeat_settings(Liveness::Client);
    const auto facing = heartbeat_settings(Liveness::ClientFacing);
    EXPECT_EQ(client.ttl_ms, 0);
    EXPECT_EQ(facing.ttl_ms, 0);
    EXPECT_GT(client.interval_ms, 0);
    EXPECT_GT(facing.interval_ms, 0);
    EXPECT_GE(facing.interval_ms, 3 * client.interval_ms);
    // Both ends still notice a silent peer: each waits at most a minute after its ping.
    EXPECT_LE(client.timeout_ms, 60'000);
    EXPECT_LE(facing.timeout_ms, 60'000);
}

TEST(SocketOptionsTest, CurveServersFailClosedWithoutAZapHandler) {
    zmq::context_t context(1);
    zmq::socket_t server(context, zmq::socket_type::router);
    auto keys = generate_curve_keys();
    make_curve_server(server, keys.secret_key.view(), "clients");
    EXPECT_EQ(server.get(zmq::sockopt::curve_server), 1);
    EXPECT_EQ(server.get(zmq::sockopt::zap_domain), "clients");
    int enforce = 0;
    size_t size = sizeof enforce;
    ASSERT_EQ(zmq_getsockopt(server.handle(), ZMQ_ZAP_ENFORCE_DOMAIN, &enforce, &size), 0);
    EXPECT_EQ(enforce, 1);
    make_router_mandatory(server);  // write-only in libzmq: set without error is the check
}

TEST(SocketOptionsTest, CurveClientsPinTheServerKey) {
    zmq::context_t context(1);
    zmq::socket_t client(context, zmq::socket_type::dealer);
    auto server = generate_curve_keys();
    auto mine = generate_curve_keys();
    make_curve_client(client, server.public_key, mine.public_key, mine.secret_key.view());
    std::array<std::uint8_t, 32> pinned{};
    EXPECT_EQ(client.get(zmq::sockopt::curve_serverkey, zmq::buffer(pinned)), pinned.size());
    EXPECT_EQ(Bytes(pinned.begin(), pinned.end()), server.public_key);
    EXPECT_THROW(make_curve_client(client, Bytes(31, 1), mine.public_key, mine.secret_key.view()),
                 std::invalid_argument);
}

}  // namespace
}  // namespace imgshare::net
