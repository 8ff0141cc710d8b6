// What the threads of one load run share: the images posted so far
// (downloads pick from them), when each measured commit was acknowledged
// (notification delays are measured from there), the newest feed position
// seen (LIST asks just below it) and live counters for the progress line.
// Every member is safe to use from any thread.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "client/load/load_options.h"

namespace imgshare::client::load {

// Monotonic nanoseconds: every time a run records comes from here.
[[nodiscard]] std::int64_t monotonic_ns();

struct PostedImage {
    std::string name;
    std::uint64_t image_bytes = 0;
    std::vector<std::string> readers;  // end-to-end: only they may fetch it; empty: everyone
};

// What a download needs of a posted image (not its readers: pick() runs per download).
struct ImageToFetch {
    std::string name;
    std::uint64_t image_bytes = 0;
};

class PostedImages {
  public:
    void add(PostedImage image);
    // An image `reader` may fetch, selected uniformly by `random`; nullopt while there is none.
    [[nodiscard]] std::optional<ImageToFetch> pick(std::uint64_t random,
                                                   const std::string& reader) const;
    [[nodiscard]] std::size_t size() const;

  private:
    mutable std::mutex mutex_;
    std::vector<PostedImage> images_;
    std::vector<std::size_t> for_everyone_;  // indices into images_
    std::unordered_map<std::string, std::vector<std::size_t>> by_reader_;
};

// When the poster read each measured commit's acknowledgement, and how many subscribers
// should hear of it (all of them for escrow; the subscribed readers for end-to-end).
class CommitTimes {
  public:
    void record(const std::string& name, std::int64_t acknowledged_ns, std::uint64_t audience);
    [[nodiscard]] std::optional<std::int64_t> find(const std::string& name) const;
    [[nodiscard]] std::size_t size() const;
    // The events the subscribers should receive for the commits recorded so far.
    [[nodiscard]] std::uint64_t expected_events() const;

  private:
    mutable std::mutex mutex_;
    std::unordered_map<std::string, std::int64_t> times_;
    std::uint64_t expected_events_ = 0;
};

// Counters the progress line reads while the clients run.
struct LiveCounters {
    std::array<std::atomic<std::uint64_t>, 3> done{};  // by Operation
    std::atomic<std::uint64_t> errors{0};
    std::atomic<std::uint64_t> notifications{0};

    void completed(Operation operation) { ++done[static_cast<std::size_t>(operation)]; }
    [[nodiscard]] std::uint64_t completed_count(Operation operation) const {
        return done[static_cast<std::size_t>(operation)].load();
    }
};

struct RunState {
    std::string name_prefix;  // unique to this run: every image it posts starts with it
    PostedImages posted;
    CommitTimes commits;
    std::atomic<std::uint64_t> feed_head{0};
    LiveCounters live;

    void saw_seq(std::uint64_t seq);

    // Names: "<prefix>-c<client>-<n>" for measured posts, "<prefix>-s<client>-<n>" for the
    // setup's (seed images, subscription probes).
    [[nodiscard]] std::string measured_prefix() const { return name_prefix + "-c"; }
    [[nodiscard]] std::string measured_name(std::size_t client, std::uint64_t n) const;
    [[nodiscard]] std::string setup_name(std::size_t client, std::uint64_t n) const;
};

// A prefix no other run uses: "ld" and 8 random hex digits.
[[nodiscard]] std::string new_run_prefix();

}  // namespace imgshare::client::load
