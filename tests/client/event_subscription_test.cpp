// A user's event subscription against a stand-in for the broker's XPUB: the user hears the
// image topic and its own topic only; every message read is in the protocol log; what is not
// an event comes back as an error, and an overlong message is skipped.
#include "client/event_subscription.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "common/file_io.h"
#include "tests/client/fake_broker.h"
#include "tests/common/scratch_dir.h"

namespace imgshare::client {
namespace {

using imgshare::testing::FakePublisher;
using imgshare::testing::ScratchDir;

ImageEvent image_event(const std::string& name, std::uint64_t seq) {
    return ImageEvent{{name, "bob", seq, 4096, 1'750'000'000, "escrow"}, std::nullopt};
}

class EventSubscriptionTest : public ::testing::Test {
  protected:
    void SetUp() override {
        subscribe_to_events(socket_, broker_keys_.public_key, alice_keys_, "alice");
        socket_.connect(publisher_.endpoint());
        ASSERT_EQ(publisher_.wait_for_subscriptions(2).size(), 2u);
    }

    // The next thing received within 10 s; nullopt if nothing came.
    std::optional<Result<DecodedEvent>> next() {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (std::chrono::steady_clock::now() < deadline) {
            if (auto received = receive_event(socket_, log_)) return received;
            zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
            zmq::poll(&item, 1, std::chrono::milliseconds(50));
        }
        return std::nullopt;
    }

    std::string log_text() {
        log_.flush();
        auto bytes = read_file(scratch_ / "protocol.log", 1 << 20);
        return bytes ? std::string(as_string(*bytes)) : std::string();
    }

    CurveKeyPair broker_keys_ = generate_curve_keys();
    CurveKeyPair alice_keys_ = generate_curve_keys();
    FakePublisher publisher_{broker_keys_};
    ScratchDir scratch_;
    ProtocolLog log_{"imgshare-test", scratch_ / "protocol.log", LogFlush::EveryLine};
    zmq::context_t context_{1};
    zmq::socket_t socket_{context_, zmq::socket_type::sub};
};

TEST_F(EventSubscriptionTest, SubscribesToTheImageTopicAndTheUsersOwnTopicOnly) {
    const auto topics = publisher_.wait_for_subscriptions(2);
    EXPECT_EQ(topics, (std::vector<std::string>{std::string(kImageTopic), user_topic("alice")}));
}

TEST_F(EventSubscriptionTest, ReceivesEventsOfItsTopicsAndLogsEachAsReceived) {
    EXPECT_FALSE(receive_event(socket_, log_));  // nothing waits yet
    publisher_.publish(image_event("bob-1", 1), user_topic("bob"));
    publisher_.publish(image_event("bob-2", 2), kImageTopic);
    publisher_.publish(image_event("bob-3", 3), user_topic("alice"));

    auto first = next();
    ASSERT_TRUE(first && *first);
    EXPECT_EQ((*first)->topic, kImageTopic);
    EXPECT_EQ((*first)->event.name, "bob-2");
    EXPECT_EQ((*first)->event.seq, 2u);
    auto second = next();
    ASSERT_TRUE(second && *second);
    EXPECT_EQ((*second)->topic, user_topic("alice"));
    EXPECT_EQ((*second)->event.seq, 3u);

    const std::string log = log_text();
    EXPECT_NE(log.find(R"("direction":"received","peer":"image")"), std::string::npos) << log;
    EXPECT_NE(log.find(R"("peer":"user.alice/")"), std::string::npos) << log;
    EXPECT_EQ(log.find("user.bob/"), std::string::npos) << log;
}

TEST_F(EventSubscriptionTest, AMalformedEventIsAnErrorAndAnOverlongMessageIsSkipped) {
    const Bytes topic(kImageTopic.begin(), kImageTopic.end());
    publisher_.publish_frames({topic, Bytes{0xc1}});
    publisher_.publish_frames({topic, Bytes{0x80}, Bytes{0x80}});
    publisher_.publish(image_event("bob-4", 4), kImageTopic);

    auto malformed = next();
    ASSERT_TRUE(malformed);
    ASSERT_FALSE(*malformed);
    EXPECT_EQ(malformed->error().code, ErrorCode::BAD_REQUEST);
    auto after = next();
    ASSERT_TRUE(after && *after);
    EXPECT_EQ((*after)->event.seq, 4u);
}

}  // namespace
}  // namespace imgshare::client
