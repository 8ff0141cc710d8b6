// The client's connection against a fake broker: matching by id, retries,
// time-outs and what they say (a wrong pinned key, a frozen broker, none at
// all), a restarted broker, windowed transfers delivered in order.
#include "client/broker_connection.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <future>
#include <set>
#include <thread>

#include "tests/client/fake_broker.h"

namespace imgshare::client {
namespace {

using namespace std::chrono_literals;
using testing::copy_of;
using testing::FakeBroker;
using testing::FrozenBroker;

std::uint64_t id_of(const Frames& request) {
    auto header = decode_header(request[0]);
    return header ? header->id : 0;
}

CaInfoReply info() {
    return CaInfoReply{Bytes(32, 1), Bytes(32, 2), Bytes(64, 3)};
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

    // The error of a first request to `endpoint`, with a handshake time-out of 500 ms.
    Error error_of_first_request(const std::string& endpoint) {
        ConnectionSettings settings;
        settings.endpoint = endpoint;
        settings.broker_public_key = generate_curve_keys().public_key;
        settings.handshake_timeout = 500ms;
        settings.request_timeout = 10s;
        BrokerConnection connection(settings, keys_, log_, stop_);
        auto reply = connection.call<CaInfoReply>(CaInfoRequest{});
        return reply ? Error{ErrorCode::INTERNAL, "answered"} : reply.error();
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

TEST_F(BrokerConnectionTest, ABrokerThatAnsweredAndThenFellSilentIsNotAnswering) {
    int seen = 0;
    FakeBroker broker([&seen](const Frames& request) -> std::vector<Frames> {
        if (request.empty() || ++seen > 1) return {};  // a broker that froze after one reply
        return {encode_ok(info(), id_of(request))};
    });
    BrokerConnection connection(settings_for(broker), keys_, log_, stop_);
    ASSERT_TRUE(connection.call<CaInfoReply>(CaInfoRequest{}));
    auto reply = connection.call<CaInfoReply>(CaInfoRequest{});
    ASSERT_FALSE(reply);
    EXPECT_EQ(reply.error().code, ErrorCode::TIMEOUT);
    EXPECT_EQ(reply.error().message, "the broker at " + broker.endpoint() +
                                         " is not answering: no reply after 3 attempts of 300 ms");
}

TEST_F(BrokerConnectionTest, ABrokerThatAcceptsTheConnectionButNeverHandshakesIsNotAnswering) {
    // What a frozen broker (SIGSTOP) looks like: its kernel accepts connections, and
    // nothing more happens. Its key is not in question.
    FrozenBroker frozen;
    EXPECT_EQ(error_of_first_request(frozen.endpoint()),
              (Error{ErrorCode::TIMEOUT,
                     "the broker at " + frozen.endpoint() +
                         " is not answering: it accepted the connection but did not complete "
                         "the CURVE handshake within 500 ms"}));
}

TEST_F(BrokerConnectionTest, NothingListeningIsCannotReachWithoutAKeyHint) {
    std::string endpoint;
    {
        FrozenBroker closed_again;  // a port nothing listens on once it is gone
        endpoint = closed_again.endpoint();
    }
    EXPECT_EQ(error_of_first_request(endpoint),
              (Error{ErrorCode::TIMEOUT,
                     "cannot reach the broker at " + endpoint +
                         ": nothing accepted a connection there within 500 ms; is it running?"}));
}

TEST_F(BrokerConnectionTest, WhatWasInFlightIsSentAgainAtOnceWhenTheBrokerComesBack) {
    // The first broker takes the request and goes away without answering (a kill -9); the
    // same key comes back on the same port. The request must not wait out its time-out.
    auto broker_keys = generate_curve_keys();
    auto first = std::make_unique<FakeBroker>(
        [](const Frames&) -> std::vector<Frames> { return {}; }, copy_of(broker_keys));
    const std::string endpoint = first->endpoint();
    auto settings = settings_for(*first);
    settings.request_timeout = 20s;
    BrokerConnection connection(settings, keys_, log_, stop_);
    auto started = std::chrono::steady_clock::now();
    auto reply = std::async(std::launch::async,
                            [&] { return connection.call<CaInfoReply>(CaInfoRequest{}); });
    for (int i = 0; i < 500 && first->requests().empty(); ++i)
        std::this_thread::sleep_for(10ms);  // polls for the request's arrival
    auto lost = first->requests();
    ASSERT_EQ(lost.size(), 1u);
    first.reset();
    FakeBroker second(
        [](const Frames& request) -> std::vector<Frames> {
            if (request.empty()) return {};
            return {encode_ok(info(), id_of(request))};
        },
        copy_of(broker_keys), endpoint);
    auto answered = reply.get();
    ASSERT_TRUE(answered) << answered.error().message;
    EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
    ASSERT_EQ(second.requests().size(), 1u);
    EXPECT_EQ(second.requests()[0], lost[0]);
}

TEST_F(BrokerConnectionTest, AConnectionReplacedWhileIdleSendsTheNextRequestOnce) {
    // A long-lived client between calls when its broker restarts: nothing was in flight, so
    // nothing is sent twice.
    auto broker_keys = generate_curve_keys();
    auto answer = [](const Frames& request) -> std::vector<Frames> {
        if (request.empty()) return {};
        return {encode_ok(info(), id_of(request))};
    };
    auto first = std::make_unique<FakeBroker>(answer, copy_of(broker_keys));
    const std::string endpoint = first->endpoint();
    BrokerConnection connection(settings_for(*first), keys_, log_, stop_);
    ASSERT_TRUE(connection.call<CaInfoReply>(CaInfoRequest{}));
    first.reset();
    FakeBroker second(answer, copy_of(broker_keys), endpoint);
    for (int i = 0; i < 500 && second.handshakes() == 0; ++i)
        std::this_thread::sleep_for(10ms);  // polls for the client's reconnection
    ASSERT_EQ(second.handshakes(), 1);
    ASSERT_TRUE(connection.call<CaInfoReply>(CaInfoRequest{}));
    EXPECT_EQ(second.requests().size(), 1u);
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

// The broker's rate limit: a refusal with a retry hint is waited out, one without is final.
Frames rate_limited(std::uint64_t id, std::optional<std::uint32_t> retry_after_ms) {
    return encode(ErrorReply{ErrorCode::RATE_LIMITED, "too many requests", retry_after_ms}, id);
}

TEST_F(BrokerConnectionTest, RateLimitedWithAHintIsSentAgainAfterIt) {
    std::atomic<int> seen{0};
    FakeBroker broker([&](const Frames& request) -> std::vector<Frames> {
        if (request.empty()) return {};
        if (++seen <= 2) return {rate_limited(id_of(request), 30)};
        return {encode_ok(info(), id_of(request))};
    });
    BrokerConnection connection(settings_for(broker), keys_, log_, stop_);
    auto reply = connection.call<CaInfoReply>(CaInfoRequest{});
    ASSERT_TRUE(reply) << reply.error().message;
    EXPECT_EQ(*reply, info());
    EXPECT_EQ(seen.load(), 3);
}

TEST_F(BrokerConnectionTest, AWindowOfRateLimitedChunksStillArrivesInOrder) {
    // Every other request is refused once: the transfer slows down, it does not fail.
    std::set<std::uint64_t> refused;
    FakeBroker broker([&](const Frames& request) -> std::vector<Frames> {
        if (request.empty()) return {};
        auto id = id_of(request);
        auto chunk = decode_request(request).value();
        auto index = std::get<GetChunkRequest>(chunk.request).index;
        if (index % 2 == 0 && refused.insert(id).second) return {rate_limited(id, 10)};
        return {encode_ok(GetChunkReply{index}, id, Bytes(4, static_cast<std::uint8_t>(index)))};
    });
    BrokerConnection connection(settings_for(broker), keys_, log_, stop_);
    std::vector<std::uint32_t> delivered;
    Transfer transfer{[](std::uint32_t index, std::uint64_t id) -> Result<Frames> {
                          return encode(GetChunkRequest{"cat", index}, id);
                      },
                      [&](std::uint32_t index, std::span<const ByteView> frames) -> Result<void> {
                          auto reply = decode_reply<GetChunkReply>(frames);
                          if (!reply) return std::unexpected(reply.error());
                          delivered.push_back(index);
                          return {};
                      },
                      {}};
    ASSERT_TRUE(connection.run(transfer, 0, 20, 8));
    std::vector<std::uint32_t> expected(20);
    for (std::uint32_t i = 0; i < 20; ++i)
        expected[i] = i;
    EXPECT_EQ(delivered, expected);
    EXPECT_EQ(refused.size(), 10u);
}

TEST_F(BrokerConnectionTest, RateLimitedWithoutAHintIsReturnedAtOnce) {
    // Storage's "too many pending uploads" will not pass by waiting a moment.
    std::atomic<int> seen{0};
    FakeBroker broker([&](const Frames& request) -> std::vector<Frames> {
        if (request.empty()) return {};
        ++seen;
        return {rate_limited(id_of(request), std::nullopt)};
    });
    BrokerConnection connection(settings_for(broker), keys_, log_, stop_);
    auto reply = connection.call<CaInfoReply>(CaInfoRequest{});
    ASSERT_FALSE(reply);
    EXPECT_EQ(reply.error().code, ErrorCode::RATE_LIMITED);
    EXPECT_EQ(seen.load(), 1);
}

TEST_F(BrokerConnectionTest, RateLimitedTooOftenIsReturned) {
    std::atomic<int> seen{0};
    FakeBroker broker([&](const Frames& request) -> std::vector<Frames> {
        if (request.empty()) return {};
        ++seen;
        return {rate_limited(id_of(request), 1)};
    });
    BrokerConnection connection(settings_for(broker), keys_, log_, stop_);
    auto reply = connection.call<CaInfoReply>(CaInfoRequest{});
    ASSERT_FALSE(reply);
    EXPECT_EQ(reply.error().code, ErrorCode::RATE_LIMITED);
    EXPECT_EQ(seen.load(), kRateLimitedRetries + 1);
}

}  // namespace
}  // namespace imgshare::client
