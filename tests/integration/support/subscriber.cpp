#include "tests/integration/support/subscriber.h"

#include <algorithm>
#include <stdexcept>

#include "common/net/socket_options.h"
#include "tests/integration/support/wait.h"

namespace imgshare::testing {

Subscriber::Subscriber(Cluster& cluster, const CurveKeyPair& keys,
                       const std::vector<std::string>& topics)
    : cluster_(cluster), socket_(context_, zmq::socket_type::sub) {
    net::harden_peer_socket(socket_, net::Liveness::Client);
    net::make_curve_client(socket_, cluster.broker_public_key(), keys.public_key,
                           keys.secret_key.view());
    for (const auto& topic : topics)
        subscribe(topic);
    socket_.connect(cluster.events_endpoint());
}

void Subscriber::subscribe(const std::string& topic) {
    socket_.set(zmq::sockopt::subscribe, topic);
    topics_.push_back(topic);
}

::testing::AssertionResult Subscriber::wait_until_decided(const std::string& user,
                                                          std::chrono::milliseconds timeout) {
    // Unique on this socket (ZeroMQ sends a topic asked for twice only once), and no
    // event's topic starts with it.
    subscribe("nobody-is-admitted-" + std::to_string(topics_.size()));
    // `user` is how the broker's log names the subscriber: a username, or "anon:" for an
    // unregistered one (whose every topic is refused, whatever its key).
    const PeerIdentity peer =
        user.starts_with("anon:") ? PeerIdentity{AnonymousPeer{}} : PeerIdentity{UserPeer{user}};
    auto refused = static_cast<size_t>(std::ranges::count_if(
        topics_, [&](const std::string& topic) { return !subscription_allowed(topic, peer); }));
    const std::string needle = "refused a subscription by " + user;
    return wait_until(
        [&] {
            // ZeroMQ takes in a reconnection (and sends the subscriptions again on it) only
            // when the socket is used: a watcher polls it all the time, so do that here.
            (void)socket_.get(zmq::sockopt::events);
            return count_of(cluster_.broker()->err(), needle) >= refused;
        },
        timeout, "\"" + needle + "\" " + std::to_string(refused) + " time(s) in the broker's log");
}

std::optional<DecodedEvent> Subscriber::next(std::chrono::milliseconds timeout) {
    zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1, timeout) == 0) return std::nullopt;
    Frames frames;
    zmq::message_t frame;
    do {
        if (!socket_.recv(frame)) return std::nullopt;
        auto bytes = static_cast<const std::uint8_t*>(frame.data());
        frames.emplace_back(bytes, bytes + frame.size());
    } while (frame.more());
    auto event = decode_event(frames);
    if (!event) throw std::runtime_error("malformed event: " + event.error().message);
    return std::move(*event);
}

}  // namespace imgshare::testing
