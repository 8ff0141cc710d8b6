// A flood of fresh-key CURVE connections to the broker from one loopback address, as a
// stranger would open them as fast as it can (issue #25), counting how many reached the
// broker's handshake: for the broker's limit on strangers (broker/stranger_limiter.*) and
// the kernel's on new connections (deploy/connection-limit.sh).
#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "common/bytes.h"

namespace imgshare::testing {

// Connections opened in waves from `source` (a loopback address such as "127.0.0.2") to
// `port` on 127.0.0.1: each wave's sockets connect at once, and the next wave starts when
// every one of them has ended its first handshake (admitted or refused, as a socket monitor
// says) or after `wave_timeout`; then the wave's sockets are closed. `waves` of them, or
// until destroyed (0). The flood runs in a thread of its own at nice 19 or, with
// `Cpu::Idle`, under SCHED_IDLE (only when nothing else wants the CPU: for benchmarks that
// run at nice 19 themselves): it stands for an attacker on another machine, whose own CURVE
// work is not the broker's.
class HandshakeFlood {
  public:
    enum class Cpu { Nice19, Idle };

    HandshakeFlood(int port, Bytes broker_public_key, std::string source, int wave,
                   int waves = 0, std::chrono::seconds wave_timeout = std::chrono::seconds(10),
                   Cpu cpu = Cpu::Nice19);

    // Connections opened so far (each one a first SYN).
    int opened() const { return opened_; }
    // Handshakes ended so far: the connections that reached the broker's CURVE handshake;
    // of those, admitted ones and ones the broker refused.
    int handshakes() const { return admitted_ + refused_; }
    int admitted() const { return admitted_; }
    int refused() const { return refused_; }
    bool done() const { return done_; }

  private:
    void run(int port, const Bytes& broker_public_key, const std::string& source, int wave,
             int waves, std::chrono::seconds wave_timeout, Cpu cpu, const std::stop_token& stop);

    std::atomic<int> opened_ = 0, admitted_ = 0, refused_ = 0;
    std::atomic<bool> done_ = false;
    std::jthread thread_;  // last: stopped and joined before the members it uses go
};

}  // namespace imgshare::testing
