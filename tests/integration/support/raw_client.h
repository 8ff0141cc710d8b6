// A hand-driven CURVE DEALER for attack tests: sends any frames with any key
// and reads replies, so tests can replay, forge and malform requests.
#pragma once

#include <zmq.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/crypto/keys.h"
#include "common/protocol/codec.h"

namespace imgshare::testing {

class RawClient {
  public:
    RawClient(const std::string& endpoint, const Bytes& broker_public_key,
              const CurveKeyPair& keys);
    // A fresh random key (an unregistered stranger).
    RawClient(const std::string& endpoint, const Bytes& broker_public_key);

    void send(const Frames& frames);
    // The next message, or nullopt after `timeout`.
    std::optional<Frames> receive(std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // send + receive.
    std::optional<Frames> call(const Frames& frames,
                               std::chrono::milliseconds timeout = std::chrono::seconds(10));
    const CurveKeyPair& keys() const { return keys_; }

  private:
    CurveKeyPair keys_;
    zmq::context_t context_;
    zmq::socket_t socket_;
};

// A DEALER with a fresh random CURVE key (a stranger) for the broker, hardened as a
// client's, lingering nothing; not connected yet (the endpoint may name a source address:
// "tcp://127.0.0.2:0;127.0.0.1:PORT").
zmq::socket_t stranger_socket(zmq::context_t& context, const Bytes& broker_public_key);

// The error code of an ERROR reply, or nullopt for anything else.
std::optional<ErrorCode> error_code_of(const Frames& reply);
// The same for a reply that may not have come: TIMEOUT when it did not.
std::optional<ErrorCode> code_of(const std::optional<Frames>& reply);

}  // namespace imgshare::testing
