// The broker's per-sender token buckets, on a clock the test moves.
#include "broker/rate_limiter.h"

#include <gtest/gtest.h>

#include "common/clock.h"

namespace imgshare::broker {
namespace {

class RateLimiterTest : public ::testing::Test {
  protected:
    // How many of `count` requests sent at once get through.
    int admitted(const std::string& sender, int count) {
        int through = 0;
        for (int i = 0; i < count; ++i)
            through += limiter_.admit(sender, clock_.monotonic_ms()) ? 0 : 1;
        return through;
    }

    ManualClock clock_;
    RateLimiter limiter_{RateLimit{10, 20}};  // 10/s, bursts of 20
};

TEST_F(RateLimiterTest, ABurstGoesThroughThenTheRateHolds) {
    EXPECT_EQ(admitted("alice", 25), 20);
    clock_.advance_ms(1000);
    EXPECT_EQ(admitted("alice", 25), 10);
    clock_.advance_ms(100);
    EXPECT_EQ(admitted("alice", 5), 1);
}

TEST_F(RateLimiterTest, ARefusalSaysWhenTheNextTokenComes) {
    EXPECT_EQ(admitted("alice", 20), 20);
    auto wait = limiter_.admit("alice", clock_.monotonic_ms());
    ASSERT_TRUE(wait.has_value());
    EXPECT_EQ(*wait, 100u);  // one token per 100 ms at 10/s
    clock_.advance_ms(40);
    EXPECT_EQ(limiter_.admit("alice", clock_.monotonic_ms()), 60u);
    clock_.advance_ms(60);
    EXPECT_FALSE(limiter_.admit("alice", clock_.monotonic_ms()).has_value());
}

TEST_F(RateLimiterTest, OneFloodingSenderDoesNotLimitAnother) {
    EXPECT_EQ(admitted("mallory", 1000), 20);
    EXPECT_EQ(admitted("alice", 20), 20);
    EXPECT_EQ(admitted("anon:key-one", 20), 20);
    EXPECT_EQ(admitted("anon:key-two", 20), 20);
}

TEST_F(RateLimiterTest, IdleTimeRefillsNoMoreThanTheBurst) {
    EXPECT_EQ(admitted("alice", 20), 20);
    clock_.advance_seconds(3600);
    EXPECT_EQ(admitted("alice", 100), 20);
}

TEST_F(RateLimiterTest, FullBucketsAreForgotten) {
    EXPECT_EQ(admitted("alice", 20), 20);
    EXPECT_EQ(admitted("anon:a", 1), 1);
    EXPECT_EQ(limiter_.tracked(), 2u);
    clock_.advance_ms(200);
    limiter_.forget_idle(clock_.monotonic_ms());
    EXPECT_EQ(limiter_.tracked(), 1u);  // anon:a is full again; alice is not
    clock_.advance_ms(2000);
    limiter_.forget_idle(clock_.monotonic_ms());
    EXPECT_EQ(limiter_.tracked(), 0u);
    // Forgetting a full bucket changes nothing for its sender.
    EXPECT_EQ(admitted("alice", 25), 20);
}

TEST(RateParseTest, ReadsPerSecondAndPerMinute) {
    EXPECT_EQ(parse_rate("500/s").value(), 500.0);
    EXPECT_EQ(parse_rate("600/m").value(), 10.0);
    EXPECT_EQ(parse_rate("7").value(), 7.0);
    for (const char* bad : {"", "/s", "0/s", "-1/s", "1.5/s", "10/h", "ten", "1000000000/s"}) {
        auto parsed = parse_rate(bad);
        ASSERT_FALSE(parsed) << bad;
        EXPECT_EQ(parsed.error().code, ErrorCode::CONFIG) << bad;
    }
}

}  // namespace
}  // namespace imgshare::broker
