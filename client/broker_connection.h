// The client's request/reply connection to the broker: a DEALER over CURVE,
// pinned to the broker's public key from the trust file, authenticated by the
// user's own CURVE key pair (DESIGN.md §2, "Transport").
//
// Promises:
// - every request carries a fresh id and is matched to its reply by id;
//   replies to requests this connection no longer waits for are dropped;
// - a request without a reply within the time-out is sent again (every
//   request is idempotent), up to `attempts` times, then fails with TIMEOUT
//   "the broker … is not answering" (its handshake completed: it is there and
//   holds the pinned key);
// - when the connection is lost and a new handshake completes (a restarted
//   broker), what was in flight is sent again at once, each copy counted as
//   an attempt, instead of waiting out the time-out: the broker answers only
//   on the connection a request came in on;
// - if no CURVE handshake with the broker has completed within the
//   handshake time-out, the call fails with TIMEOUT at once, saying what the
//   socket monitor saw: nothing accepting connections ("is it running?"), a
//   broker that accepted the connection but is not answering, or one that
//   closed it during the handshake ("is broker_public_key in the trust file
//   its key?"): never a hang;
// - if the broker refuses this client's key (its ZAP handler says no: a
//   revoked or expired user) and `key_refused` is set, the call fails with
//   that error as soon as the refusal is seen;
// - a RATE_LIMITED reply that carries a retry hint (the broker's rate limit)
//   is not handed over: the request is sent again after the hint, up to
//   kRateLimitedRetries times, so a transfer slows down instead of failing;
// - transfers keep at most `window` requests in flight (credit-based: one
//   more is sent per reply) and hand replies over in index order, so memory
//   is bounded by the window whatever the number of chunks;
// - every message sent or received is recorded in the protocol log;
// - the stop flag, once set, ends any call within ~100 ms with INTERNAL
//   "interrupted".
// A peer's ERROR reply is returned as that Error (code and message as sent).
#pragma once

#include <zmq.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "client/handshake_monitor.h"
#include "common/bytes.h"
#include "common/crypto/keys.h"
#include "common/error.h"
#include "common/net/multipart.h"
#include "common/protocol/codec.h"
#include "common/protocol_log.h"

namespace imgshare::client {

class CertificateLog;

struct ConnectionSettings {
    std::string endpoint;     // "tcp://host:port" of the broker's client ROUTER
    Bytes broker_public_key;  // pinned, from the trust file
    // Longer than the broker's own service time-out (4 s), after which it answers
    // SERVICE_UNAVAILABLE itself: resending earlier would only duplicate work.
    std::chrono::milliseconds request_timeout{6000};
    std::chrono::milliseconds handshake_timeout{5000};
    int attempts = 3;
    // What a refused key means for this connection's key (REVOKED or EXPIRED for a
    // registered user); nullopt: a refusal looks like an unreachable broker (TIMEOUT).
    std::optional<Error> key_refused;
    // The certificate log as this client has seen it (client/certificate_log.h): every
    // certificate read through this connection is checked against it. None: every such
    // check fails (NOT_LOGGED), never passes.
    std::shared_ptr<CertificateLog> certificate_log;
};

// How often one request is sent again after RATE_LIMITED before that error is returned.
inline constexpr int kRateLimitedRetries = 16;

// Requests numbered [first, end): how to make each, what to do with each reply.
struct Transfer {
    // The request for `index`, with header id `id` (e.g. encode(GetChunkRequest{..}, id)).
    std::function<Result<Frames>(std::uint32_t index, std::uint64_t id)> request;
    // The reply to `index` (frames as received), called in index order. An error ends the
    // transfer with that error.
    std::function<Result<void>(std::uint32_t index, std::span<const ByteView> reply)> deliver;
    // Called after each delivery; optional.
    std::function<void(std::uint32_t delivered)> progress;
};

class BrokerConnection {
  public:
    // Connects (asynchronously: the handshake happens while the first request waits).
    BrokerConnection(ConnectionSettings settings, const CurveKeyPair& keys, ProtocolLog& log,
                     const std::atomic<bool>& stop);
    BrokerConnection(const BrokerConnection&) = delete;
    // The settings' certificate log; nullptr when there is none.
    [[nodiscard]] CertificateLog* certificate_log() const { return settings_.certificate_log.get(); }
    BrokerConnection& operator=(const BrokerConnection&) = delete;
    ~BrokerConnection();

    // One request (with `payload` as its payload frame, for the messages that carry one) and
    // its reply of type R (the OK body of M's reply).
    template <class R, class M>
    [[nodiscard]] Result<R> call(const M& message, ByteView payload = {}) {
        return call_once<R>(message, payload, [](std::span<const ByteView> frames) {
            return decode_reply<R>(frames);
        });
    }

    // One request whose reply type R carries a payload frame: the reply and a copy of the
    // payload (a DOWNLOAD's first chunk).
    template <class R, class M>
    [[nodiscard]] Result<std::pair<R, Bytes>> call_for_payload(const M& message) {
        static_assert(carries_payload<R>(),
                      "call_for_payload() is for replies that carry a payload; use call()");
        return call_once<std::pair<R, Bytes>>(
            message, {}, [](std::span<const ByteView> frames) -> Result<std::pair<R, Bytes>> {
                auto decoded = decode_reply_message<R>(frames);
                if (!decoded) return std::unexpected(decoded.error());
                return std::pair{std::move(decoded->reply),
                                 Bytes(decoded->payload.begin(), decoded->payload.end())};
            });
    }

    // Runs requests [first, end) with at most `window` in flight.
    [[nodiscard]] Result<void> run(const Transfer& transfer, std::uint32_t first, std::uint32_t end,
                                   std::size_t window);

  private:
    // One request and its reply, as read(frames) makes it.
    template <class Out, class M, class Read>
    [[nodiscard]] Result<Out> call_once(const M& message, ByteView payload, Read read) {
        Result<Out> reply = fail(ErrorCode::INTERNAL, "no reply");
        auto done =
            run(Transfer{[&](std::uint32_t, std::uint64_t id) -> Result<Frames> {
                             return encode(message, id, std::nullopt, payload);
                         },
                         [&](std::uint32_t, std::span<const ByteView> frames) -> Result<void> {
                             reply = read(frames);
                             if (!reply) return std::unexpected(reply.error());
                             return {};
                         },
                         {}},
                0, 1, 1);
        if (!done) return std::unexpected(done.error());
        return reply;
    }

    struct InFlight;
    [[nodiscard]] Result<void> send(const Frames& frames);
    [[nodiscard]] Result<void> wait_and_receive(std::int64_t until_ms,
                                                std::map<std::uint64_t, InFlight>& in_flight,
                                                std::map<std::uint32_t, net::ZmqFrames>& arrived);
    [[nodiscard]] Result<void> check_handshake(std::int64_t now_ms) const;
    // After a new handshake that replaced a lost connection, sends again what was in flight.
    [[nodiscard]] Result<void> resend_after_reconnection(
        std::map<std::uint64_t, InFlight>& in_flight);
    [[nodiscard]] std::string wrong_key_hint() const;
    // The TIMEOUT once a request had no reply after `attempts`.
    [[nodiscard]] Error no_reply(int attempts) const;

    ConnectionSettings settings_;
    ProtocolLog& log_;
    const std::atomic<bool>& stop_;
    zmq::context_t context_;
    zmq::socket_t socket_;
    std::unique_ptr<HandshakeMonitor> monitor_;
    std::int64_t connected_at_ms_ = 0;
    int handshakes_seen_ = 0;  // the monitor's count when in-flight requests were last sent
    std::uint64_t next_id_ = 1;
};

}  // namespace imgshare::client
