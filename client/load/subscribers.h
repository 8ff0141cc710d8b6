// The run's watchers (--subscribers M): M SUB connections to the broker's
// XPUB, each authenticated with its own load user's CURVE key and subscribed
// to `image` and to its own user topic (end-to-end posts it may read), like M
// `imgshare-watch` processes, all served by one thread.
// They measure each NEW_IMAGE of a measured post from the moment its poster
// read the commit's acknowledgement to the moment a subscriber received it.
//
// Promises: only events of this run's measured posts count (not those of the
// setup); an event that arrives before its poster has read the
// acknowledgement (the broker publishes as it replies) counts as 0 ms and is
// reported as early. Events are hints (PUB drops at the high-water mark), so
// the result says how many of the expected events arrived, never assumes all.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "client/load/load_network.h"
#include "client/load/load_stats.h"
#include "client/load/load_users.h"
#include "client/load/run_state.h"

namespace imgshare::client::load {

struct NotificationResult {
    std::uint32_t subscribers = 0;
    std::uint64_t expected = 0;  // per measured post: every subscriber (escrow), its readers (e2e)
    std::uint64_t received = 0;  // of those
    std::uint64_t early = 0;     // received before the poster read its acknowledgement
    LatencySummary delay;
};

class Subscribers {
  public:
    // Starts the thread and connects one subscriber per user. `network`, `users` and `run`
    // must outlive this object.
    Subscribers(const LoadNetwork& network, std::span<const LoadUser> users, RunState& run);
    Subscribers(const Subscribers&) = delete;
    Subscribers& operator=(const Subscribers&) = delete;
    ~Subscribers();

    // How many subscribers have received an event of this run: their subscription is in
    // place at the broker.
    [[nodiscard]] std::size_t ready() const { return ready_.load(); }

    // Waits until every expected event of the measured posts arrived, or `grace` passed,
    // then stops receiving.
    [[nodiscard]] NotificationResult finish(std::chrono::milliseconds grace);

  private:
    struct Pending {
        std::string name;
        std::int64_t received_ns;
    };
    void receive_loop();
    void receive_on(std::size_t subscriber, zmq::socket_t& socket, std::vector<bool>& heard);
    void settle(const std::string& name, std::int64_t received_ns);
    void settle_pending();

    const LoadNetwork& network_;
    std::span<const LoadUser> users_;
    RunState& run_;
    std::atomic<bool> done_{false};
    std::atomic<std::size_t> ready_{0};
    std::atomic<std::uint64_t> measured_received_{0};
    std::uint64_t early_ = 0;  // the receiving thread's, read after it ended
    std::vector<std::int64_t> delays_ns_;
    std::vector<Pending> pending_;
    std::jthread thread_;
};

}  // namespace imgshare::client::load
