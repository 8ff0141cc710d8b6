// Watches a socket's CURVE handshakes (ZeroMQ's socket monitor), so a client
// can tell "the broker is slow" from "no broker with the pinned key answers"
// and say so within seconds instead of retrying into a hang.
#pragma once

#include <zmq.hpp>

#include <string>

namespace imgshare::client {

class HandshakeMonitor {
  public:
    // Starts monitoring `watched`, which must outlive the monitor. Call before connecting.
    HandshakeMonitor(zmq::context_t& context, zmq::socket_t& watched);
    HandshakeMonitor(const HandshakeMonitor&) = delete;
    HandshakeMonitor& operator=(const HandshakeMonitor&) = delete;

    // The socket to poll for ZMQ_POLLIN; then call drain().
    [[nodiscard]] zmq::socket_t& socket() { return events_; }
    // Reads every pending event without blocking.
    void drain();

    // Completed handshakes so far (a reconnection makes another).
    [[nodiscard]] int handshakes() const { return handshakes_; }
    // Why the last handshake failed, for error messages; empty if none did.
    [[nodiscard]] const std::string& last_failure() const { return last_failure_; }

  private:
    zmq::socket_t events_;
    int handshakes_ = 0;
    std::string last_failure_;
};

}  // namespace imgshare::client
