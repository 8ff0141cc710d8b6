// A service's connection to the broker's backend (zguide's Paranoid Pirate
// worker): connects with CURVE pinned to the broker's key, announces itself
// with READY, heartbeats, reconnects when the broker falls silent, and
// dispatches each request through one table from message type to handler.
// A handler takes the decoded request and who sent it (the header's `user`,
// stamped by the broker, parsed here once into a PeerIdentity; never taken from
// the body) and returns a reply or an Error. A request whose `user` is missing
// or malformed is refused (BAD_REQUEST) before any handler runs.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "common/bytes.h"
#include "common/clock.h"
#include "common/crypto/keys.h"
#include "common/error.h"
#include "common/protocol/codec.h"
#include "common/protocol/peer_identity.h"
#include "common/protocol_log.h"

namespace imgshare::service {

struct WorkerConfig {
    std::string broker_endpoint;  // the broker's backend, e.g. tcp://127.0.0.1:7402
    Bytes broker_public_key;      // pinned CURVE key of the broker
    CurveKeyPair keys;            // this service's CURVE key pair (allow-listed at the broker)
    std::string service;          // "ca", "storage"
    std::string node_id;
};

struct RequestContext {
    // Who sent the request, as the broker stamped it: a registered user, an
    // unregistered client (its connection's key), or the broker itself.
    PeerIdentity peer;
    ByteView payload;  // the raw payload frame, if the request has one
};

// A reply body, with an optional payload frame (GET_CHUNK).
struct Outgoing {
    Bytes body;
    std::string type = std::string(kOkType);
    std::optional<Bytes> payload;
};

template <class Reply>
[[nodiscard]] Outgoing ok(const Reply& reply, std::optional<Bytes> payload = std::nullopt) {
    static_assert(Reply::kType == kOkType, "ok() takes a reply struct");
    return Outgoing{encode_map(reply), std::string(kOkType), std::move(payload)};
}

// A reply that travels with a payload frame (DOWNLOAD's first chunk, GET_CHUNK's chunk).
template <class Reply>
struct WithPayload {
    Reply reply;
    Bytes payload;
};

template <class Reply>
[[nodiscard]] Outgoing ok(WithPayload<Reply>&& reply) {
    return ok(reply.reply, std::move(reply.payload));
}

class ServiceWorker {
  public:
    using RawHandler = std::function<Result<Outgoing>(ByteView body, const RequestContext&)>;

    ServiceWorker(WorkerConfig config, ProtocolLog& log, const Clock& clock);
    ServiceWorker(const ServiceWorker&) = delete;
    ServiceWorker& operator=(const ServiceWorker&) = delete;

    // Registers the handler for Request::kType, a request routed to a service
    // (routes.h). A second handler for the same type is a bug: std::logic_error.
    template <class Request, class Handler>
    void on(Handler handler) {
        static_assert(
            requires { Request::kService; }, "only requests routed to a service");
        auto [entry, added] = handlers_.try_emplace(std::string(Request::kType));
        if (!added) {
            throw std::logic_error("two handlers for " + std::string(Request::kType));
        }
        entry->second = [handler = std::move(handler)](
                            ByteView body, const RequestContext& context) -> Result<Outgoing> {
            auto request = decode_body<Request>(body);
            if (!request) return std::unexpected(request.error());
            return handler(*request, context);
        };
    }

    // The types registered with on(), sorted: what routes.h says this service answers.
    [[nodiscard]] std::vector<std::string> handled_types() const;

    // What the worker answers to a request from the broker, without sending it: BAD_REQUEST
    // when the header's `user` is missing or is not a PeerIdentity (before any handler
    // runs), or when no handler is registered for the type; INTERNAL when the handler
    // threw; else the handler's answer.
    [[nodiscard]] Result<Outgoing> dispatch(const Header& header, ByteView body, ByteView payload);

    // Calls `tick` about once a second (housekeeping such as expiring uploads).
    void on_tick(std::function<void()> tick) { tick_ = std::move(tick); }

    // Calls `ready` right after each READY: at start, after every reconnection and when the
    // broker asked the worker to announce itself again (so it may repeat notices the broker
    // could have missed).
    void on_ready(std::function<void()> ready) { ready_ = std::move(ready); }

    // Group commit. A handler may leave writes that must be durable before its reply
    // leaves (`pending` then returns true). From that reply on, the worker holds every
    // reply of the burst of requests it has received, up to kMaxHeldReplies, then calls
    // `sync` once and sends them in order; so no reply of the burst, a read included,
    // can reveal a write before it is durable. When `sync` fails every held reply
    // becomes that error: the requests are idempotent, a retry gets the true answer.
    struct DurabilityBarrier {
        std::function<bool()> pending;
        std::function<Result<void>()> sync;
    };
    void on_durability(DurabilityBarrier barrier) { durability_ = std::move(barrier); }
    static constexpr std::size_t kMaxHeldReplies = 64;

    // Polls `socket` too, calling `on_readable` in this worker's thread when it has input
    // (e.g. the CA's admin socket). `socket` must outlive run().
    void watch(zmq::socket_t& socket, std::function<void()> on_readable);

    // Sends a control message (id 0, never answered) to the broker. Only from the worker's
    // thread: a handler, a tick, on_ready or a watched socket's callback.
    template <class M>
    void notify(const M& message) {
        send(encode(message, 0), "broker");
    }

    // Serves until `stop` becomes true, then tells the broker it is leaving.
    void run(const std::atomic<bool>& stop);

  private:
    struct Watched {
        zmq::socket_t* socket;
        std::function<void()> on_readable;
    };
    struct HeldReply {
        std::vector<Bytes> frames;
        std::string peer;
        std::uint64_t id;
    };

    void connect();
    void announce();
    void send(std::vector<Bytes> frames, std::string_view peer);
    void handle(std::vector<zmq::message_t> frames);
    [[nodiscard]] Result<Outgoing> run_handler(const Header& header, Result<PeerIdentity> sender,
                                               ByteView body, ByteView payload);
    // Sends `frames` now, or holds them while a durability barrier is up.
    void reply(std::vector<Bytes> frames, std::string peer, std::uint64_t id);
    // Makes the held replies' writes durable, then sends them.
    void release_held_replies();

    WorkerConfig config_;
    ProtocolLog& log_;
    const Clock& clock_;
    zmq::context_t context_;
    std::unique_ptr<zmq::socket_t> socket_;
    std::map<std::string, RawHandler> handlers_;
    std::function<void()> tick_;
    std::function<void()> ready_;
    std::vector<Watched> watched_;
    std::optional<DurabilityBarrier> durability_;
    std::vector<HeldReply> held_;
    int liveness_ = 0;
};

// Registers `method` of `handlers` (Result<Reply> (Handlers::*)(const Request&, const
// RequestContext&), const or not) as the handler for Request; the reply goes out as OK, a
// WithPayload reply with its payload frame. `handlers` must outlive `worker`.
template <class Request, class Handlers, class Method>
void route(ServiceWorker& worker, Handlers& handlers, Method method) {
    worker.on<Request>([&handlers, method](const Request& request,
                                           const RequestContext& context) -> Result<Outgoing> {
        auto reply = (handlers.*method)(request, context);
        if (!reply) return std::unexpected(std::move(reply.error()));
        return ok(std::move(*reply));
    });
}

}  // namespace imgshare::service
