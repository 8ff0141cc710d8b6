// A stand-in broker for unit tests of a real ServiceWorker: a CURVE ROUTER bound to a free
// loopback port, with its own key pair, that the test drives by hand. receive() hands over
// the worker's next message other than a heartbeat (heartbeats come and go; tests want
// replies), and waits at most 10 s, so that a broken worker fails the test instead of
// hanging it.
#pragma once

#include <gtest/gtest.h>
#include <zmq.hpp>

#include <chrono>
#include <string>

#include "common/crypto/keys.h"
#include "common/net/multipart.h"
#include "common/protocol/codec.h"
#include "common/protocol/control_messages.h"

namespace imgshare::test {

class StandInBroker {
  public:
    StandInBroker() {
        router_.set(zmq::sockopt::curve_server, true);
        router_.set(zmq::sockopt::curve_secretkey,
                    zmq::const_buffer(keys_.secret_key.data(), keys_.secret_key.size()));
        router_.set(zmq::sockopt::linger, 0);
        router_.bind("tcp://127.0.0.1:*");
    }

    [[nodiscard]] std::string endpoint() const { return router_.get(zmq::sockopt::last_endpoint); }
    [[nodiscard]] const Bytes& public_key() const { return keys_.public_key; }
    zmq::socket_t& socket() { return router_; }

    // The next message from a worker other than a heartbeat, routing frame first.
    Frames receive() {
        zmq::pollitem_t item{router_.handle(), 0, ZMQ_POLLIN, 0};
        while (zmq::poll(&item, 1, std::chrono::seconds(10)) > 0) {
            auto message = net::receive_message(router_, 4);
            if (!message) continue;
            Frames frames;
            for (auto& frame : message->frames) {
                auto view = net::view_of(frame);
                frames.emplace_back(view.begin(), view.end());
            }
            if (frames.size() >= 2 &&
                decode_header(frames[1]).value().type == HeartbeatMessage::kType) {
                continue;
            }
            return frames;
        }
        ADD_FAILURE() << "no message from the worker";
        return {};
    }

  private:
    zmq::context_t context_{1};
    zmq::socket_t router_{context_, zmq::socket_type::router};
    CurveKeyPair keys_ = generate_curve_keys();
};

}  // namespace imgshare::test
