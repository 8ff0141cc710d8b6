#include "broker/worker_registry.h"

#include <gtest/gtest.h>

namespace imgshare::broker {
namespace {

TEST(WorkerRegistryTest, PicksLiveWorkersRoundRobin) {
    WorkerRegistry registry;
    registry.add("w1", "storage", "n1", 0);
    registry.add("w2", "storage", "n2", 0);
    EXPECT_EQ(registry.pick("storage"), "w1");
    EXPECT_EQ(registry.pick("storage"), "w2");
    EXPECT_EQ(registry.pick("storage"), "w1");
    EXPECT_EQ(registry.pick("ca"), std::nullopt);
}

TEST(WorkerRegistryTest, SilentWorkersExpireAndTalkingOnesStay) {
    WorkerRegistry registry;
    registry.add("w1", "storage", "n1", 0);
    registry.add("w2", "storage", "n2", 0);
    EXPECT_TRUE(registry.touch("w2", kServiceExpiryMs - 1));
    auto expired = registry.expire(kServiceExpiryMs);
    EXPECT_EQ(expired, std::vector<std::string>{"w1"});
    EXPECT_EQ(registry.live_count("storage"), 1u);
    EXPECT_EQ(registry.pick("storage"), "w2");
    EXPECT_FALSE(registry.touch("w1", kServiceExpiryMs));
}

TEST(WorkerRegistryTest, ReadyTwiceDoesNotDuplicateAWorker) {
    WorkerRegistry registry;
    registry.add("w1", "ca", "n1", 0);
    registry.add("w1", "ca", "n1", 10);
    EXPECT_EQ(registry.live_count("ca"), 1u);
    registry.remove("w1");
    EXPECT_EQ(registry.pick("ca"), std::nullopt);
    EXPECT_FALSE(registry.is_known("w1"));
}

}  // namespace
}  // namespace imgshare::broker
