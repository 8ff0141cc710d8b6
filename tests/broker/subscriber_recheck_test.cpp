#include "broker/subscriber_recheck.h"

#include <gtest/gtest.h>

namespace imgshare::broker {
namespace {

TEST(SubscriberRecheckTest, NothingIsDueWithoutARefusal) {
    SubscriberRecheck recheck;
    EXPECT_FALSE(recheck.due(0, true));
    EXPECT_FALSE(recheck.due(1'000'000, true));
}

TEST(SubscriberRecheckTest, ARefusalIsDueOnceTheCaIsLiveAndOnlyOnce) {
    SubscriberRecheck recheck;
    recheck.refused_unconfirmed();
    recheck.refused_unconfirmed();
    EXPECT_FALSE(recheck.due(100, false));  // another handshake would be unconfirmed again
    EXPECT_FALSE(recheck.due(200, false));
    EXPECT_TRUE(recheck.due(300, true));
    EXPECT_FALSE(recheck.due(300 + kUnconfirmedRecheckIntervalMs * 10, true));
}

TEST(SubscriberRecheckTest, RefusalsAgainWaitForTheInterval) {
    // A CA whose lookups keep failing must not make every subscriber reconnect in a loop.
    SubscriberRecheck recheck;
    recheck.refused_unconfirmed();
    ASSERT_TRUE(recheck.due(1000, true));
    recheck.refused_unconfirmed();
    EXPECT_FALSE(recheck.due(1000 + kUnconfirmedRecheckIntervalMs - 1, true));
    EXPECT_TRUE(recheck.due(1000 + kUnconfirmedRecheckIntervalMs, true));
}

}  // namespace
}  // namespace imgshare::broker
