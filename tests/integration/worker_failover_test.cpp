// A service worker that vanishes between two of the broker's heartbeats (a
// killed or restarted node): the broker's send to it fails at once, and the
// request goes to the service's next live worker instead of back to the
// client as SERVICE_UNAVAILABLE.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <iterator>
#include <set>

#include <zmq.hpp>

#include "common/net/multipart.h"
#include "common/net/socket_options.h"
#include "common/server_keys.h"
#include "tests/integration/support/cluster_fixture.h"
#include "tests/integration/support/raw_client.h"
#include "tests/integration/support/signed_requests.h"
#include "tests/integration/support/wait.h"

namespace imgshare::testing {
namespace {

using namespace std::chrono_literals;

void send(zmq::socket_t& socket, const Frames& frames) {
    auto out = net::frames_of(frames);
    ASSERT_TRUE(net::send_message(socket, out));
}

// Waits for the broker's next HEARTBEAT on `socket`; false after `timeout`.
bool heartbeat_arrives(zmq::socket_t& socket, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
        zmq::poll(&item, 1, 50ms);
        while (auto message = net::receive_message(socket, 4)) {
            auto header = decode_header(net::view_of(message->frames[0]));
            if (header && header->type == HeartbeatMessage::kType) return true;
        }
    }
    return false;
}

class WorkerFailoverTest : public ClusterTest {};

TEST_F(WorkerFailoverTest, ARequestForAVanishedWorkerIsAnsweredByTheServicesNextWorker) {
    auto alice = register_user(cluster_, "alice");
    RawClient client(cluster_.client_endpoint(), cluster_.broker_public_key(), alice.keys.curve);
    ASSERT_EQ(error_code_of(*client.call(encode(CaInfoRequest{}, 1))), std::nullopt);

    const pid_t broker = cluster_.broker()->pid();
    std::set<std::uint64_t> vanished;  // the broker's end of the second worker's connection
    {
        // A second storage worker, with the storage node's own key, that goes
        // away without DISCONNECT right after a heartbeat: the broker's next
        // heartbeat, which would notice, is 2.5 s away.
        auto keys = load_curve_key_files(cluster_.storage_dir(), "service");
        ASSERT_TRUE(keys) << keys.error().message;
        auto sockets_before = open_sockets(broker);
        zmq::context_t context(1);
        zmq::socket_t socket(context, zmq::socket_type::dealer);
        net::harden_peer_socket(socket, net::Liveness::Service);
        net::make_curve_client(socket, cluster_.broker_public_key(), keys->public_key,
                               keys->secret_key.view());
        socket.set(zmq::sockopt::linger, 0);
        socket.connect(cluster_.backend_endpoint());
        send(socket, encode(ReadyMessage{"storage", "vanishing"}, 0));
        ASSERT_TRUE(cluster_.wait_for_service("storage", 2));
        ASSERT_TRUE(heartbeat_arrives(socket, 10s));
        auto sockets_after = open_sockets(broker);
        std::ranges::set_difference(sockets_after, sockets_before,
                                    std::inserter(vanished, vanished.end()));
        ASSERT_EQ(vanished.size(), 1u) << "the broker opened other sockets meanwhile";
    }
    // The request must find the connection gone, as after a crash: the broker's I/O thread
    // has seen it close once the broker no longer holds its socket.
    ASSERT_TRUE(wait_until([&] { return !open_sockets(broker).contains(*vanished.begin()); }, 10s,
                           "the broker to close its end of the vanished worker's connection"));

    // Round robin: two requests in a row reach both workers.
    for (std::uint64_t id = 2; id <= 4; ++id) {
        auto reply = client.call(encode(ListRequest{}, id), 10s);
        ASSERT_TRUE(reply) << "LIST " << id << " was never answered";
        EXPECT_EQ(error_code_of(*reply), std::nullopt) << "LIST " << id;
    }
}

}  // namespace
}  // namespace imgshare::testing
