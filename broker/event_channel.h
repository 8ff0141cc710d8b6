// The broker's events side: the XPUB socket on which NEW_IMAGE is published,
// with manual subscriptions. A subscription is applied only for a registered,
// unrevoked, unexpired user and only to a topic subscription_allowed() admits
// (`image`, or exactly their own `user.<name>/`); anything else is dropped.
//
// ZAP admits a subscriber once, at its handshake, and XPUB cannot drop one
// peer: so when an admitted subscriber is revoked or expires (checked every
// second), maintain() closes the socket and binds it again on the same
// endpoint, every subscriber reconnects through ZAP (that user is refused
// there) and watchers fill the gap with LIST. The same reopening, once a CA
// is live, gives subscribers ZAP could not confirm (`unknown:<key>`, refused
// every topic) a handshake the CA can answer (broker/subscriber_recheck.h).
// Every event published goes to the protocol log.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include <zmq.hpp>

#include "broker/authenticator.h"
#include "broker/subscriber_recheck.h"
#include "common/clock.h"
#include "common/crypto/secret_bytes.h"
#include "common/protocol/messages.h"
#include "common/protocol_log.h"

namespace imgshare::broker {

class EventChannel {
  public:
    // Binds a CURVE XPUB socket (ZAP domain kClientsDomain) to `endpoint`; throws
    // zmq::error_t if it cannot. The ZAP handler must already be bound. `context`,
    // `secret_key`, `log`, `authenticator` and `clock` must outlive the channel.
    EventChannel(zmq::context_t& context, const SecretBytes& secret_key,
                 const std::string& endpoint, ProtocolLog& log, const Authenticator& authenticator,
                 const Clock& clock);
    EventChannel(const EventChannel&) = delete;
    EventChannel& operator=(const EventChannel&) = delete;

    // The socket, for zmq::poll. It changes when maintain() reopens the socket.
    [[nodiscard]] void* socket_handle() { return socket_.handle(); }

    // Takes one (un)subscription off the socket without blocking and admits or
    // refuses it; false when none was waiting.
    [[nodiscard]] bool receive_subscription();

    // `username` was revoked: if they are subscribed, the next maintain() reopens the socket.
    void drop_user(const std::string& username);

    // Once a second (by monotonic `now_ms`), checks every admitted subscriber against
    // the authenticator; reopens the socket when one must go, or when `ca_live` (a CA
    // worker is ready) and unconfirmed subscribers were refused. Call once per loop turn.
    void maintain(std::int64_t now_ms, bool ca_live);

    // NEW_IMAGE for a committed post: escrow on kImageTopic; end-to-end on each
    // recipient's own topic only.
    void publish_commit(const PostCommitReply& commit);
    // NEW_IMAGE for an end-to-end share, on the topics of the added recipients only, and
    // IMAGE_DELETED on those of the readers a revoke took back.
    void publish_share(const ShareReply& share);
    // IMAGE_DELETED for an owner's DELETE, on the topics the image's NEW_IMAGE went to:
    // escrow on kImageTopic; end-to-end on the topic of each reader it had.
    void publish_deletion(const DeleteReply& deletion);

  private:
    void configure_socket();
    void on_subscription(const zmq::message_t& frame);
    void check_subscribers(std::int64_t now_ms);
    [[nodiscard]] bool reopen_socket();
    void publish(const ImageEvent& event, const std::string& topic);
    // An event of `kind` (absent: NEW_IMAGE) about `image`, on the topics of its readers.
    void publish_to_readers(const PostCommitReply& image, std::optional<std::string> kind);

    zmq::context_t& context_;
    const SecretBytes& secret_key_;
    ProtocolLog& log_;
    const Authenticator& authenticator_;
    const Clock& clock_;
    zmq::socket_t socket_;
    std::string bound_to_;  // the endpoint as bound (a wildcard port resolved)
    bool needs_reopening_ = false;
    std::set<std::string> subscribers_;  // users admitted to the current socket
    SubscriberRecheck unconfirmed_;
    std::int64_t next_subscriber_check_ms_ = 0;
    static constexpr std::int64_t kSubscriberCheckIntervalMs = 1000;
};

}  // namespace imgshare::broker
