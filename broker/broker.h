// The broker: one readable loop (zguide's Majordomo) over four sockets —
// clients (ROUTER), events (XPUB, manual subscriptions), services (backend
// ROUTER) and the ZAP handler (inproc ROUTER). It routes by message type,
// stamps the authenticated user onto every forwarded request, orchestrates
// DOWNLOAD (storage, then the CA's REWRAP in escrow mode; an e2e grant passes
// untouched) and publishes NEW_IMAGE after each commit and share (e2e: on the
// recipients' own topics only). It holds no user data and no secret but its own CURVE key.
//
// Every client request is first charged to its sender's rate limit
// (RATE_LIMITED with retry_after_ms when over it); a registered sender who is
// revoked or whose certificate has expired gets REVOKED / EXPIRED and nothing
// is forwarded; their event subscriptions end too (broker/event_channel.h).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include <zmq.hpp>

#include "broker/authenticator.h"
#include "broker/event_channel.h"
#include "broker/pending_requests.h"
#include "broker/rate_limiter.h"
#include "broker/worker_registry.h"
#include "common/clock.h"
#include "common/crypto/keys.h"
#include "common/net/multipart.h"
#include "common/protocol/header.h"
#include "common/protocol/messages.h"
#include "common/protocol_log.h"

namespace imgshare::broker {

struct BrokerConfig {
    std::string client_endpoint = "tcp://127.0.0.1:7400";
    std::string events_endpoint = "tcp://127.0.0.1:7401";
    std::string backend_endpoint = "tcp://127.0.0.1:7402";
    CurveKeyPair keys;
    ServiceKeys service_keys;  // CURVE public keys allowed on the backend, each for one service
    std::int64_t request_timeout_ms = 4000;
    RateLimit rate_limit;  // per sender
    // ZeroMQ I/O threads: CURVE encryption and socket I/O for all connections run
    // there, spread by connection; the routing loop is a thread of its own.
    int io_threads = 2;
};

class Broker {
  public:
    Broker(BrokerConfig config, ProtocolLog& log, const Clock& clock);
    Broker(const Broker&) = delete;
    Broker& operator=(const Broker&) = delete;

    // Serves until `stop` becomes true.
    void run(const std::atomic<bool>& stop);

  private:
    void on_client_message(net::ZmqFrames frames);
    void on_backend_message(net::ZmqFrames frames);
    // `header` is frames[1] decoded (on_backend_message did it already).
    void on_service_reply(const std::string& worker, const Header& header, net::ZmqFrames frames);
    void on_zap_request(net::ZmqFrames frames);
    void on_user_revoked(const std::string& worker, const net::ZmqFrames& frames);
    void note_renewal(const ClientOrigin& client, const net::ZmqFrames& frames);
    [[nodiscard]] bool admit_request(const ClientOrigin& client);

    void forward(const std::string& service, const std::string& type,
                 std::optional<std::string> user, net::ZmqFrames body, PendingRequest pending);
    void finish_download(PendingRequest pending, net::ZmqFrames frames);
    void finish_zap(PendingRequest pending, net::ZmqFrames frames);
    void answer_zap(const ZapRequest& request, const Verdict& verdict);
    void reply_to_client(const ClientOrigin& client, net::ZmqFrames frames);
    void reply_error(const ClientOrigin& client, const Error& error);
    void send_to_worker(const std::string& worker, net::ZmqFrames frames, std::string_view peer);
    // A worker whose send failed is dropped unless it was only busy.
    void drop_if_gone(const std::string& worker, std::expected<void, net::SendFailure> sent);
    void send_heartbeats();
    void expire(std::int64_t now_ms);

    BrokerConfig config_;
    ProtocolLog& log_;
    const Clock& clock_;
    zmq::context_t context_;
    Authenticator authenticator_;
    zmq::socket_t zap_;  // bound before any CURVE socket below is made
    zmq::socket_t clients_;
    EventChannel events_;
    zmq::socket_t backend_;
    RateLimiter limiter_;
    WorkerRegistry workers_;
    PendingRequests pending_;
    std::int64_t next_heartbeat_ms_ = 0;
};

}  // namespace imgshare::broker
