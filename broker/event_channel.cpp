#include "broker/event_channel.h"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <chrono>
#include <thread>

#include "broker/zap.h"
#include "common/net/multipart.h"
#include "common/net/socket_options.h"
#include "common/protocol/event.h"
#include "common/protocol/peer_identity.h"

namespace imgshare::broker {

EventChannel::EventChannel(zmq::context_t& context, const SecretBytes& secret_key,
                           const std::string& endpoint, ProtocolLog& log,
                           const Authenticator& authenticator, const Clock& clock)
    : context_(context),
      secret_key_(secret_key),
      log_(log),
      authenticator_(authenticator),
      clock_(clock),
      socket_(context_, zmq::socket_type::xpub) {
    configure_socket();
    socket_.bind(endpoint);
    bound_to_ = socket_.get(zmq::sockopt::last_endpoint);
}

void EventChannel::configure_socket() {
    net::harden_peer_socket(socket_, net::Liveness::ClientFacing);
    net::make_curve_server(socket_, secret_key_.view(), kClientsDomain);
    socket_.set(zmq::sockopt::xpub_manual, true);
}

bool EventChannel::receive_subscription() {
    zmq::message_t frame;
    if (!socket_.recv(frame, zmq::recv_flags::dontwait)) return false;
    on_subscription(frame);
    return true;
}

void EventChannel::on_subscription(const zmq::message_t& frame) {
    auto bytes = net::view_of(frame);
    if (bytes.empty() || (bytes[0] != 0 && bytes[0] != 1)) return;
    bool subscribe = bytes[0] == 1;
    std::string requested(reinterpret_cast<const char*>(bytes.data()) + 1, bytes.size() - 1);
    std::string user_id = net::user_id_of(frame);
    auto peer = PeerIdentity::parse(user_id);
    if (peer && peer->is<UnconfirmedPeer>()) {
        spdlog::info("refused a subscription by {}: the CA could not confirm who it is yet",
                     user_id);
        unconfirmed_.refused_unconfirmed();
        return;
    }
    if (!peer || !subscription_allowed(requested, *peer)) {
        spdlog::info("refused a subscription by {}", user_id);
        return;
    }
    const std::string& user = *peer->username();  // subscription_allowed admits users only
    if (!authenticator_.check_user(user, clock_.now_seconds())) {
        spdlog::info("refused a subscription by {}, who is revoked or expired", user);
        needs_reopening_ = true;  // their connection must go too
        return;
    }
    subscribers_.insert(user);
    if (subscribe) {
        socket_.set(zmq::sockopt::subscribe, requested);
    } else {
        socket_.set(zmq::sockopt::unsubscribe, requested);
    }
}

void EventChannel::drop_user(const std::string& username) {
    if (subscribers_.contains(username)) needs_reopening_ = true;
}

void EventChannel::maintain(std::int64_t now_ms, bool ca_live) {
    check_subscribers(now_ms);
    if (unconfirmed_.due(now_ms, ca_live)) {
        spdlog::info("the CA is back: unconfirmed subscribers get another handshake");
        needs_reopening_ = true;
    }
    if (needs_reopening_ && reopen_socket()) {
        needs_reopening_ = false;
        subscribers_.clear();  // each comes back through ZAP and subscribes again
    }
}

void EventChannel::check_subscribers(std::int64_t now_ms) {
    if (now_ms < next_subscriber_check_ms_) return;
    next_subscriber_check_ms_ = now_ms + kSubscriberCheckIntervalMs;
    for (const auto& user : subscribers_) {
        if (!authenticator_.check_user(user, clock_.now_seconds())) {
            spdlog::info("{} is revoked or expired: closing every event subscription", user);
            needs_reopening_ = true;
            return;
        }
    }
}

bool EventChannel::reopen_socket() {
    socket_.close();
    socket_ = zmq::socket_t(context_, zmq::socket_type::xpub);
    configure_socket();
    // The old listener is closed by ZeroMQ's I/O thread, a moment after close().
    for (int attempt = 0; attempt < 50; ++attempt) {
        try {
            socket_.bind(bound_to_);
            spdlog::info("events socket reopened: subscribers reconnect through ZAP");
            return true;
        } catch (const zmq::error_t& error) {
            if (error.num() != EADDRINUSE) throw;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }
    spdlog::warn("events socket: {} still in use; trying again", bound_to_);
    return false;
}

void EventChannel::publish_commit(const PostCommitReply& commit) {
    publish_to_readers(commit, std::nullopt);
}

void EventChannel::publish_deletion(const DeleteReply& deletion) {
    publish_to_readers(deletion, std::string(kImageDeletedEvent));
}

void EventChannel::publish_to_readers(const PostCommitReply& image,
                                      std::optional<std::string> kind) {
    ImageEvent event{
        {image.name, image.owner, image.seq, image.size, image.created_at, image.mode},
        std::move(kind)};
    if (image.mode == kEscrowMode) {
        publish(event, std::string(kImageTopic));
        return;
    }
    // End-to-end: only the recipients hear of it, never the `image` topic.
    event.recipients = image.recipients;
    for (const auto& recipient : image.recipients)
        publish(event, user_topic(recipient));
}

void EventChannel::publish_share(const ShareReply& share) {
    if (share.mode != kEndToEndMode) return;
    ImageEvent event{{share.name, share.owner, share.seq, share.size, share.created_at,
                      share.mode, share.recipients},
                     std::nullopt};
    // Only the added recipients: the others were told when they were added.
    for (const auto& recipient : share.added)
        publish(event, user_topic(recipient));
    // A revoke: for the readers it took back, the image is gone.
    event.event = std::string(kImageDeletedEvent);
    for (const auto& reader : share.removed)
        publish(event, user_topic(reader));
}

void EventChannel::publish(const ImageEvent& event, const std::string& topic) {
    net::ZmqFrames out;
    for (const auto& bytes : encode_event(event, topic))
        out.push_back(net::frame_of(bytes));
    log_.record(Direction::Published, topic, net::frame_views(out, 1));
    (void)net::send_message(socket_, out);
}

}  // namespace imgshare::broker
