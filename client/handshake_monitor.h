// Watches a socket's connections and CURVE handshakes (ZeroMQ's socket
// monitor), so a client can tell apart, within seconds instead of retrying
// into a hang: nothing accepting connections at the address (no broker
// running), a broker that accepts the connection but does not answer (frozen,
// overloaded), one that closes it during the handshake (it does not hold the
// pinned key), one that refuses this client's key (ZAP), and a connection
// that was replaced by a new one (the broker restarted).
#pragma once

#include <zmq.hpp>

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
    // TCP connections made so far: something listens at the address (the kernel of a
    // frozen broker accepts them too).
    [[nodiscard]] int connections() const { return connections_; }
    // Whether the last completed handshake's connection is still up.
    [[nodiscard]] bool up() const { return up_; }
    // Since the last handshake that succeeded, the peer closed the connection in the middle
    // of a handshake: a CURVE server that does not hold the pinned key does that.
    [[nodiscard]] bool closed_in_handshake() const { return closed_in_handshake_; }
    // The broker refused this client's key (ZAP said no) since the last handshake that
    // succeeded, if any: a key it once accepted, or a registered one, is revoked or expired.
    [[nodiscard]] bool key_refused() const { return key_refused_; }

  private:
    zmq::socket_t events_;
    int handshakes_ = 0;
    int connections_ = 0;
    bool up_ = false;
    bool closed_in_handshake_ = false;
    bool key_refused_ = false;
};

}  // namespace imgshare::client
