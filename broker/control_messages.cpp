// The backend socket: the services' control messages (READY, HEARTBEAT, DISCONNECT,
// USER_REVOKED, USER_RELEASED, one table) and their replies, handed to the stage that waits for
// each.
#include "broker/broker.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>

#include "common/protocol/codec.h"

namespace imgshare::broker {

void Broker::on_backend_message(net::ZmqFrames frames) {
    // The services' control messages. Any message from a known worker keeps it alive;
    // only READY may come from a worker the broker does not know (yet, or any more).
    struct ControlMessage {
        std::string_view type;
        bool from_known_worker;
        void (Broker::*handle)(const std::string& worker, const net::ZmqFrames& frames);
    };
    static constexpr ControlMessage kControlMessages[] = {
        {ReadyMessage::kType, false, &Broker::on_ready},
        {HeartbeatMessage::kType, true, &Broker::on_heartbeat},
        {DisconnectMessage::kType, true, &Broker::on_disconnect},
        {UserRevokedMessage::kType, true, &Broker::on_user_revoked},
        {UserReleasedMessage::kType, true, &Broker::on_user_released},
    };
    std::string worker = net::string_of(frames[0]);
    if (frames.size() < 3) return;
    auto header = decode_header(net::view_of(frames[1]));
    if (!header) {
        spdlog::warn("dropped a backend message: {}", describe(header.error()));
        return;
    }
    const auto* control = std::ranges::find(kControlMessages, header->type, &ControlMessage::type);
    bool is_control = control != std::ranges::end(kControlMessages);
    if (is_control && !control->from_known_worker) {
        (this->*control->handle)(worker, frames);
        return;
    }
    if (!workers_.touch(worker, clock_.monotonic_ms())) {
        // A worker we dropped (or never met) must announce itself again.
        net::ZmqFrames disconnect = net::frames_of(encode(DisconnectMessage{}, 0));
        send_to_worker(worker, std::move(disconnect), "service");
        return;
    }
    if (is_control) {
        (this->*control->handle)(worker, frames);
        return;
    }
    on_service_reply(worker, *header, std::move(frames));
}

void Broker::on_ready(const std::string& worker, const net::ZmqFrames& frames) {
    auto ready = decode_body<ReadyMessage>(net::view_of(frames[2]));
    log_.record(Direction::Received, "service", net::frame_views(frames, 1));
    if (!ready) return;
    auto peer = PeerIdentity::parse(net::user_id_of(frames[1]));
    if (!peer || !may_serve(*peer, ready->service)) {
        // A storage node's key announcing "ca" would decide who every client is.
        spdlog::warn(
            "refused READY as {} from node {}: its key is not allowed for that service "
            "(the CA's key goes in --ca-service-key)",
            ready->service, ready->node_id);
        return;
    }
    workers_.add(worker, ready->service, ready->node_id, clock_.monotonic_ms());
    spdlog::info("service {} ({}) is ready", ready->service, ready->node_id);
}

void Broker::on_heartbeat(const std::string&, const net::ZmqFrames&) {
    // Nothing more: hearing from the worker kept it alive.
}

void Broker::on_disconnect(const std::string& worker, const net::ZmqFrames&) {
    workers_.remove(worker);
}

// A notice only the CA may send (it decides who is revoked, and which name is free again),
// logged and decoded; nullopt (with a warning) from another worker or malformed.
template <class Notice>
std::optional<Notice> Broker::ca_notice(const std::string& worker, const net::ZmqFrames& frames) {
    log_.record(Direction::Received, "service", net::frame_views(frames, 1));
    if (workers_.service_of(worker) != kCaService) {
        spdlog::warn("dropped {} from a worker that is not the CA", Notice::kType);
        return std::nullopt;
    }
    auto notice = decode_body<Notice>(net::view_of(frames[2]));
    if (!notice) {
        spdlog::warn("dropped a malformed {}: {}", Notice::kType, describe(notice.error()));
        return std::nullopt;
    }
    return std::move(*notice);
}

void Broker::on_user_revoked(const std::string& worker, const net::ZmqFrames& frames) {
    auto notice = ca_notice<UserRevokedMessage>(worker, frames);
    if (!notice) return;
    authenticator_.revoke(notice->username);
    // Their subscriptions end before the next message is routed (expiry: EventChannel::maintain).
    events_.drop_user(notice->username);
    spdlog::info("{} is revoked: their keys and requests are refused from now on",
                 notice->username);
}

void Broker::on_user_released(const std::string& worker, const net::ZmqFrames& frames) {
    auto notice = ca_notice<UserReleasedMessage>(worker, frames);
    if (!notice) return;
    authenticator_.released(notice->username, notice->curve_key);
    spdlog::info("the name {} is released: its old key stays refused", notice->username);
}

void Broker::on_service_reply(const std::string& worker, const Header& header,
                              net::ZmqFrames frames) {
    // Only the worker a request went to may answer it: a reply from another service (which
    // could guess the id) must not, say, answer the CA's LOOKUP_CURVE_KEY.
    auto pending = pending_.take_reply(header.id, worker);
    if (!pending) {
        spdlog::warn(
            "reply {} came after its deadline or from a worker it was not sent to; "
            "dropped",
            header.id);
        return;
    }
    log_.record(Direction::Received, pending->service, net::frame_views(frames, 1));
    frames.erase(frames.begin());  // the worker's routing id
    struct Finish {
        Broker& broker;
        const Header& header;
        net::ZmqFrames& frames;
        void operator()(const ForwardedRequest& request) const {
            broker.finish_forwarded(request, header, std::move(frames));
        }
        void operator()(DownloadRewrap& request) const {
            broker.finish_download(request, std::move(frames));
        }
        void operator()(const ZapLookup& request) const {
            broker.finish_zap(request, std::move(frames));
        }
        void operator()(SenderLookup& request) const {
            broker.finish_sender_lookup(request, std::move(frames));
        }
    };
    std::visit(Finish{*this, header, frames}, pending->stage);
}

}  // namespace imgshare::broker
