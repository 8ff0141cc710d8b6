#include "broker/zap.h"

#include "common/crypto/keys.h"

namespace imgshare::broker {

Result<ZapRequest> parse_zap_request(const net::ZmqFrames& frames) {
    if (frames.size() < 9) return fail(ErrorCode::BAD_REQUEST, "ZAP request has too few frames");
    if (frames[1].size() != 0 || net::string_of(frames[2]) != "1.0") {
        return fail(ErrorCode::BAD_REQUEST, "ZAP request is not version 1.0");
    }
    ZapRequest request;
    request.routing_id = net::string_of(frames[0]);
    request.request_id = net::string_of(frames[3]);
    request.domain = net::string_of(frames[4]);
    request.address = net::string_of(frames[5]);
    request.mechanism = net::string_of(frames[7]);
    if (request.mechanism != "CURVE" || frames[8].size() != 32) {
        return fail(ErrorCode::BAD_REQUEST, "ZAP request is not CURVE with a 32-byte key");
    }
    auto key = net::view_of(frames[8]);
    request.client_key.assign(key.begin(), key.end());
    return request;
}

net::ZmqFrames zap_reply(const ZapRequest& request, std::string_view status_code,
                         std::string_view status_text, std::string_view user_id,
                         const Bytes& metadata) {
    net::ZmqFrames frames;
    frames.emplace_back(request.routing_id.data(), request.routing_id.size());
    frames.emplace_back();
    frames.emplace_back("1.0", 3);
    frames.emplace_back(request.request_id.data(), request.request_id.size());
    frames.emplace_back(status_code.data(), status_code.size());
    frames.emplace_back(status_text.data(), status_text.size());
    frames.emplace_back(user_id.data(), user_id.size());
    frames.emplace_back(metadata.data(), metadata.size());
    return frames;
}

net::ZmqFrames zap_admission(const ZapRequest& request, std::string_view user_id) {
    // One ZMTP metadata property: name length, name, value length (big-endian), value.
    const std::string_view name = kClientKeyProperty;
    const std::string value =
        request.client_key.size() == 32 ? z85_encode(request.client_key) : std::string();
    Bytes metadata;
    metadata.push_back(static_cast<std::uint8_t>(name.size()));
    metadata.insert(metadata.end(), name.begin(), name.end());
    for (int shift = 24; shift >= 0; shift -= 8)
        metadata.push_back(static_cast<std::uint8_t>((value.size() >> shift) & 0xff));
    metadata.insert(metadata.end(), value.begin(), value.end());
    // RFC 27's status, not the protocol's OK.
    return zap_reply(request, "200", "OK", user_id, metadata);
}

net::ZmqFrames zap_refusal(const ZapRequest& request, std::string_view reason) {
    return zap_reply(request, "400", reason, "");
}

}  // namespace imgshare::broker
