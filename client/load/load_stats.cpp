#include "client/load/load_stats.h"

#include <algorithm>
#include <cmath>

namespace imgshare::client::load {
namespace {

double to_ms(std::int64_t ns) {
    return static_cast<double>(ns) / 1e6;
}

// The nearest-rank percentile of sorted, non-empty samples.
std::int64_t percentile(const std::vector<std::int64_t>& sorted, double p) {
    auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
    return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

}  // namespace

LatencySummary summarize_latencies(std::vector<std::int64_t> samples_ns) {
    if (samples_ns.empty()) return {};
    std::sort(samples_ns.begin(), samples_ns.end());
    return LatencySummary{to_ms(percentile(samples_ns, 50)), to_ms(percentile(samples_ns, 90)),
                          to_ms(percentile(samples_ns, 99)), to_ms(samples_ns.back())};
}

void OperationStats::record_success(std::chrono::nanoseconds latency, std::uint64_t bytes) {
    latencies_ns_.push_back(latency.count());
    bytes_ += bytes;
    busy_ns_ += latency.count();
}

void OperationStats::record_error(ErrorCode code) {
    ++errors_[code];
}

void OperationStats::merge(const OperationStats& other) {
    latencies_ns_.insert(latencies_ns_.end(), other.latencies_ns_.begin(),
                         other.latencies_ns_.end());
    bytes_ += other.bytes_;
    busy_ns_ += other.busy_ns_;
    for (const auto& [code, count] : other.errors_)
        errors_[code] += count;
}

std::uint64_t OperationStats::error_count() const {
    std::uint64_t total = 0;
    for (const auto& [code, count] : errors_)
        total += count;
    return total;
}

}  // namespace imgshare::client::load
