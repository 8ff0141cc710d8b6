// Socket set-up that every imgshare process shares, so no socket facing a peer
// is left with a library default that breaks a promise (DESIGN.md §7):
// bounded message size, short handshakes, ZMTP heartbeats, CURVE with a ZAP
// domain that fails closed, and ROUTERs that report unroutable replies.
#pragma once

#include <zmq.hpp>

#include <string_view>

#include "common/bytes.h"

namespace imgshare::net {

constexpr int kHandshakeMs = 5000;

// How often each end of a link makes sure the other is alive (ZMTP heartbeats).
// Links between the broker and its services (a handful): every 2.5 s, each
// end also telling the other its TTL. Links of clients and watchers (thousands
// at the broker) are cheap at the broker's end: libzmq 4.3.4 cancels a timer by
// a linear scan of its I/O thread's timers, and every heartbeat that arrives
// cancels the pending TTL and time-out timers (at 3,000 links the broker's I/O
// thread spent 45% of its time there, docs/BENCHMARKS.md). So clients ping
// every 20 s and announce no TTL (the broker keeps no TTL timer per link), and
// the broker pings each client once a minute: one cancel per link per minute
// instead of six. A dead broker is found by a client within 80 s, a silently
// vanished client by the broker within 2 minutes; a closed connection is seen
// at once either way.
enum class Liveness {
    Service,       // broker <-> service, both ends
    Client,        // a user's socket to the broker (imgshare, imgshare-watch, imgshare-load)
    ClientFacing,  // the broker's sockets that thousands of clients connect to
};
// The timings themselves: common/protocol/limits.h (kServiceHeartbeatMs, kServiceExpiryMs,
// kClientHeartbeatMs...).
// Outgoing queues are bounded; a full queue is an error the caller handles,
// never a silent drop (ROUTER_MANDATORY) except on PUB, where events are hints.
constexpr int kHighWaterMark = 10000;

struct HeartbeatSettings {
    int interval_ms;  // ZMQ_HEARTBEAT_IVL: how often this end pings
    int timeout_ms;   // ZMQ_HEARTBEAT_TIMEOUT: how long it waits for anything after a ping
    int ttl_ms;       // ZMQ_HEARTBEAT_TTL: sent in its pings; 0 asks the peer for no timer
};
[[nodiscard]] HeartbeatSettings heartbeat_settings(Liveness liveness);

// Applied to every socket that talks to another process: ZMQ_MAXMSGSIZE =
// kMaxFrameBytes, handshake time-out, ZMTP heartbeats for `liveness`, linger
// 0, HWMs.
void harden_peer_socket(zmq::socket_t& socket, Liveness liveness);

// A CURVE server socket (ROUTER, XPUB) with this secret key. zap_domain is
// set with ZMQ_ZAP_ENFORCE_DOMAIN, so without a ZAP handler every peer is
// refused rather than admitted.
void make_curve_server(zmq::socket_t& socket, ByteView secret_key, std::string_view zap_domain);

// A CURVE server socket that admits every client key, with no ZAP domain: only for a peer
// whose every request is authenticated by what it carries, not by who sends it (the
// certificate log's witness, whose input is a head the log signed: witness_server.h).
void make_open_curve_server(zmq::socket_t& socket, ByteView secret_key);

// A CURVE client socket that only completes a handshake with server_public_key.
void make_curve_client(zmq::socket_t& socket, ByteView server_public_key, ByteView public_key,
                       ByteView secret_key);

// ROUTER sockets: an unroutable reply raises EHOSTUNREACH instead of vanishing.
void make_router_mandatory(zmq::socket_t& socket);

}  // namespace imgshare::net
