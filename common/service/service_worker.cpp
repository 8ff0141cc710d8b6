#include "common/service/service_worker.h"

#include <spdlog/spdlog.h>

#include "common/net/multipart.h"
#include "common/net/socket_options.h"
#include "common/protocol/codec.h"
#include "common/protocol/limits.h"

namespace imgshare::service {

ServiceWorker::ServiceWorker(WorkerConfig config, ProtocolLog& log, const Clock& clock)
    : config_(std::move(config)), log_(log), clock_(clock), context_(1) {}

void ServiceWorker::connect() {
    socket_ = std::make_unique<zmq::socket_t>(context_, zmq::socket_type::dealer);
    net::harden_peer_socket(*socket_, net::Liveness::Service);
    net::make_curve_client(*socket_, config_.broker_public_key, config_.keys.public_key,
                           config_.keys.secret_key.view());
    socket_->connect(config_.broker_endpoint);
    liveness_ = kServiceLiveness;
    announce();
}

void ServiceWorker::announce() {
    send(encode(ReadyMessage{config_.service, config_.node_id}, 0), "broker");
    if (ready_) ready_();
}

void ServiceWorker::watch(zmq::socket_t& socket, std::function<void()> on_readable) {
    watched_.push_back(Watched{&socket, std::move(on_readable)});
}

void ServiceWorker::send(std::vector<Bytes> encoded, std::string_view peer) {
    std::vector<ByteView> views(encoded.begin(), encoded.end());
    log_.record(Direction::Sent, peer, views);
    net::ZmqFrames frames;
    for (const auto& bytes : encoded)
        frames.push_back(net::frame_of(bytes));
    auto sent = net::send_message(*socket_, frames);
    if (!sent) spdlog::warn("could not send to the broker: {}", sent.error().message);
}

void ServiceWorker::run(const std::atomic<bool>& stop) {
    connect();
    auto next_heartbeat = clock_.monotonic_ms() + kServiceHeartbeatMs;
    auto next_tick = clock_.monotonic_ms() + 1000;
    while (!stop.load()) {
        std::vector<zmq::pollitem_t> items{{socket_->handle(), 0, ZMQ_POLLIN, 0}};
        for (const auto& watched : watched_)
            items.push_back({watched.socket->handle(), 0, ZMQ_POLLIN, 0});
        log_.flush();  // before waiting: a batched log is at most one burst behind
        try {
            zmq::poll(items.data(), items.size(), std::chrono::milliseconds(100));
        } catch (const zmq::error_t& error) {
            if (error.num() == EINTR) continue;
            throw;
        }
        auto now = clock_.monotonic_ms();
        for (std::size_t i = 0; i < watched_.size(); ++i) {
            if (items[i + 1].revents & ZMQ_POLLIN) watched_[i].on_readable();
        }
        if (items[0].revents & ZMQ_POLLIN) {
            while (auto message = net::receive_message(*socket_, kMaxFrames)) {
                liveness_ = kServiceLiveness;
                if (message->too_many_frames) continue;
                handle(std::move(message->frames));
                if (held_.size() >= kMaxHeldReplies) release_held_replies();
            }
            release_held_replies();
        }
        if (now >= next_heartbeat) {
            next_heartbeat = now + kServiceHeartbeatMs;
            if (--liveness_ <= 0) {
                spdlog::warn("broker silent for {} heartbeats; reconnecting", kServiceLiveness);
                connect();
            } else {
                send(encode(HeartbeatMessage{}, 0), "broker");
            }
        }
        if (tick_ && now >= next_tick) {
            next_tick = now + 1000;
            tick_();
        }
    }
    send(encode(DisconnectMessage{}, 0), "broker");
    log_.flush();
}

namespace {

// The sender of a request from the broker, parsed once: every request carries one.
Result<PeerIdentity> sender_of(const Header& header) {
    if (!header.user) {
        return fail(ErrorCode::BAD_REQUEST,
                    "header 'user' is missing: the broker names the sender of every request");
    }
    auto sender = PeerIdentity::parse(*header.user);
    if (!sender) {
        return fail(ErrorCode::BAD_REQUEST, "header 'user': " + sender.error().message);
    }
    return sender;
}

}  // namespace

std::vector<std::string> ServiceWorker::handled_types() const {
    std::vector<std::string> types;
    for (const auto& [type, handler] : handlers_)
        types.push_back(type);
    return types;  // a std::map's keys: sorted
}

Result<Outgoing> ServiceWorker::dispatch(const Header& header, ByteView body, ByteView payload) {
    return run_handler(header, sender_of(header), body, payload);
}

Result<Outgoing> ServiceWorker::run_handler(const Header& header, Result<PeerIdentity> sender,
                                            ByteView body, ByteView payload) {
    if (!sender) {
        // Only the broker reaches this socket, and it stamps every request: a bug or an
        // intruder, worth an operator's look.
        spdlog::warn("refused {} {}: {}", header.type, header.id, sender.error().message);
        return std::unexpected(std::move(sender.error()));
    }
    auto handler = handlers_.find(header.type);
    if (handler == handlers_.end()) {
        return fail(ErrorCode::BAD_REQUEST,
                    "the " + config_.service + " service does not handle " + header.type);
    }
    try {
        return handler->second(body, RequestContext{std::move(*sender), payload});
    } catch (const std::exception& error) {
        // A bug, not bad input: answer, log, keep serving.
        spdlog::error("handler for {} failed: {}", header.type, error.what());
        return fail(ErrorCode::INTERNAL, "internal error in " + config_.service);
    }
}

void ServiceWorker::handle(std::vector<zmq::message_t> frames) {
    auto views = net::frame_views(frames);
    auto header = decode_header(views[0]);
    if (!header) {
        spdlog::warn("dropped a message from the broker: {}", describe(header.error()));
        return;
    }
    if (header->type == HeartbeatMessage::kType || header->type == DisconnectMessage::kType) {
        log_.record(Direction::Received, "broker", views);
        // DISCONNECT: the broker lost track of us (it restarted or expired us).
        if (header->type == DisconnectMessage::kType) announce();
        return;
    }
    auto sender = sender_of(*header);
    // The log names the broker "broker", as for its control messages.
    std::string peer =
        sender && sender->is<BrokerPeer>() ? "broker" : header->user.value_or("broker");
    log_.record(Direction::Received, peer, views);
    // The frame rules before any handler reads the body: a payload frame where the type has
    // none, or none where it has one, is BAD_REQUEST in every service (PROTOCOL.md §2).
    auto payload = wire::request_payload(views, header->type);
    auto result = payload ? run_handler(*header, std::move(sender), views[1], *payload)
                          : Result<Outgoing>(std::unexpected(std::move(payload.error())));
    if (!result) {
        reply(encode_error(result.error(), header->id), std::move(peer), header->id);
        return;
    }
    Header reply_header;
    reply_header.type = result->type;
    reply_header.id = header->id;
    std::vector<Bytes> outgoing;
    outgoing.push_back(encode_header(reply_header));
    outgoing.push_back(std::move(result->body));
    if (result->payload) outgoing.push_back(std::move(*result->payload));
    reply(std::move(outgoing), std::move(peer), header->id);
}

void ServiceWorker::reply(std::vector<Bytes> frames, std::string peer, std::uint64_t id) {
    if (held_.empty() && !(durability_ && durability_->pending())) {
        send(std::move(frames), peer);
        return;
    }
    held_.push_back(HeldReply{std::move(frames), std::move(peer), id});
}

void ServiceWorker::release_held_replies() {
    if (held_.empty()) return;
    auto synced = durability_->sync();
    // A full disk is logged once per episode by the storage node's database, not per burst.
    if (!synced && synced.error().code != ErrorCode::STORAGE_FULL) {
        spdlog::error("could not make {} replies' writes durable: {}", held_.size(),
                      describe(synced.error()));
    }
    for (auto& held : held_) {
        if (synced) {
            send(std::move(held.frames), held.peer);
        } else {
            send(encode_error(synced.error(), held.id), held.peer);
        }
    }
    held_.clear();
}

}  // namespace imgshare::service
