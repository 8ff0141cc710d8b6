// ZAP: who a connecting key is. The authenticator decides from what it knows; a key it does
// not know is looked up at the CA (LOOKUP_CURVE_KEY) before the handshake is answered.
#include "broker/broker.h"

#include <spdlog/spdlog.h>

#include "common/protocol/codec.h"

namespace imgshare::broker {

void Broker::finish_zap(const ZapLookup& request, net::ZmqFrames frames) {
    answer_zap(request.zap, lookup_verdict(request.zap.client_key, frames));
}

Verdict Broker::lookup_verdict(const Bytes& key, const net::ZmqFrames& frames) {
    auto lookup = decode_reply<LookupCurveKeyReply>(net::frame_views(frames));
    if (lookup) {
        return authenticator_.registered(key, lookup->username, lookup->revoked, lookup->not_after,
                                         clock_.monotonic_ms(), clock_.now_seconds());
    }
    if (lookup.error().code == ErrorCode::NOT_FOUND) return Authenticator::not_registered(key);
    // A released name's retired key: refused, and no name with it (its name is free).
    if (lookup.error().code == ErrorCode::REVOKED) return Authenticator::revoked();
    return Authenticator::ca_unreachable(key);
}

void Broker::on_zap_request(net::ZmqFrames frames) {
    auto request = parse_zap_request(frames);
    if (!request) {
        spdlog::warn("malformed ZAP request: {}", request.error().message);
        return;
    }
    auto verdict = authenticator_.decide(*request, clock_.monotonic_ms(), clock_.now_seconds());
    if (verdict.kind != Verdict::Kind::AskCa) {
        answer_zap(*request, verdict);
        return;
    }
    if (may_ask_ca(request->client_key, request->address)) {
        answer_zap(*request, Authenticator::too_many_strangers(request->address));
        return;
    }
    net::ZmqFrames body;
    body.push_back(net::frame_of(encode_map(LookupCurveKeyRequest{request->client_key})));
    forward(LookupCurveKeyRequest::kService, LookupCurveKeyRequest::kType, broker_user(),
            std::move(body), PendingRequest{.stage = ZapLookup{*request}});
}

void Broker::answer_zap(const ZapRequest& request, const Verdict& verdict) {
    if (verdict.kind != Verdict::Kind::Admit || !verdict.peer) {
        // A refused stranger is logged once a while (may_ask_ca), not once per handshake.
        if (verdict.refusal != ErrorCode::RATE_LIMITED) {
            spdlog::info("refused a connection: {}", verdict.reason);
        }
        auto refusal = zap_refusal(request, verdict.reason);
        (void)net::send_message(zap_, refusal);
        return;
    }
    auto admission = zap_admission(request, verdict.peer->encode());
    (void)net::send_message(zap_, admission);
}

}  // namespace imgshare::broker
