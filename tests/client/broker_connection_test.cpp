// The client's connection against a fake broker: matching by id, retries,
// time-outs, a wrong pinned key, windowed transfers delivered in order.
#include "client/broker_connection.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "tests/client/fake_broker.h"

namespace imgshare::client {
namespace {

using namespace std::chrono_literals;
using testing::FakeBroker;

std::uint64_t id_of(const Frames& request) {
    auto header = decode_header(request[0]);
    return header ? header->id : 0;
}

CaInfoReply info() {
    return CaInfoReply{Bytes(32, 1), Bytes(32, 2)};
}

class BrokerConnectionTest : public ::testing::Test {
  protected:
    ConnectionSettings settings_for(const FakeBroker& broker) {
        ConnectionSettings settings;
        settings.endpoint = broker.endpoint();
        settings.broker_public_key = broker.public_key();
        settings.request_timeout = 300ms;
        settings.handshake_timeout = 2000ms;
        settings.attempts = 3;
        return settings;
    }

    CurveKeyPair keys_ = generate_curve_keys();
    ProtocolLog log_ = ProtocolLog::disabled();
    std::atomic<bool> stop_{false};
};

TEST_F(BrokerConnectionTest, RequestGetsItsReply) {
    FakeBroker broker([](const Frames& request) -> std::vector<Frames> {
        if (request.empty()) return {};
        return {encode_ok(info(), id_of(request))};
    });
    BrokerConnection connection(settings_for(broker), keys_, log_, stop_);
    auto reply = connection.call<CaInfoReply>(CaInfoRequest{});
    ASSERT_TRUE(reply) << reply.error().message;
    EXPECT_EQ(*reply, info());
    auto second = connection.call<CaInfoReply>(CaInfoRequest{});
    ASSERT_TRUE(second);
    auto requests = broker.requests();
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_NE(id_of(requests[0]), id_of(requests[1]));
}

TEST_F(BrokerConnectionTest, ErrorReplyIsReturnedAsSent) {
    FakeBroker broker([](const Frames& request) -> std::vector<Frames> {
        if (request.empty()) return {};
        return {encode_error(Error{ErrorCode::NAME_TAKEN, "alice is taken"}, id_of(request))};
    });
    BrokerConnection connection(settings_for(broker), keys_, log_, stop_);
    auto reply = connection.call<RegisterReply>(RegisterRequest{});
    ASSERT_FALSE(reply);
    EXPECT_EQ(reply.error(), (Error{ErrorCode::NAME_TAKEN, "alice is taken"}));
}

TEST_F(BrokerConnectionTest, ReplyToAnotherIdIsIgnored) {
    FakeBroker broker([](const Frames& request) -> std::vector<Frames> {
        if (request.empty()) return {};
        return {encode_ok(CaInfoReply{}, id_of(request) + 1000), encode_ok(info(), id_of(request))};
    });
    BrokerConnection connection(settings_for(broker), keys_, log_, stop_);
    auto reply = connection.call<CaInfoReply>(CaInfoRequest{});
    ASSERT_TRUE(reply);
    EXPECT_EQ(*reply, info());
}

TEST_F(BrokerConnectionTest, LostRequestIsResentWithTheSameId) {
    int seen = 0;
    FakeBroker broker([&seen](const Frames& request) -> std::vector<Frames> {
        if (request.empty() || ++seen == 1) return {};  // the first copy is lost
        return {encode_ok(info(), id_of(request))};
    });
    BrokerConnection connection(settings_for(broker), keys_, log_, stop_);
    auto reply = connection.call<CaInfoReply>(CaInfoRequest{});
    ASSERT_TRUE(reply) << reply.error().message;
    auto requests = broker.requests();
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_EQ(requests[0], requests[1]);
}

TEST_F(BrokerConnectionTest, SilentBrokerIsTimeoutAfterTheAttempts) {
    FakeBroker broker([](const Frames&) -> std::vector<Frames> { return {}; });
    BrokerConnection connection(settings_for(broker), keys_, log_, stop_);
    auto reply = connection.call<CaInfoReply>(CaInfoRequest{});
    ASSERT_FALSE(reply);
    EXPECT_EQ(reply.error().code, ErrorCode::TIMEOUT);
    EXPECT_EQ(broker.requests().size(), 3u);
}

TEST_F(BrokerConnectionTest, WrongPinnedKeyIsTimeoutNamingTheTrustFile) {
    FakeBroker broker([](const Frames& request) -> std::vector<Frames> {
        if (request.empty()) return {};
        return {encode_ok(info(), id_of(request))};
    });
    auto settings = settings_for(broker);
    settings.broker_public_key = generate_curve_keys().public_key;
    settings.handshake_timeout = 500ms;
    settings.request_timeout = 10s;
    BrokerConnection connection(settings, keys_, log_, stop_);
    auto started = std::chrono::steady_clock::now();
    auto reply = connection.call<CaInfoReply>(CaInfoRequest{});
    ASSERT_FALSE(reply);
    EXPECT_EQ(reply.error().code, ErrorCode::TIMEOUT);
    EXPECT_NE(reply.error().message.find("trust file"), std::string::npos) << reply.error().message;
    EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
    EXPECT_TRUE(broker.requests().empty());
}

TEST_F(BrokerConnectionTest, StopFlagInterruptsAWait) {
    FakeBroker broker([](const Frames&) -> std::vector<Frames> { return {}; });
    auto settings = settings_for(broker);
    settings.request_timeout = 60s;
    stop_ = true;
    BrokerConnection connection(settings, keys_, log_, stop_);
    auto reply = connection.call<CaInfoReply>(CaInfoRequest{});
    ASSERT_FALSE(reply);
    EXPECT_EQ(reply.error().code, ErrorCode::INTERNAL);
}

TEST_F(BrokerConnectionTest, TransferKeepsTheWindowAndDeliversInOrder) {
    // The fake holds replies back and answers them newest first, whenever nothing new came.
    std::vector<Frames> held;
    std::size_t most_held = 0;
    FakeBroker broker([&](const Frames& request) -> std::vector<Frames> {
        if (!request.empty()) {
            auto decoded = decode_request(request);
            auto chunk = std::get<GetChunkRequest>(decoded->request);
            held.push_back(encode_ok(GetChunkReply{chunk.index}, id_of(request),
                                     Bytes(10, static_cast<std::uint8_t>(chunk.index))));
            most_held = std::max(most_held, held.size());
            return {};
        }
        std::vector<Frames> replies(held.rbegin(), held.rend());
        held.clear();
        return replies;
    });
    BrokerConnection connection(settings_for(broker), keys_, log_, stop_);
    std::vector<std::uint32_t> delivered;
    Transfer transfer{[](std::uint32_t index, std::uint64_t id) -> Result<Frames> {
                          return encode(GetChunkRequest{"cat", index}, id);
                      },
                      [&](std::uint32_t index, std::span<const ByteView> frames) -> Result<void> {
                          auto reply = decode_reply_message<GetChunkReply>(frames);
                          if (!reply) return std::unexpected(reply.error());
                          EXPECT_EQ(reply->reply.index, index);
                          EXPECT_EQ(reply->payload[0], static_cast<std::uint8_t>(index));
                          delivered.push_back(index);
                          return {};
                      },
                      {}};
    auto done = connection.run(transfer, 3, 40, 4);
    ASSERT_TRUE(done) << done.error().message;
    std::vector<std::uint32_t> expected;
    for (std::uint32_t i = 3; i < 40; ++i)
        expected.push_back(i);
    EXPECT_EQ(delivered, expected);
    EXPECT_LE(most_held, 4u);
    EXPECT_EQ(broker.requests().size(), 37u);
}

TEST_F(BrokerConnectionTest, TransferStopsAtTheFirstErrorInOrder) {
    FakeBroker broker([](const Frames& request) -> std::vector<Frames> {
        if (request.empty()) return {};
        auto decoded = decode_request(request);
        auto chunk = std::get<GetChunkRequest>(decoded->request);
        if (chunk.index == 5) {
            return {encode_error(Error{ErrorCode::NOT_FOUND, "no chunk 5"}, id_of(request))};
        }
        return {encode_ok(GetChunkReply{chunk.index}, id_of(request), Bytes(3, 0))};
    });
    BrokerConnection connection(settings_for(broker), keys_, log_, stop_);
    std::uint32_t delivered = 0;
    Transfer transfer{[](std::uint32_t index, std::uint64_t id) -> Result<Frames> {
                          return encode(GetChunkRequest{"cat", index}, id);
                      },
                      [&](std::uint32_t, std::span<const ByteView> frames) -> Result<void> {
                          auto reply = decode_reply_message<GetChunkReply>(frames);
                          if (!reply) return std::unexpected(reply.error());
                          ++delivered;
                          return {};
                      },
                      {}};
    auto done = connection.run(transfer, 0, 100, 8);
    ASSERT_FALSE(done);
    EXPECT_EQ(done.error().code, ErrorCode::NOT_FOUND);
    EXPECT_EQ(delivered, 5u);
    EXPECT_LE(broker.requests().size(), 5u + 8u);
}

}  // namespace
}  // namespace imgshare::client
