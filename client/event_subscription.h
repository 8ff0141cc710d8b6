// A user's subscription to the broker's events, as `imgshare-watch` and the
// load generator's subscribers hold it: a SUB socket over CURVE pinned to the
// broker's key, subscribed to the `image` topic and to the user's own
// `user.<name>/` topic, and the one way its messages are read.
//
// Promises: every message read is recorded in the protocol log as received,
// as the broker logs what it publishes (the topic as the peer, then the body);
// a message of more than two frames is read whole and skipped; any other is
// decoded as hostile input (protocol/event.h) and returned, valid or not.
#pragma once

#include <zmq.hpp>

#include <optional>
#include <string_view>

#include "common/bytes.h"
#include "common/crypto/keys.h"
#include "common/error.h"
#include "common/protocol/event.h"
#include "common/protocol_log.h"

namespace imgshare::client {

// Sets up `socket` (a SUB) for `username`, who holds `keys`: hardened as a client's socket,
// CURVE with the broker's pinned key, subscribed to both topics. The caller connects it to the
// broker's events endpoint, after attaching a HandshakeMonitor if it wants one.
void subscribe_to_events(zmq::socket_t& socket, ByteView broker_public_key,
                         const CurveKeyPair& keys, std::string_view username);

// The next message waiting on `socket`, without blocking: nullopt when none waits; else the
// event, or why the message is not one (BAD_REQUEST, TOO_LARGE).
[[nodiscard]] std::optional<Result<DecodedEvent>> receive_event(zmq::socket_t& socket,
                                                                ProtocolLog& log);

}  // namespace imgshare::client
