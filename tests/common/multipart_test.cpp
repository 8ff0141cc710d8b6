#include "common/net/multipart.h"

#include <gtest/gtest.h>

#include <zmq.hpp>

#include <chrono>
#include <string>

namespace imgshare::net {
namespace {

ZmqFrames frames_to(const std::string& peer, const std::string& body) {
    ZmqFrames frames;
    frames.push_back(zmq::message_t(peer.data(), peer.size()));
    frames.push_back(zmq::message_t(body.data(), body.size()));
    return frames;
}

// A mandatory ROUTER and a DEALER known to it as "worker" that reads nothing.
class MultipartTest : public ::testing::Test {
  protected:
    void SetUp() override {
        router_.set(zmq::sockopt::router_mandatory, true);
        router_.set(zmq::sockopt::sndhwm, 1);
        router_.bind("inproc://multipart-test");
        dealer_.set(zmq::sockopt::routing_id, "worker");
        dealer_.set(zmq::sockopt::rcvhwm, 1);
        dealer_.connect("inproc://multipart-test");
        ZmqFrames hello;
        hello.push_back(zmq::message_t(std::string("hello")));
        ASSERT_TRUE(send_message(dealer_, hello));
        // Once the ROUTER has read it, it knows the DEALER's routing id.
        zmq::pollitem_t item{router_.handle(), 0, ZMQ_POLLIN, 0};
        ASSERT_EQ(zmq::poll(&item, 1, std::chrono::seconds(5)), 1);
        ASSERT_TRUE(receive_message(router_, 4));
    }

    zmq::context_t context_;
    zmq::socket_t router_{context_, zmq::socket_type::router};
    zmq::socket_t dealer_{context_, zmq::socket_type::dealer};
};

TEST_F(MultipartTest, AnUnknownPeerIsGoneAndTheMessageStaysWhole) {
    auto frames = frames_to("nobody", "request");
    auto sent = send_frames(router_, frames);
    ASSERT_FALSE(sent);
    EXPECT_EQ(sent.error(), SendFailure::peer_gone);
    EXPECT_EQ(frames[0].size(), 6u);  // nothing went out: it can go to another peer
    EXPECT_EQ(frames[1].size(), 7u);

    auto as_error = send_message(router_, frames);
    ASSERT_FALSE(as_error);
    EXPECT_EQ(as_error.error(), (Error{ErrorCode::SERVICE_UNAVAILABLE, "peer is not connected"}));
}

TEST_F(MultipartTest, APeerThatReadsNothingFillsItsQueueAndIsNotGone) {
    std::optional<SendFailure> failure;
    int sent_count = 0;
    for (; sent_count < 1000 && !failure; ++sent_count) {
        auto frames = frames_to("worker", "request");
        auto sent = send_frames(router_, frames);
        if (!sent) {
            failure = sent.error();
            EXPECT_EQ(frames[1].size(), 7u);
        }
    }
    ASSERT_TRUE(failure) << "the queue never filled";
    EXPECT_EQ(*failure, SendFailure::queue_full);
    EXPECT_GT(sent_count, 1);  // the first messages fit

    auto frames = frames_to("worker", "request");
    auto as_error = send_message(router_, frames);
    ASSERT_FALSE(as_error);
    EXPECT_EQ(as_error.error(), (Error{ErrorCode::SERVICE_UNAVAILABLE, "peer's queue is full"}));
}

TEST_F(MultipartTest, AKnownPeerGetsEveryFrame) {
    auto frames = frames_to("worker", "request");
    ASSERT_TRUE(send_frames(router_, frames));
    auto received = receive_message(dealer_, 4);
    ASSERT_TRUE(received);
    ASSERT_EQ(received->frames.size(), 1u);
    EXPECT_EQ(received->frames[0].to_string(), "request");
}

TEST(FramesOfTest, EachEncodedFrameBecomesOneZeroMqFrameWithTheSameBytes) {
    auto frames = frames_of({Bytes{1, 2, 3}, Bytes{}});
    ASSERT_EQ(frames.size(), 2u);
    EXPECT_EQ(frames[0].to_string(), std::string("\x01\x02\x03"));
    EXPECT_EQ(frames[1].size(), 0u);
}

}  // namespace
}  // namespace imgshare::net
