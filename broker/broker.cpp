#include "broker/broker.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <type_traits>

#include "common/net/socket_options.h"
#include "common/protocol/codec.h"
#include "common/protocol/limits.h"

namespace imgshare::broker {
namespace {

// A client or service message is [routing id] + at most kMaxFrames protocol frames.
constexpr size_t kMaxRoutedFrames = kMaxFrames + 1;
// Messages handled per socket per loop turn, so one busy peer cannot starve the rest.
constexpr int kBurst = 64;

net::ZmqFrames with_routing_id(const std::string& routing_id, net::ZmqFrames frames) {
    net::ZmqFrames routed;
    routed.reserve(frames.size() + 1);
    routed.emplace_back(routing_id.data(), routing_id.size());
    for (auto& frame : frames)
        routed.push_back(std::move(frame));
    return routed;
}

// The ZAP handler is bound before any CURVE socket, so no handshake can race
// it; with ZAP_ENFORCE_DOMAIN a missing handler would refuse everyone.
zmq::socket_t bound_zap_handler(zmq::context_t& context) {
    zmq::socket_t zap(context, zmq::socket_type::router);
    zap.set(zmq::sockopt::linger, 0);
    zap.bind(kZapEndpoint);
    return zap;
}

}  // namespace

const std::string& Broker::broker_user() {
    static const std::string user = PeerIdentity{BrokerPeer{}}.encode();
    return user;
}

zmq::message_t Broker::header_frame(std::string_view type, std::uint64_t id,
                                    std::optional<std::string> user) {
    Header header;
    header.type = std::string(type);
    header.id = id;
    header.user = std::move(user);
    return net::frame_of(encode_header(header));
}

Broker::Broker(BrokerConfig config, ProtocolLog& log, const Clock& clock)
    : config_(std::move(config)),
      log_(log),
      clock_(clock),
      context_(config_.io_threads),
      authenticator_(config_.service_keys),
      zap_(bound_zap_handler(context_)),
      clients_(context_, zmq::socket_type::router),
      events_(context_, config_.keys.secret_key, config_.events_endpoint, log_, authenticator_,
              clock_),
      backend_(context_, zmq::socket_type::router),
      limiter_(config_.rate_limit),
      strangers_(config_.handshake_limit) {
    auto secret = config_.keys.secret_key.view();
    net::harden_peer_socket(clients_, net::Liveness::ClientFacing);
    net::harden_peer_socket(backend_, net::Liveness::Service);
    net::make_curve_server(clients_, secret, kClientsDomain);
    net::make_curve_server(backend_, secret, kServicesDomain);
    net::make_router_mandatory(clients_);
    net::make_router_mandatory(backend_);
    clients_.bind(config_.client_endpoint);
    backend_.bind(config_.backend_endpoint);
}

void Broker::run(const std::atomic<bool>& stop) {
    next_heartbeat_ms_ = clock_.monotonic_ms() + kServiceHeartbeatMs;
    zmq::pollitem_t items[] = {
        {zap_.handle(), 0, ZMQ_POLLIN, 0},
        {backend_.handle(), 0, ZMQ_POLLIN, 0},
        {clients_.handle(), 0, ZMQ_POLLIN, 0},
        {events_.socket_handle(), 0, ZMQ_POLLIN, 0},
    };
    while (!stop.load()) {
        log_.flush();  // before waiting: a batched log is at most one burst behind
        try {
            zmq::poll(items, 4, std::chrono::milliseconds(100));
        } catch (const zmq::error_t& error) {
            if (error.num() == EINTR) continue;
            throw;
        }
        for (int i = 0; i < kBurst && (items[0].revents & ZMQ_POLLIN); ++i) {
            auto message = net::receive_message(zap_, 16);
            if (!message) break;
            on_zap_request(std::move(message->frames));
        }
        for (int i = 0; i < kBurst && (items[1].revents & ZMQ_POLLIN); ++i) {
            auto message = net::receive_message(backend_, kMaxRoutedFrames);
            if (!message) break;
            if (message->too_many_frames) {
                spdlog::warn("dropped a backend message with too many frames");
                continue;
            }
            on_backend_message(std::move(message->frames));
        }
        for (int i = 0; i < kBurst && (items[2].revents & ZMQ_POLLIN); ++i) {
            auto message = net::receive_message(clients_, kMaxRoutedFrames);
            if (!message) break;
            if (message->too_many_frames) {
                ClientOrigin client{net::string_of(message->frames[0]), 0, {}, {}};
                reply_error(client, Error{ErrorCode::TOO_LARGE, "a message has at most 3 frames"});
                continue;
            }
            on_client_message(std::move(message->frames));
        }
        for (int i = 0; i < kBurst && (items[3].revents & ZMQ_POLLIN); ++i) {
            if (!events_.receive_subscription()) break;
        }
        events_.maintain(clock_.monotonic_ms(), workers_.live_count(std::string(kCaService)) > 0);
        items[3].socket = events_.socket_handle();  // a new one after a reopening
        expire(clock_.monotonic_ms());
    }
}

void Broker::on_client_message(net::ZmqFrames frames) {
    ClientOrigin client{net::string_of(frames[0]), 0, {}, {}};
    if (frames.size() < 3) {
        reply_error(client, Error{ErrorCode::BAD_REQUEST, "a request has a header and a body"});
        return;
    }
    client.user = net::user_id_of(frames[1]);
    auto protocol_frames = net::frame_views(frames, 1);
    log_.record(Direction::Received, client.user, protocol_frames);
    auto header = decode_header(protocol_frames[0]);
    if (!header) {
        reply_error(client, header.error());
        return;
    }
    client.request_id = header->id;
    client.type = header->type;
    if (!admit_request(client)) return;
    if (header->user) {
        // Who the sender is comes from ZAP alone; a claim in the message is refused.
        reply_error(client, Error{ErrorCode::BAD_REQUEST, "a client must not set 'user'"});
        return;
    }
    auto route = route_for(header->type);
    if (!route) {
        reply_error(client,
                    Error{ErrorCode::BAD_REQUEST, "unknown message type '" + header->type + "'"});
        return;
    }
    auto sender = PeerIdentity::parse(client.user);
    if (!sender) {
        // The authenticator wrote it: a bug, not the client's doing.
        spdlog::error("a client's User-Id does not parse: {}", sender.error().message);
        reply_error(client, Error{ErrorCode::INTERNAL, "the broker could not tell who you are"});
        return;
    }
    net::ZmqFrames body;
    for (size_t i = 2; i < frames.size(); ++i)
        body.push_back(std::move(frames[i]));
    // A released name's old key has the name as its User-Id on connections opened before.
    if (sender->is<UserPeer>()) {
        if (auto allowed =
                authenticator_.check_connection(net::property_of(frames[1], kClientKeyProperty));
            !allowed) {
            reply_error(client, allowed.error());
            return;
        }
    }
    if (const auto* unconfirmed = sender->get_if<UnconfirmedPeer>()) {
        confirm_sender(std::move(client), unconfirmed->curve_key, net::peer_address_of(frames[1]),
                       std::move(body));
        return;
    }
    serve_as(client, *route, std::move(*sender), std::move(body));
}

void Broker::serve_as(const ClientOrigin& client, const Route& route, PeerIdentity sender,
                      net::ZmqFrames body) {
    if (auto allowed = check_sender(sender, route, client.type); !allowed) {
        reply_error(client, allowed.error());
        return;
    }
    // The User-Id, or who an unconfirmed connection's key has turned out to be since.
    std::string user = sender.encode();
    forward(route.service, client.type, user, std::move(body),
            PendingRequest{.stage = ForwardedRequest{client, std::move(sender)}});
}

Result<void> Broker::check_sender(const PeerIdentity& sender, const Route& route,
                                  std::string_view type) const {
    struct Check {
        const Broker& broker;
        const Route& route;
        std::string_view type;
        Result<void> operator()(const UserPeer& user) const {
            return broker.authenticator_.check_user(user.username, broker.clock_.now_seconds());
        }
        Result<void> operator()(const AnonymousPeer&) const {
            if (anonymous_allowed(route)) return {};
            return imgshare::fail(
                ErrorCode::NOT_REGISTERED,
                std::string(type) + " needs a registered key; run 'imgshare register'");
        }
        Result<void> operator()(const UnconfirmedPeer&) const {
            return std::unexpected(unconfirmed_sender());
        }
        // ZAP admits neither on the clients' socket.
        Result<void> operator()(const ServicePeer&) const { return not_a_client(); }
        Result<void> operator()(const BrokerPeer&) const { return not_a_client(); }
        static Result<void> not_a_client() {
            return imgshare::fail(ErrorCode::FORBIDDEN, "only clients send requests here");
        }
    };
    return std::visit(Check{*this, route, type}, sender.kind());
}

void Broker::forward(std::string_view service_name, std::string_view type, const std::string& user,
                     net::ZmqFrames body, PendingRequest pending) {
    std::string service(service_name);
    auto worker = workers_.pick(service);
    if (!worker) {
        fail(pending,
             Error{ErrorCode::SERVICE_UNAVAILABLE, "no " + service + " service is running"});
        return;
    }
    pending.service = service;
    pending.deadline_ms = clock_.monotonic_ms() + config_.request_timeout_ms;
    net::ZmqFrames routed(2);  // the worker's routing id and the header, set per attempt
    routed.reserve(body.size() + 2);
    for (auto& frame : body)
        routed.push_back(std::move(frame));
    auto failure = net::SendFailure::peer_gone;
    for (;;) {
        pending.worker = *worker;
        auto id = pending_.add(std::move(pending));
        routed[0] = zmq::message_t(worker->data(), worker->size());
        routed[1] = header_frame(type, id, user);
        // Recorded before sending: sending empties the frames.
        log_.record(Direction::Sent, service, net::frame_views(routed, 1));
        auto sent = net::send_frames(backend_, routed);
        if (sent) return;
        failure = sent.error();
        pending = std::move(*pending_.take(id));
        // A busy worker stays: its replies to earlier requests are on their way.
        if (failure != net::SendFailure::queue_full) workers_.remove(*worker);
        // The worker vanished between its last heartbeat and now (a restarted
        // service). The ROUTER refused the first frame and left the message
        // whole, so the service's next worker gets it: the restarted one
        // answers at once instead of the client being told to try again.
        if (failure != net::SendFailure::peer_gone) break;
        worker = workers_.pick(service);
        if (!worker) break;
    }
    fail(pending, Error{ErrorCode::SERVICE_UNAVAILABLE,
                        service + (failure == net::SendFailure::queue_full ? " is busy; try again"
                                                                           : " is not reachable")});
}

void Broker::fail(const PendingRequest& pending, const Error& error) {
    std::visit(
        [&](const auto& stage) {
            using Stage = std::decay_t<decltype(stage)>;
            if constexpr (std::is_same_v<Stage, ZapLookup>) {
                answer_zap(stage.zap, Authenticator::ca_unreachable(stage.zap.client_key));
            } else if constexpr (std::is_same_v<Stage, SenderLookup>) {
                reply_error(stage.client, unconfirmed_sender());
            } else {
                reply_error(stage.client, error);
            }
        },
        pending.stage);
}

bool Broker::admit_request(const ClientOrigin& client) {
    auto wait_ms = limiter_.admit(client.user, clock_.monotonic_ms());
    if (!wait_ms) return true;
    auto message = fmt::format("too many requests (at most {}/s, bursts of {}); retry after {} ms",
                               config_.rate_limit.per_second, config_.rate_limit.burst, *wait_ms);
    ErrorReply refusal{ErrorCode::RATE_LIMITED, std::move(message), *wait_ms};
    reply_to_client(client, net::frames_of(encode(refusal, client.request_id)));
    return false;
}

std::optional<std::uint32_t> Broker::may_ask_ca(const Bytes& key, const std::string& source) {
    auto wait_ms = strangers_.admit(authenticator_.known_user(key), source, clock_.monotonic_ms());
    if (wait_ms && strangers_.first_refusal(source)) {
        spdlog::warn(
            "too many connections of unknown keys from {}: refused without asking the "
            "CA (at most {}/s, bursts of {})",
            source, config_.handshake_limit.per_second, config_.handshake_limit.burst);
    }
    return wait_ms;
}

void Broker::reply_to_client(const ClientOrigin& client, net::ZmqFrames frames) {
    log_.record(Direction::Sent, client.user, net::frame_views(frames));
    auto routed = with_routing_id(client.routing_id, std::move(frames));
    auto sent = net::send_message(clients_, routed);
    if (!sent) spdlog::info("reply to {} dropped: {}", client.user, sent.error().message);
}

void Broker::reply_error(const ClientOrigin& client, const Error& error) {
    reply_to_client(client, net::frames_of(encode_error(error, client.request_id)));
}

void Broker::send_to_worker(const std::string& worker, net::ZmqFrames frames,
                            std::string_view peer) {
    log_.record(Direction::Sent, peer, net::frame_views(frames));
    auto routed = with_routing_id(worker, std::move(frames));
    drop_if_gone(worker, net::send_frames(backend_, routed));
}

void Broker::drop_if_gone(const std::string& worker, std::expected<void, net::SendFailure> sent) {
    if (!sent && sent.error() != net::SendFailure::queue_full) workers_.remove(worker);
}

void Broker::send_heartbeats() {
    for (const auto& worker : workers_.all_routing_ids()) {
        auto frames = net::frames_of(encode(HeartbeatMessage{}, 0));
        auto routed = with_routing_id(worker, std::move(frames));
        drop_if_gone(worker, net::send_frames(backend_, routed));
    }
}

void Broker::expire(std::int64_t now_ms) {
    for (const auto& request : pending_.expire(now_ms)) {
        fail(request, Error{ErrorCode::SERVICE_UNAVAILABLE,
                            request.service + " did not answer in time; try again"});
    }
    for (const auto& worker : workers_.expire(now_ms)) {
        spdlog::warn("service worker went silent; dropped");
        (void)worker;
    }
    if (now_ms >= next_heartbeat_ms_) {
        send_heartbeats();
        limiter_.forget_idle(now_ms);
        strangers_.forget_idle(now_ms);
        next_heartbeat_ms_ = now_ms + kServiceHeartbeatMs;
    }
}

}  // namespace imgshare::broker
