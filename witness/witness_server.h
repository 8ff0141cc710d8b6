// A Witness served on a ZeroMQ socket (docs/TRANSPARENCY.md, "Witnesses"): a CURVE ROUTER
// bound to one endpoint, answering WITNESS_STATE and ADD_CHECKPOINT, each request and reply
// in the protocol log, until the stop flag is set.
//
// Whoever completes a CURVE handshake with the witness's key may ask: what it cosigns is
// authenticated by the log's signature on the head, not by who sends it, so there is no ZAP
// handler and no list of peers (the one socket in the project that admits any CURVE key,
// on purpose). Messages are bounded like every peer socket's (harden_peer_socket), and
// anything but those two requests is refused with BAD_REQUEST.
#pragma once

#include <zmq.hpp>

#include <atomic>
#include <string>

#include "common/clock.h"
#include "common/crypto/keys.h"
#include "common/net/multipart.h"
#include "common/protocol/codec.h"
#include "common/protocol_log.h"
#include "witness/witness.h"

namespace imgshare::witness {

class WitnessServer {
  public:
    // Binds `bind_endpoint` ("tcp://host:port") with `curve` as the server key; throws
    // zmq::error_t when it cannot (a start-up failure).
    WitnessServer(zmq::context_t& context, const std::string& bind_endpoint,
                  const CurveKeyPair& curve, Witness& witness, ProtocolLog& log, Clock& clock);

    void run(const std::atomic<bool>& stop);

  private:
    void on_message(net::ZmqFrames frames);
    void reply(zmq::message_t& peer, const std::string& peer_name, Frames frames);

    zmq::socket_t socket_;
    Witness& witness_;
    ProtocolLog& log_;
    Clock& clock_;
};

}  // namespace imgshare::witness
