// The ZAP wire format (RFC 27) as the broker's handler sees it on a ROUTER
// bound to inproc://zeromq.zap.01: parsing a request and building a reply.
#pragma once

#include <string>

#include "common/bytes.h"
#include "common/error.h"
#include "common/net/multipart.h"

namespace imgshare::broker {

inline constexpr const char* kZapEndpoint = "inproc://zeromq.zap.01";
inline constexpr std::string_view kClientsDomain = "clients";
inline constexpr std::string_view kServicesDomain = "services";
// The ZAP metadata property every admitted connection carries: its CURVE public key in Z85,
// so the broker can tell apart connections with the same User-Id (a released name's old key
// from its new holder's, broker/authenticator.h).
inline constexpr const char* kClientKeyProperty = "Client-Key";

struct ZapRequest {
    std::string routing_id;  // the ROUTER identity of libzmq's ZAP client
    std::string request_id;
    std::string domain;
    std::string address;  // the peer's IP address, as ZeroMQ gives it
    std::string mechanism;
    Bytes client_key;  // CURVE public key, 32 bytes
};

// frames: [routing id]["" delimiter]["1.0"][request id][domain][address]
//         [identity][mechanism][credentials...]
[[nodiscard]] Result<ZapRequest> parse_zap_request(const net::ZmqFrames& frames);

// [routing id][""]["1.0"][request id][status code][status text][user id][metadata]
// `metadata` is ZMTP property encoding (name length byte, name, 4-byte length, value), or empty.
[[nodiscard]] net::ZmqFrames zap_reply(const ZapRequest& request, std::string_view status_code,
                                       std::string_view status_text, std::string_view user_id,
                                       const Bytes& metadata = {});

// Status 200 with `user_id` (a PeerIdentity's encoding) as the connection's User-Id, and the
// request's client key as kClientKeyProperty (Z85).
[[nodiscard]] net::ZmqFrames zap_admission(const ZapRequest& request, std::string_view user_id);
// Status 400 with `reason` as the status text: the CURVE handshake fails.
[[nodiscard]] net::ZmqFrames zap_refusal(const ZapRequest& request, std::string_view reason);

}  // namespace imgshare::broker
