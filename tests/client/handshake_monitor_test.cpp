// What the socket monitor makes of each kind of peer: a CURVE server holding
// the pinned key (a handshake, then a lost connection and a new handshake when
// it restarts), one without it (it closes the handshake), and a port whose
// kernel accepts connections that nothing answers (a frozen broker).
#include "client/handshake_monitor.h"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>

#include "common/net/socket_options.h"
#include "tests/client/fake_broker.h"

namespace imgshare::client {
namespace {

using namespace std::chrono_literals;
using testing::copy_of;
using testing::FakeBroker;
using testing::FrozenBroker;

std::vector<Frames> answer_nothing(const Frames&) {
    return {};
}

// A client DEALER pinned to `server_key`, watched by a HandshakeMonitor.
class MonitoredClient {
  public:
    explicit MonitoredClient(const Bytes& server_key) {
        net::harden_peer_socket(socket_, net::Liveness::Client);
        net::make_curve_client(socket_, server_key, keys_.public_key, keys_.secret_key.view());
        monitor_ = std::make_unique<HandshakeMonitor>(context_, socket_);
    }
    ~MonitoredClient() {
        monitor_.reset();
        socket_.close();
    }
    void connect(const std::string& endpoint) { socket_.connect(endpoint); }

    // Drains the monitor until `condition` holds (true) or 5 s passed (false).
    bool wait_for(const std::function<bool(const HandshakeMonitor&)>& condition) {
        const auto deadline = std::chrono::steady_clock::now() + 5s;
        while (true) {
            monitor_->drain();
            if (condition(*monitor_)) return true;
            if (std::chrono::steady_clock::now() >= deadline) return false;
            zmq::pollitem_t item{monitor_->socket().handle(), 0, ZMQ_POLLIN, 0};
            zmq::poll(&item, 1, 50ms);
        }
    }
    HandshakeMonitor& monitor() { return *monitor_; }

  private:
    CurveKeyPair keys_ = generate_curve_keys();
    zmq::context_t context_{1};
    zmq::socket_t socket_{context_, zmq::socket_type::dealer};
    std::unique_ptr<HandshakeMonitor> monitor_;
};

TEST(HandshakeMonitorTest, AHandshakeWithThePinnedKeyThenARestartMakesASecondOne) {
    auto broker_keys = generate_curve_keys();
    auto first = std::make_unique<FakeBroker>(answer_nothing, copy_of(broker_keys));
    const std::string endpoint = first->endpoint();
    MonitoredClient client(broker_keys.public_key);
    client.connect(endpoint);
    ASSERT_TRUE(client.wait_for([](const auto& m) { return m.handshakes() == 1; }));
    EXPECT_TRUE(client.monitor().up());
    EXPECT_GE(client.monitor().connections(), 1);
    EXPECT_FALSE(client.monitor().closed_in_handshake());

    first.reset();  // the broker goes away...
    ASSERT_TRUE(client.wait_for([](const auto& m) { return !m.up(); }));
    FakeBroker second(answer_nothing, copy_of(broker_keys), endpoint);  // ...and comes back
    ASSERT_TRUE(client.wait_for([](const auto& m) { return m.handshakes() == 2; }));
    EXPECT_TRUE(client.monitor().up());
}

TEST(HandshakeMonitorTest, AServerWithoutThePinnedKeyClosesTheHandshake) {
    FakeBroker impostor(answer_nothing);
    MonitoredClient client(generate_curve_keys().public_key);
    client.connect(impostor.endpoint());
    ASSERT_TRUE(client.wait_for([](const auto& m) { return m.closed_in_handshake(); }));
    EXPECT_EQ(client.monitor().handshakes(), 0);
    EXPECT_FALSE(client.monitor().up());
    EXPECT_FALSE(client.monitor().key_refused());
}

TEST(HandshakeMonitorTest, AConnectionNothingAnswersIsAcceptedAndNotClosed) {
    FrozenBroker frozen;
    MonitoredClient client(generate_curve_keys().public_key);
    client.connect(frozen.endpoint());
    EXPECT_TRUE(client.wait_for([](const auto& m) { return m.connections() >= 1; }));
    EXPECT_EQ(client.monitor().handshakes(), 0);
    EXPECT_FALSE(client.monitor().closed_in_handshake());
}

}  // namespace
}  // namespace imgshare::client
