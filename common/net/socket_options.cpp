#include "common/net/socket_options.h"

#include <stdexcept>
#include <string>

#include "common/protocol/limits.h"

// Present in libzmq 4.3.4 without the draft API; the header hides the name.
#ifndef ZMQ_ZAP_ENFORCE_DOMAIN
#define ZMQ_ZAP_ENFORCE_DOMAIN 93
#endif

namespace imgshare::net {
namespace {

void require_key(ByteView key, const char* what) {
    if (key.size() != 32) throw std::invalid_argument(std::string(what) + " must be 32 bytes");
}

}  // namespace

HeartbeatSettings heartbeat_settings(Liveness liveness) {
    // ZeroMQ takes the times as int milliseconds; every one of them fits.
    auto ms = [](std::int64_t value) { return static_cast<int>(value); };
    switch (liveness) {
        case Liveness::Service:
            return {ms(kServiceHeartbeatMs), ms(kServiceExpiryMs), ms(kServiceExpiryMs)};
        case Liveness::Client:
            return {ms(kClientHeartbeatMs), ms(kClientHeartbeatTimeoutMs), 0};
        case Liveness::ClientFacing:
            return {ms(kClientFacingHeartbeatMs), ms(kClientFacingHeartbeatTimeoutMs), 0};
    }
    throw std::logic_error("unknown Liveness");
}

void harden_peer_socket(zmq::socket_t& socket, Liveness liveness) {
    const HeartbeatSettings heartbeat = heartbeat_settings(liveness);
    socket.set(zmq::sockopt::maxmsgsize, static_cast<int64_t>(kMaxFrameBytes));
    socket.set(zmq::sockopt::handshake_ivl, kHandshakeMs);
    socket.set(zmq::sockopt::heartbeat_ivl, heartbeat.interval_ms);
    socket.set(zmq::sockopt::heartbeat_timeout, heartbeat.timeout_ms);
    socket.set(zmq::sockopt::heartbeat_ttl, heartbeat.ttl_ms);
    socket.set(zmq::sockopt::linger, 0);
    socket.set(zmq::sockopt::sndhwm, kHighWaterMark);
    socket.set(zmq::sockopt::rcvhwm, kHighWaterMark);
}

void make_curve_server(zmq::socket_t& socket, ByteView secret_key, std::string_view zap_domain) {
    require_key(secret_key, "CURVE secret key");
    socket.set(zmq::sockopt::curve_server, true);
    socket.set(zmq::sockopt::curve_secretkey, zmq::const_buffer(secret_key.data(), 32));
    socket.set(zmq::sockopt::zap_domain, std::string(zap_domain));
    int enforce = 1;
    if (zmq_setsockopt(socket.handle(), ZMQ_ZAP_ENFORCE_DOMAIN, &enforce, sizeof enforce) != 0) {
        throw zmq::error_t();
    }
}

void make_open_curve_server(zmq::socket_t& socket, ByteView secret_key) {
    require_key(secret_key, "CURVE secret key");
    socket.set(zmq::sockopt::curve_server, true);
    socket.set(zmq::sockopt::curve_secretkey, zmq::const_buffer(secret_key.data(), 32));
}

void make_curve_client(zmq::socket_t& socket, ByteView server_public_key, ByteView public_key,
                       ByteView secret_key) {
    require_key(server_public_key, "server public key");
    require_key(public_key, "CURVE public key");
    require_key(secret_key, "CURVE secret key");
    socket.set(zmq::sockopt::curve_serverkey, zmq::const_buffer(server_public_key.data(), 32));
    socket.set(zmq::sockopt::curve_publickey, zmq::const_buffer(public_key.data(), 32));
    socket.set(zmq::sockopt::curve_secretkey, zmq::const_buffer(secret_key.data(), 32));
}

void make_router_mandatory(zmq::socket_t& socket) {
    socket.set(zmq::sockopt::router_mandatory, true);
}

}  // namespace imgshare::net
