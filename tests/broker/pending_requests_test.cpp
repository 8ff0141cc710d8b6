#include "broker/pending_requests.h"

#include <gtest/gtest.h>

namespace imgshare::broker {
namespace {

PendingRequest sent_to(const std::string& worker, std::int64_t deadline_ms = 1000) {
    return PendingRequest{
        .stage = ZapLookup{}, .service = "ca", .worker = worker, .deadline_ms = deadline_ms};
}

TEST(PendingRequestsTest, IdsAreFreshForEveryRequest) {
    PendingRequests pending;
    auto first = pending.add(sent_to("w1"));
    auto second = pending.add(sent_to("w1"));
    EXPECT_NE(first, second);
    EXPECT_EQ(pending.size(), 2u);
}

TEST(PendingRequestsTest, AReplyIsTakenOnlyFromTheWorkerItWasSentTo) {
    PendingRequests pending;
    auto id = pending.add(sent_to("ca-worker"));
    // Another service's worker guesses the id: nothing is taken, the request still waits.
    EXPECT_FALSE(pending.take_reply(id, "storage-worker").has_value());
    EXPECT_EQ(pending.size(), 1u);
    auto taken = pending.take_reply(id, "ca-worker");
    ASSERT_TRUE(taken.has_value());
    EXPECT_EQ(taken->worker, "ca-worker");
    EXPECT_FALSE(pending.take_reply(id, "ca-worker").has_value());  // answered once only
}

TEST(PendingRequestsTest, ExpiredRequestsAreReturnedOnceAndForgotten) {
    PendingRequests pending;
    auto early = pending.add(sent_to("w1", 100));
    auto late = pending.add(sent_to("w1", 200));
    auto expired = pending.expire(150);
    ASSERT_EQ(expired.size(), 1u);
    EXPECT_EQ(expired[0].deadline_ms, 100);
    EXPECT_FALSE(pending.take_reply(early, "w1").has_value());
    EXPECT_TRUE(pending.take_reply(late, "w1").has_value());
}

}  // namespace
}  // namespace imgshare::broker
