// What a load run measured for one kind of operation: every successful
// operation's latency and bytes, and every failure by its error code.
//
// Each client thread fills its own OperationStats (no locking); the run
// merges them at the end. Percentiles are nearest-rank over every sample
// (nothing is sampled away or bucketed), so p99 of 100 samples is the 99th
// smallest and max is exact. Latencies are monotonic-clock durations.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <vector>

#include "common/error.h"

namespace imgshare::client::load {

struct LatencySummary {
    double p50_ms = 0;
    double p90_ms = 0;
    double p99_ms = 0;
    double max_ms = 0;
};

// Nearest-rank percentiles of `samples_ns` (all zero when there are none).
[[nodiscard]] LatencySummary summarize_latencies(std::vector<std::int64_t> samples_ns);

class OperationStats {
  public:
    void record_success(std::chrono::nanoseconds latency, std::uint64_t bytes);
    void record_error(ErrorCode code);
    void merge(const OperationStats& other);

    [[nodiscard]] std::uint64_t successes() const { return latencies_ns_.size(); }
    [[nodiscard]] std::uint64_t bytes() const { return bytes_; }
    // The successful operations' latencies added up: their cost to one thread.
    [[nodiscard]] double busy_seconds() const { return static_cast<double>(busy_ns_) / 1e9; }
    [[nodiscard]] std::uint64_t error_count() const;
    [[nodiscard]] const std::map<ErrorCode, std::uint64_t>& errors() const { return errors_; }
    [[nodiscard]] LatencySummary latency() const { return summarize_latencies(latencies_ns_); }

  private:
    std::vector<std::int64_t> latencies_ns_;
    std::uint64_t bytes_ = 0;
    std::int64_t busy_ns_ = 0;
    std::map<ErrorCode, std::uint64_t> errors_;
};

}  // namespace imgshare::client::load
