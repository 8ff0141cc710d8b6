// A stand-in for the broker's client ROUTER, in a thread of the test process:
// CURVE with its own key (no ZAP handler, so any client key is admitted),
// handing each request to the test's function, which may answer, stay silent
// or hold replies back. Also a stand-in for its event socket, and for a
// frozen broker.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <zmq.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "client/handshake_monitor.h"
#include "common/crypto/keys.h"
#include "common/net/multipart.h"
#include "common/protocol/codec.h"
#include "common/protocol/event.h"

namespace imgshare::testing {

// A copy of `keys`, for a FakeBroker that stands in for a broker restarted with the same keys.
inline CurveKeyPair copy_of(const CurveKeyPair& keys) {
    return CurveKeyPair{keys.public_key, SecretBytes::copy_of(keys.secret_key.view())};
}

class FakeBroker {
  public:
    // Given a request's frames (no routing id), the messages to send back now (each without
    // routing id), possibly none.
    using Handler = std::function<std::vector<Frames>(const Frames& request)>;

    // Binds `endpoint`: a free port by default; a given one to stand in for a restarted broker
    // (the same keys on the same port as one that went away).
    explicit FakeBroker(Handler handler, CurveKeyPair keys = generate_curve_keys(),
                        const std::string& endpoint = "tcp://127.0.0.1:*")
        : handler_(std::move(handler)), keys_(std::move(keys)) {
        socket_.set(zmq::sockopt::linger, 0);
        // Plain CURVE server without ZAP: the fake admits every client key.
        socket_.set(zmq::sockopt::curve_server, true);
        socket_.set(zmq::sockopt::curve_secretkey,
                    zmq::const_buffer(keys_.secret_key.data(), keys_.secret_key.size()));
        monitor_ = std::make_unique<client::HandshakeMonitor>(context_, socket_);
        socket_.bind(endpoint);
        endpoint_ = socket_.get(zmq::sockopt::last_endpoint);
        thread_ = std::thread([this] { serve(); });
    }
    FakeBroker(const FakeBroker&) = delete;
    FakeBroker& operator=(const FakeBroker&) = delete;
    ~FakeBroker() { stop(); }

    // Stops serving; the handler is never called after this returns. A fixture whose
    // handler reads its own members calls it in TearDown, before those members go.
    void stop() {
        stop_ = true;
        if (thread_.joinable()) thread_.join();
        monitor_.reset();  // its socket closes before the context
    }

    [[nodiscard]] const std::string& endpoint() const { return endpoint_; }
    [[nodiscard]] const Bytes& public_key() const { return keys_.public_key; }

    // CURVE handshakes completed with clients so far.
    [[nodiscard]] int handshakes() const { return handshakes_.load(); }

    // Every request received, in order.
    [[nodiscard]] std::vector<Frames> requests() const {
        std::lock_guard lock(mutex_);
        return requests_;
    }

  private:
    void serve() {
        while (!stop_) {
            zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
            zmq::poll(&item, 1, std::chrono::milliseconds(20));
            monitor_->drain();
            handshakes_ = monitor_->handshakes();
            Frames idle;  // an empty request tells the handler that time passed (after a first request)
            std::vector<Frames> replies;
            std::string routing;
            if (item.revents & ZMQ_POLLIN) {
                auto message = net::receive_message(socket_, 4);
                if (!message || message->frames.size() < 2) continue;
                routing = net::string_of(message->frames[0]);
                last_routing_ = routing;
                Frames request;
                for (std::size_t i = 1; i < message->frames.size(); ++i) {
                    auto view = net::view_of(message->frames[i]);
                    request.emplace_back(view.begin(), view.end());
                }
                {
                    std::lock_guard lock(mutex_);
                    requests_.push_back(request);
                }
                replies = handler_(request);
            } else {
                // No idle tick before the first request: the thread starts in the constructor,
                // and a fixture that owns this broker (and whose handler calls its virtual
                // serve()) is not fully constructed yet -- "pure virtual method called" once in
                // CI. Before a request there is nobody to answer anyway.
                if (last_routing_.empty()) continue;
                replies = handler_(idle);
                routing = last_routing_;
            }
            for (auto& reply : replies) {
                net::ZmqFrames frames;
                frames.push_back(zmq::message_t(routing.data(), routing.size()));
                for (const auto& frame : reply)
                    frames.push_back(net::frame_of(frame));
                (void)net::send_message(socket_, frames);
            }
        }
    }

    Handler handler_;
    CurveKeyPair keys_;
    zmq::context_t context_{1};
    zmq::socket_t socket_{context_, zmq::socket_type::router};
    std::unique_ptr<client::HandshakeMonitor> monitor_;  // read by the serving thread only
    std::atomic<int> handshakes_{0};
    std::string endpoint_;
    std::string last_routing_;
    std::atomic<bool> stop_{false};
    mutable std::mutex mutex_;
    std::vector<Frames> requests_;
    std::thread thread_;
};

// A stand-in for the broker's event socket: XPUB with CURVE, publishing [topic][body] events
// from the test's thread once a subscriber has subscribed.
class FakePublisher {
  public:
    explicit FakePublisher(const CurveKeyPair& keys) {
        socket_.set(zmq::sockopt::linger, 0);
        socket_.set(zmq::sockopt::curve_server, true);
        socket_.set(zmq::sockopt::curve_secretkey,
                    zmq::const_buffer(keys.secret_key.data(), keys.secret_key.size()));
        socket_.bind("tcp://127.0.0.1:*");
        endpoint_ = socket_.get(zmq::sockopt::last_endpoint);
    }

    [[nodiscard]] const std::string& endpoint() const { return endpoint_; }

    // Waits (up to ~10 s) until `count` subscriptions arrived; the topics subscribed to.
    std::vector<std::string> wait_for_subscriptions(std::size_t count) {
        for (int i = 0; i < 500 && subscriptions_.size() < count; ++i) {
            zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
            zmq::poll(&item, 1, std::chrono::milliseconds(20));
            zmq::message_t message;
            while (socket_.recv(message, zmq::recv_flags::dontwait)) {
                if (message.size() > 0 && message.data<char>()[0] == 1) {
                    subscriptions_.emplace_back(message.data<char>() + 1, message.size() - 1);
                }
            }
        }
        return subscriptions_;
    }

    void publish(const ImageEvent& event, std::string_view topic) {
        publish_frames(encode_event(event, topic));
    }

    // Any message, well-formed or not; ZeroMQ delivers it by the prefix of its first frame.
    void publish_frames(const Frames& frames) {
        net::ZmqFrames message = net::frames_of(frames);
        (void)net::send_message(socket_, message);
    }

  private:
    zmq::context_t context_{1};
    zmq::socket_t socket_{context_, zmq::socket_type::xpub};
    std::string endpoint_;
    std::vector<std::string> subscriptions_;
};

// A stand-in for a frozen broker (SIGSTOP): a TCP port on 127.0.0.1 that listens and never
// accepts, so the kernel completes connections into its backlog and nothing ever answers.
class FrozenBroker {
  public:
    FrozenBroker() : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
            listen(fd_, 16) != 0 ||
            getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
            if (fd_ >= 0) close(fd_);
            throw std::runtime_error("cannot listen on 127.0.0.1");
        }
        endpoint_ = "tcp://127.0.0.1:" + std::to_string(ntohs(address.sin_port));
    }
    FrozenBroker(const FrozenBroker&) = delete;
    FrozenBroker& operator=(const FrozenBroker&) = delete;
    ~FrozenBroker() { close(fd_); }

    [[nodiscard]] const std::string& endpoint() const { return endpoint_; }

  private:
    int fd_;
    std::string endpoint_;
};

}  // namespace imgshare::testing
