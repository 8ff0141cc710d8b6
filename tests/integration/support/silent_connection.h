// A plain TCP connection to a server's port that never says a word: the
// attacker of the handshake time-out tests (ZMQ_HANDSHAKE_IVL), who opens
// connections and leaves them silent. The server must close them.
#pragma once

#include <string>

namespace imgshare::testing {

class SilentConnection {
  public:
    // Connects to `endpoint` ("tcp://127.0.0.1:PORT"); see connected().
    explicit SilentConnection(const std::string& endpoint);
    ~SilentConnection();
    SilentConnection(const SilentConnection&) = delete;
    SilentConnection& operator=(const SilentConnection&) = delete;

    [[nodiscard]] bool connected() const { return connected_; }
    // True once the peer has closed the connection (whatever it sent before, such as a
    // ZMTP greeting); never blocks.
    [[nodiscard]] bool closed_by_peer();

  private:
    int fd_;
    bool connected_ = false;
};

}  // namespace imgshare::testing
