// A SUB socket on a cluster's events endpoint, authenticated with a user's (or
// a stranger's) CURVE keys, for tests of who hears which events. The broker
// admits or refuses each topic asked for, in the order asked, and logs each
// refusal (broker/event_channel.h); wait_until_decided() builds on that, so a
// test knows its subscription is live before anything is published.
#pragma once

#include <gtest/gtest.h>

#include <zmq.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/crypto/keys.h"
#include "common/protocol/event.h"
#include "tests/integration/support/cluster.h"

namespace imgshare::testing {

class Subscriber {
  public:
    // Connects with `keys` and asks for `topics` in order. `cluster` must outlive it.
    Subscriber(Cluster& cluster, const CurveKeyPair& keys,
               const std::vector<std::string>& topics = {});
    Subscriber(const Subscriber&) = delete;
    Subscriber& operator=(const Subscriber&) = delete;

    // Asks for one more topic, on the connected socket.
    void subscribe(const std::string& topic);

    // Waits until the broker has decided every topic asked for so far. `user` is who the
    // broker knows the keys as: a username, or "anon:" for keys nobody registered. Asks for
    // one more topic that nobody is admitted to and waits until the broker's log holds all
    // this socket's refusals, the last one included, using the socket meanwhile (so that it
    // takes in a reconnection). Assumes no other connection of `user` is refused a topic
    // meanwhile.
    ::testing::AssertionResult wait_until_decided(
        const std::string& user, std::chrono::milliseconds timeout = std::chrono::seconds(15));

    // The next event, or nullopt after `timeout`; throws on a malformed one.
    std::optional<DecodedEvent> next(std::chrono::milliseconds timeout);

  private:
    Cluster& cluster_;
    std::vector<std::string> topics_;  // as asked, in order
    zmq::context_t context_{1};
    zmq::socket_t socket_;
};

}  // namespace imgshare::testing
