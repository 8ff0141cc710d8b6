// The load report's arithmetic: nearest-rank percentiles over every sample, merging the
// clients' figures, errors kept by code.
#include "client/load/load_stats.h"

#include <gtest/gtest.h>

namespace imgshare::client::load {
namespace {

using std::chrono::milliseconds;

TEST(LoadStatsTest, PercentilesAreNearestRankOverEverySample) {
    std::vector<std::int64_t> samples;
    for (int ms = 100; ms >= 1; --ms)
        samples.push_back(ms * 1'000'000);  // 1..100 ms, unsorted
    auto summary = summarize_latencies(samples);
    EXPECT_DOUBLE_EQ(summary.p50_ms, 50);
    EXPECT_DOUBLE_EQ(summary.p90_ms, 90);
    EXPECT_DOUBLE_EQ(summary.p99_ms, 99);
    EXPECT_DOUBLE_EQ(summary.max_ms, 100);
}

TEST(LoadStatsTest, OneSlowSampleInTenIsTheP99AndTheMax) {
    std::vector<std::int64_t> samples(9, 1'000'000);
    samples.push_back(500'000'000);
    auto summary = summarize_latencies(samples);
    EXPECT_DOUBLE_EQ(summary.p50_ms, 1);
    EXPECT_DOUBLE_EQ(summary.p90_ms, 1);
    EXPECT_DOUBLE_EQ(summary.p99_ms, 500);
    EXPECT_DOUBLE_EQ(summary.max_ms, 500);
}

TEST(LoadStatsTest, NoSamplesGiveZeros) {
    auto summary = summarize_latencies({});
    EXPECT_EQ(summary.p50_ms, 0);
    EXPECT_EQ(summary.max_ms, 0);
}

TEST(LoadStatsTest, MergingAddsCountsBytesBusyTimeAndErrorsByCode) {
    OperationStats a;
    a.record_success(milliseconds(2), 100);
    a.record_error(ErrorCode::TIMEOUT);
    OperationStats b;
    b.record_success(milliseconds(4), 50);
    b.record_success(milliseconds(6), 50);
    b.record_error(ErrorCode::TIMEOUT);
    b.record_error(ErrorCode::RATE_LIMITED);
    a.merge(b);
    EXPECT_EQ(a.successes(), 3u);
    EXPECT_EQ(a.bytes(), 200u);
    EXPECT_DOUBLE_EQ(a.busy_seconds(), 0.012);
    EXPECT_EQ(a.error_count(), 3u);
    EXPECT_EQ(a.errors().at(ErrorCode::TIMEOUT), 2u);
    EXPECT_EQ(a.errors().at(ErrorCode::RATE_LIMITED), 1u);
    EXPECT_DOUBLE_EQ(a.latency().max_ms, 6);
    EXPECT_DOUBLE_EQ(a.latency().p50_ms, 4);
}

}  // namespace
}  // namespace imgshare::client::load
