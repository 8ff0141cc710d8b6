#include "client/load/subscribers.h"

#include <sys/epoll.h>

#include <zmq.hpp>

#include <algorithm>
#include <cerrno>
#include <thread>

#include "client/event_subscription.h"
#include "common/file_descriptor.h"

namespace imgshare::client::load {
namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(50);
constexpr int kSocketsBeyondSubscribers = 16;

}  // namespace

Subscribers::Subscribers(const LoadNetwork& network, std::span<const LoadUser> users, RunState& run)
    : network_(network), users_(users), run_(run), thread_([this] { receive_loop(); }) {}

Subscribers::~Subscribers() {
    done_ = true;
}

void Subscribers::receive_loop() {
    zmq::context_t context(1);
    context.set(zmq::ctxopt::max_sockets,
                static_cast<int>(users_.size()) + kSocketsBeyondSubscribers);
    std::vector<zmq::socket_t> sockets;
    sockets.reserve(users_.size());
    for (const auto& user : users_) {
        auto& socket = sockets.emplace_back(context, zmq::socket_type::sub);
        subscribe_to_events(socket, network_.connection.broker_public_key, user.keys.curve,
                            user.username);
        socket.connect(network_.events_endpoint);
    }
    // zmq_poll over M sockets costs O(M) per call (and a getpid() per socket): at 1,000 it
    // was the largest cost of the run, and its delay was counted as the broker's. Each
    // socket's ZMQ_FD in one epoll set wakes only for sockets with something new; a woken
    // socket is drained until it has nothing (ZMQ_FD signals changes, not readiness), and
    // every socket is drained at each timeout as well, so nothing waits on a missed wake.
    const FileDescriptor epoll(epoll_create1(EPOLL_CLOEXEC));
    if (epoll.get() < 0) return;  // a bug or no memory: the run reports what arrived (nothing)
    for (std::size_t i = 0; i < sockets.size(); ++i) {
        epoll_event event{.events = EPOLLIN, .data = {.u64 = i}};
        if (epoll_ctl(epoll.get(), EPOLL_CTL_ADD, sockets[i].get(zmq::sockopt::fd), &event) != 0) return;
    }
    std::vector<epoll_event> ready(sockets.size());
    std::vector<bool> heard(sockets.size(), false);
    while (!done_.load() && !network_.stop.load()) {
        const int count = epoll_wait(epoll.get(), ready.data(), static_cast<int>(ready.size()),
                                     static_cast<int>(kPollInterval.count()));
        if (count < 0 && errno != EINTR) break;  // a bug: the run reports what arrived so far
        if (count <= 0) {
            for (std::size_t i = 0; i < sockets.size(); ++i) receive_on(i, sockets[i], heard);
        } else {
            for (int k = 0; k < count; ++k) {
                const auto i = static_cast<std::size_t>(ready[static_cast<std::size_t>(k)].data.u64);
                receive_on(i, sockets[i], heard);
            }
        }
        settle_pending();
    }
}

void Subscribers::receive_on(std::size_t subscriber, zmq::socket_t& socket,
                             std::vector<bool>& heard) {
    while (auto received = receive_event(socket, network_.log)) {
        const std::int64_t received_ns = monotonic_ns();
        if (!*received || !(*received)->event.name.starts_with(run_.name_prefix)) continue;
        const ImageEvent& event = (*received)->event;
        if (event.is_deletion()) continue;  // the load generator measures posts only
        if (!heard[subscriber]) {
            heard[subscriber] = true;
            ++ready_;
        }
        if (event.name.starts_with(run_.measured_prefix())) settle(event.name, received_ns);
    }
}

void Subscribers::settle(const std::string& name, std::int64_t received_ns) {
    auto acknowledged = run_.commits.find(name);
    if (!acknowledged) {
        pending_.push_back({name, received_ns});
        return;
    }
    if (received_ns < *acknowledged) ++early_;
    delays_ns_.push_back(std::max<std::int64_t>(0, received_ns - *acknowledged));
    ++measured_received_;
    ++run_.live.notifications;
}

void Subscribers::settle_pending() {
    // Events whose poster has not recorded the acknowledgement yet wait here a moment.
    std::vector<Pending> waiting;
    waiting.swap(pending_);
    for (auto& event : waiting)
        settle(event.name, event.received_ns);
}

NotificationResult Subscribers::finish(std::chrono::milliseconds grace) {
    const std::uint64_t expected = run_.commits.expected_events();
    const auto deadline = std::chrono::steady_clock::now() + grace;
    while (measured_received_.load() < expected && std::chrono::steady_clock::now() < deadline &&
           !network_.stop.load()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    done_ = true;
    thread_ = std::jthread();  // joins
    NotificationResult result;
    result.subscribers = static_cast<std::uint32_t>(users_.size());
    result.expected = expected;
    result.received = measured_received_.load();
    result.early = early_;
    result.delay = summarize_latencies(std::move(delays_ns_));
    return result;
}

}  // namespace imgshare::client::load
