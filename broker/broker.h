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
//
// Who a peer is comes from ZAP alone, as a PeerIdentity; every request sent to
// a service carries one as the header's `user` (the broker's own: BrokerPeer).
// The services' control messages (READY, HEARTBEAT, DISCONNECT, USER_REVOKED)
// and what follows a client's OK reply (DOWNLOAD: REWRAP; POST_COMMIT,
// POST_IMAGE, SHARE: NEW_IMAGE; RENEW: the new end of the certificate) are
// each one table: control_messages.cpp and reply_hooks.cpp. The ZAP side (asking
// the CA who a key belongs to) is in zap_lookup.cpp, asking again for the requests of a
// connection ZAP could not confirm in sender_confirmation.cpp; the loop, the clients' side
// and forwarding in broker.cpp.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <zmq.hpp>

#include "broker/authenticator.h"
#include "broker/event_channel.h"
#include "broker/pending_requests.h"
#include "broker/rate_limiter.h"
#include "broker/stranger_limiter.h"
#include "broker/routing_table.h"
#include "broker/worker_registry.h"
#include "common/clock.h"
#include "common/crypto/keys.h"
#include "common/net/multipart.h"
#include "common/protocol/header.h"
#include "common/protocol/messages.h"
#include "common/protocol/peer_identity.h"
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
    // Per source address: CA lookups of keys not known as a user's (broker/stranger_limiter.h).
    RateLimit handshake_limit = kDefaultStrangerLimit;
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
    // After-reply hooks (a table in finish_forwarded) either leave the service's OK reply
    // to go back to the client, or have answered the client themselves.
    enum class AfterReply { pass_on, answered };

    void on_client_message(net::ZmqFrames frames);
    // NOT_REGISTERED, SERVICE_UNAVAILABLE, REVOKED, EXPIRED... when `sender` may not send
    // a request of `route` now.
    [[nodiscard]] Result<void> check_sender(const PeerIdentity& sender, const Route& route,
                                            std::string_view type) const;
    // check_sender(), then the request goes to the route's service from `sender`.
    void serve_as(const ClientOrigin& client, const Route& route, PeerIdentity sender,
                  net::ZmqFrames body);

    // A request from a connection ZAP could not confirm (sender_confirmation.cpp): the key is
    // decided again (cached, else the CA's LOOKUP_CURVE_KEY) and the request served as that
    // peer, or refused as ZAP would have refused the key.
    // `source`: the connection's address, which the CA lookup of an unknown key is charged to.
    void confirm_sender(ClientOrigin client, Bytes curve_key, const std::string& source,
                        net::ZmqFrames body);
    void finish_sender_lookup(SenderLookup& request, net::ZmqFrames frames);
    void serve_confirmed(const ClientOrigin& client, const Verdict& verdict, net::ZmqFrames body);
    // What the CA's answer to LOOKUP_CURVE_KEY (`frames`: [header][body]) makes of `key`.
    [[nodiscard]] Verdict lookup_verdict(const Bytes& key, const net::ZmqFrames& frames);
    [[nodiscard]] bool admit_request(const ClientOrigin& client);
    // Whether the CA may be asked about `key`, which came from `source` (StrangerLimiter);
    // else the milliseconds until it may, and the refusal is logged once a while.
    [[nodiscard]] std::optional<std::uint32_t> may_ask_ca(const Bytes& key,
                                                          const std::string& source);

    // The backend: control messages (a table in on_backend_message), then replies.
    void on_backend_message(net::ZmqFrames frames);
    void on_ready(const std::string& worker, const net::ZmqFrames& frames);
    void on_heartbeat(const std::string& worker, const net::ZmqFrames& frames);
    void on_disconnect(const std::string& worker, const net::ZmqFrames& frames);
    void on_user_revoked(const std::string& worker, const net::ZmqFrames& frames);
    void on_user_released(const std::string& worker, const net::ZmqFrames& frames);
    template <class Notice>
    std::optional<Notice> ca_notice(const std::string& worker, const net::ZmqFrames& frames);
    // `header` is frames[1] decoded (on_backend_message did it already).
    void on_service_reply(const std::string& worker, const Header& header, net::ZmqFrames frames);

    // Sends `body` as a `type` request from `user` (a User-Id, or the broker's own) to a
    // worker of `service`; when none takes it, fail()s `pending`.
    void forward(std::string_view service, std::string_view type, const std::string& user,
                 net::ZmqFrames body, PendingRequest pending);
    // The one way a pending request ends without its reply: a client is told `error`, a
    // ZAP lookup admits the key as unconfirmed.
    void fail(const PendingRequest& pending, const Error& error);

    // The reply's frames are [header][body][payload?].
    void finish_forwarded(const ForwardedRequest& request, const Header& header,
                          net::ZmqFrames frames);
    void finish_download(DownloadRewrap& request, net::ZmqFrames frames);
    void finish_zap(const ZapLookup& request, net::ZmqFrames frames);
    AfterReply rewrap_download(const ForwardedRequest& request, net::ZmqFrames& frames);
    AfterReply publish_commit(const ForwardedRequest& request, net::ZmqFrames& frames);
    AfterReply publish_share(const ForwardedRequest& request, net::ZmqFrames& frames);
    AfterReply publish_deletion(const ForwardedRequest& request, net::ZmqFrames& frames);
    AfterReply note_renewal(const ForwardedRequest& request, net::ZmqFrames& frames);

    void on_zap_request(net::ZmqFrames frames);
    void answer_zap(const ZapRequest& request, const Verdict& verdict);
    void reply_to_client(const ClientOrigin& client, net::ZmqFrames frames);
    void reply_error(const ClientOrigin& client, const Error& error);
    void send_to_worker(const std::string& worker, net::ZmqFrames frames, std::string_view peer);
    // A worker whose send failed is dropped unless it was only busy.
    void drop_if_gone(const std::string& worker, std::expected<void, net::SendFailure> sent);
    void send_heartbeats();
    void expire(std::int64_t now_ms);

    // The `user` of the broker's own requests (LOOKUP_CURVE_KEY, REWRAP).
    static const std::string& broker_user();
    static zmq::message_t header_frame(std::string_view type, std::uint64_t id,
                                       std::optional<std::string> user);

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
    StrangerLimiter strangers_;
    WorkerRegistry workers_;
    PendingRequests pending_;
    std::int64_t next_heartbeat_ms_ = 0;
};

}  // namespace imgshare::broker
