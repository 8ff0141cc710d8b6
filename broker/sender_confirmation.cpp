// A connection ZAP could not confirm (the CA was not there to ask: a broker
// restarted before the CA announced itself, a CA restarting) keeps its
// User-Id `unknown:<key>` for its whole life; ZeroMQ never asks ZAP again.
// So the broker asks again per request: the key in that User-Id is the one
// the CURVE handshake proved the client holds, and deciding who it belongs to
// now is the decision ZAP would have made, with the same inputs, later. The
// request then goes on as that peer — a user, or an anonymous key that may
// only register — or is refused as ZAP would have refused the key (revoked,
// expired); while the CA still cannot be asked it gets SERVICE_UNAVAILABLE.
// A confirmed key is cached like ZAP's (kIdentityCacheMs), so only the first
// request in a while waits for the CA.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "broker/broker.h"
#include "common/protocol/codec.h"

namespace imgshare::broker {

void Broker::confirm_sender(ClientOrigin client, Bytes curve_key, const std::string& source,
                            net::ZmqFrames body) {
    auto known =
        authenticator_.decide_client(curve_key, clock_.monotonic_ms(), clock_.now_seconds());
    if (known.kind != Verdict::Kind::AskCa) {
        serve_confirmed(client, known, std::move(body));
        return;
    }
    // Asking costs the CA what a handshake's lookup does: charged to the same source.
    if (auto wait_ms = may_ask_ca(curve_key, source)) {
        auto message = fmt::format("too many connections of unknown keys from your address; "
                                   "retry after {} ms",
                                   *wait_ms);
        ErrorReply refusal{ErrorCode::RATE_LIMITED, std::move(message), *wait_ms};
        reply_to_client(client, net::frames_of(encode(refusal, client.request_id)));
        return;
    }
    net::ZmqFrames lookup;
    lookup.push_back(net::frame_of(encode_map(LookupCurveKeyRequest{curve_key})));
    forward(LookupCurveKeyRequest::kService, LookupCurveKeyRequest::kType, broker_user(),
            std::move(lookup),
            PendingRequest{
                .stage = SenderLookup{std::move(client), std::move(curve_key), std::move(body)}});
}

void Broker::finish_sender_lookup(SenderLookup& request, net::ZmqFrames frames) {
    serve_confirmed(request.client, lookup_verdict(request.curve_key, frames),
                    std::move(request.body));
}

void Broker::serve_confirmed(const ClientOrigin& client, const Verdict& verdict,
                             net::ZmqFrames body) {
    if (verdict.kind != Verdict::Kind::Admit || !verdict.peer) {
        reply_error(client,
                    Error{verdict.refusal, "the broker refused this key: " + verdict.reason});
        return;
    }
    if (verdict.peer->is<UnconfirmedPeer>()) {
        reply_error(client, unconfirmed_sender());
        return;
    }
    auto route = route_for(client.type);
    if (!route) {
        // on_client_message routed it before asking: a bug.
        reply_error(client, Error{ErrorCode::INTERNAL, "the request lost its route"});
        return;
    }
    spdlog::debug("{} is {} after all", client.user, verdict.peer->encode());
    serve_as(client, *route, *verdict.peer, std::move(body));
}

}  // namespace imgshare::broker
