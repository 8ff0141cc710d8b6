// storage-node/rados/rados_watch (RadosPool::watch, notify) against a real cluster: a notify
// sent by one client reaches a watcher on another, and a destroyed watch hears nothing more.
#include "storage-node/rados/rados_watch.h"

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <vector>

#include "storage-node/rados/rados_pool.h"
#include "tests/integration/support/wait.h"
#include "tests/storage-node/rados/support/rados_fixture.h"

namespace imgshare::testing {
namespace {

using namespace std::chrono_literals;

// What a watcher received, from librados' thread.
class Received {
  public:
    void add(ByteView payload) {
        std::lock_guard lock(mutex_);
        payloads_.emplace_back(payload.begin(), payload.end());
    }
    std::vector<Bytes> payloads() const {
        std::lock_guard lock(mutex_);
        return payloads_;
    }

  private:
    mutable std::mutex mutex_;
    std::vector<Bytes> payloads_;
};

using RadosWatchTest = RadosTest;

TEST_F(RadosWatchTest, NotifyFromAnotherClientReachesTheWatcher) {
    ASSERT_TRUE(pool_->write_full("feed-head", to_bytes("")));
    Received received;
    auto watch = pool_->watch("feed-head", [&](ByteView payload) { received.add(payload); });
    ASSERT_TRUE(watch) << describe(watch.error());
    ASSERT_TRUE(watch->check());

    auto notifier = second_client();
    ASSERT_TRUE(notifier) << describe(notifier.error());
    const auto sent = notifier->notify("feed-head", to_bytes("seq 42"), 5000ms);
    ASSERT_TRUE(sent) << describe(sent.error());
    EXPECT_EQ(sent->acknowledged, 1U);
    EXPECT_EQ(sent->timed_out, 0U);
    // notify returns once the watcher acknowledged, which it does after its callback ran.
    EXPECT_EQ(received.payloads(), std::vector<Bytes>{to_bytes("seq 42")});
}

TEST_F(RadosWatchTest, EveryWatcherHearsEachNotify) {
    ASSERT_TRUE(pool_->write_full("feed-head", to_bytes("")));
    auto other = second_client();
    ASSERT_TRUE(other) << describe(other.error());
    Received first;
    Received second;
    auto watch_first = pool_->watch("feed-head", [&](ByteView payload) { first.add(payload); });
    auto watch_second = other->watch("feed-head", [&](ByteView payload) { second.add(payload); });
    ASSERT_TRUE(watch_first && watch_second);
    for (const char* payload : {"1", "2", "3"}) {
        EXPECT_EQ(pool_->notify("feed-head", to_bytes(payload), 5000ms).value().acknowledged, 2U);
    }
    const std::vector<Bytes> expected{to_bytes("1"), to_bytes("2"), to_bytes("3")};
    EXPECT_EQ(first.payloads(), expected);
    EXPECT_EQ(second.payloads(), expected);
}

TEST_F(RadosWatchTest, DestroyedWatchHearsNothingMore) {
    ASSERT_TRUE(pool_->write_full("feed-head", to_bytes("")));
    Received received;
    {
        auto watch = pool_->watch("feed-head", [&](ByteView payload) { received.add(payload); });
        ASSERT_TRUE(watch) << describe(watch.error());
        EXPECT_EQ(pool_->notify("feed-head", to_bytes("before"), 5000ms).value().acknowledged, 1U);
    }
    EXPECT_EQ(pool_->notify("feed-head", to_bytes("after"), 5000ms).value().acknowledged, 0U);
    EXPECT_EQ(received.payloads(), std::vector<Bytes>{to_bytes("before")});
}

TEST_F(RadosWatchTest, MovedWatchKeepsWatching) {
    ASSERT_TRUE(pool_->write_full("feed-head", to_bytes("")));
    Received received;
    auto watch = pool_->watch("feed-head", [&](ByteView payload) { received.add(payload); });
    ASSERT_TRUE(watch) << describe(watch.error());
    storage::rados::Watch moved = std::move(*watch);
    EXPECT_EQ(pool_->notify("feed-head", to_bytes("x"), 5000ms).value().acknowledged, 1U);
    EXPECT_EQ(received.payloads(), std::vector<Bytes>{to_bytes("x")});
}

TEST_F(RadosWatchTest, WatchOfAMissingObjectIsNotFound) {
    auto watch = pool_->watch("missing", [](ByteView) {});
    ASSERT_FALSE(watch);
    EXPECT_EQ(watch.error().code, ErrorCode::NOT_FOUND);
}

TEST_F(RadosWatchTest, NotifyWithoutWatchersReachesNobody) {
    ASSERT_TRUE(pool_->write_full("feed-head", to_bytes("")));
    const auto sent = pool_->notify("feed-head", to_bytes("x"), 1000ms);
    ASSERT_TRUE(sent) << describe(sent.error());
    EXPECT_EQ(sent->acknowledged, 0U);
}

}  // namespace
}  // namespace imgshare::testing
