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
// is forwarded. ZAP admits a subscriber once, at its handshake, and XPUB
// cannot drop one peer: so when a subscribed user is revoked or expires (checked
// every second), the events socket is closed and bound again, every subscriber
// reconnects through ZAP (that user is refused there) and watchers fill the gap
// with LIST.
#pragma once

#include <atomic>
#include <cstdint>
#include <set>
#include <string>

#include <zmq.hpp>

#include "broker/authenticator.h"
#include "broker/pending_requests.h"
#include "broker/rate_limiter.h"
#include "broker/worker_registry.h"
#include "common/clock.h"
#include "common/crypto/keys.h"
#include "common/net/multipart.h"
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
    void on_service_reply(const std::string& worker, net::ZmqFrames frames);
    void on_subscription(const zmq::message_t& frame);
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
    void publish(const NewImageEvent& event, const std::string& topic);
    void publish_commit(const net::ZmqFrames& frames);
    void publish_share(const net::ZmqFrames& frames);
    void send_to_worker(const std::string& worker, net::ZmqFrames frames, std::string_view peer);
    void send_heartbeats();
    void open_events_socket();
    void check_subscribers(std::int64_t now_ms);
    [[nodiscard]] bool reopen_events_socket();
    void expire(std::int64_t now_ms);

    BrokerConfig config_;
    ProtocolLog& log_;
    const Clock& clock_;
    zmq::context_t context_;
    zmq::socket_t zap_;
    zmq::socket_t clients_;
    zmq::socket_t events_;
    zmq::socket_t backend_;
    Authenticator authenticator_;
    RateLimiter limiter_;
    WorkerRegistry workers_;
    PendingRequests pending_;
    std::int64_t next_heartbeat_ms_ = 0;
    std::string events_bound_to_;  // the endpoint as bound (a wildcard port resolved)
    bool events_need_reopening_ = false;
    std::set<std::string> subscribers_;  // users admitted to the current events socket
    std::int64_t next_subscriber_check_ms_ = 0;
    static constexpr std::int64_t kSubscriberCheckIntervalMs = 1000;
};

}  // namespace imgshare::broker
