// The per-source limit on CA lookups of unknown keys, on a clock the test moves.
#include "broker/stranger_limiter.h"

#include <gtest/gtest.h>

#include "common/clock.h"

namespace imgshare::broker {
namespace {

class StrangerLimiterTest : public ::testing::Test {
  protected:
    // How many of `count` handshakes from `source` at once may ask the CA.
    int asked(bool known_user, const std::string& source, int count) {
        int through = 0;
        for (int i = 0; i < count; ++i)
            through += limiter_.admit(known_user, source, clock_.monotonic_ms()) ? 0 : 1;
        return through;
    }

    ManualClock clock_;
    StrangerLimiter limiter_{RateLimit{10, 20}};  // 10/s, bursts of 20
};

TEST_F(StrangerLimiterTest, StrangersFromOneSourceGetABurstThenTheRate) {
    EXPECT_EQ(asked(false, "127.0.0.2", 1500), 20);
    clock_.advance_ms(1000);
    EXPECT_EQ(asked(false, "127.0.0.2", 1500), 10);
    auto wait_ms = limiter_.admit(false, "127.0.0.2", clock_.monotonic_ms());
    ASSERT_TRUE(wait_ms.has_value());
    EXPECT_EQ(*wait_ms, 100u);
}

TEST_F(StrangerLimiterTest, AKnownUserIsNeverRefusedWhateverTheFloodFromItsSource) {
    EXPECT_EQ(asked(false, "127.0.0.1", 1500), 20);
    EXPECT_EQ(asked(true, "127.0.0.1", 1500), 1500);
    EXPECT_EQ(asked(false, "127.0.0.1", 1), 0) << "known users' handshakes spend no token";
}

TEST_F(StrangerLimiterTest, AFloodFromOneSourceLeavesAnotherItsBurst) {
    EXPECT_EQ(asked(false, "127.0.0.2", 1500), 20);
    EXPECT_EQ(asked(false, "127.0.0.1", 20), 20);
}

TEST_F(StrangerLimiterTest, ARefusedSourceIsLoggedOnceUntilItsBucketIsForgotten) {
    EXPECT_TRUE(limiter_.first_refusal("127.0.0.2"));
    EXPECT_FALSE(limiter_.first_refusal("127.0.0.2"));
    EXPECT_TRUE(limiter_.first_refusal("127.0.0.3"));
    limiter_.forget_idle(clock_.monotonic_ms());
    EXPECT_TRUE(limiter_.first_refusal("127.0.0.2"));
}

}  // namespace
}  // namespace imgshare::broker
