// ServiceWorker: who sent a request (parsed once, refused before any handler
// when malformed), its handler table, and its group commit, with a real worker
// on a real CURVE DEALER and a stand-in broker (a CURVE ROUTER on loopback)
// that the test drives.
#include "common/service/service_worker.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "common/net/multipart.h"
#include "common/protocol/codec.h"
#include "common/protocol/messages.h"
#include "tests/common/support/stand_in_broker.h"

namespace imgshare::service {
namespace {

using namespace std::chrono_literals;

class ServiceWorkerTest : public ::testing::Test {
  protected:
    void SetUp() override {
        WorkerConfig config{broker_.endpoint(), broker_.public_key(),
                            generate_curve_keys(), "storage", "test"};
        worker_.emplace(std::move(config), log_, clock_);
        // A commit leaves a write that must be durable before its reply; a list does not.
        worker_->on<PostCommitRequest>(
            [this](const PostCommitRequest& request, const RequestContext&) -> Result<Outgoing> {
                unsynced_ = true;
                return ok(PostCommitReply{request.upload, "alice", 1, 1, 1, "escrow", {}});
            });
        worker_->on<ListRequest>([](const ListRequest&, const RequestContext&) -> Result<Outgoing> {
            return ok(ListReply{});
        });
        worker_->on_durability({[this] { return unsynced_.load(); },
                                [this]() -> Result<void> {
                                    ++syncs_started_;
                                    std::this_thread::sleep_for(sync_delay_.load());
                                    ++syncs_;
                                    if (fail_sync_) return fail(ErrorCode::IO_ERROR, "disk full");
                                    unsynced_ = false;
                                    return {};
                                }});
        thread_ = std::thread([this] { worker_->run(stop_); });
        auto ready = receive();
        ASSERT_GE(ready.size(), 2u);
        worker_identity_ = ready[0];
    }

    void TearDown() override {
        stop_ = true;
        if (thread_.joinable()) thread_.join();
    }

    template <class M>
    void send(const M& request, std::uint64_t id,
              std::optional<std::string> user = std::string("alice")) {
        net::ZmqFrames frames;
        frames.push_back(net::frame_of(worker_identity_));
        for (const auto& frame : encode(request, id, std::move(user)))
            frames.push_back(net::frame_of(frame));
        ASSERT_TRUE(net::send_message(broker_.socket(), frames));
    }

    Frames receive() { return broker_.receive(); }

    struct Received {
        std::uint64_t id = 0;
        std::string type;
        int syncs_before = 0;  // syncs the worker had made when the reply arrived
        Frames frames;
    };
    Received next_reply() {
        Frames frames = receive();
        if (frames.size() < 3) return {};
        auto header = decode_header(frames[1]).value();
        return {header.id, header.type, syncs_.load(), Frames(frames.begin() + 1, frames.end())};
    }

    test::StandInBroker broker_;
    ProtocolLog log_ = ProtocolLog::disabled();
    SystemClock clock_;
    std::optional<ServiceWorker> worker_;
    std::atomic<bool> stop_{false};
    std::atomic<bool> unsynced_{false};
    std::atomic<bool> fail_sync_{false};
    std::atomic<int> syncs_started_{0};
    std::atomic<int> syncs_{0};
    std::atomic<std::chrono::milliseconds> sync_delay_{0ms};
    std::thread thread_;
    Bytes worker_identity_;
};

TEST_F(ServiceWorkerTest, NoReplyLeavesBeforeTheWriteOfAnEarlierOneIsDurable) {
    send(ListRequest{}, 1);
    auto first = next_reply();
    EXPECT_EQ(first.id, 1u);
    EXPECT_EQ(first.syncs_before, 0) << "nothing to make durable: no sync";

    send(PostCommitRequest{"u-1"}, 2);
    send(ListRequest{}, 3);
    auto commit = next_reply();
    auto list = next_reply();
    EXPECT_EQ(commit.id, 2u);
    EXPECT_EQ(commit.type, kOkType);
    EXPECT_GE(commit.syncs_before, 1) << "the commit was acknowledged before it was durable";
    EXPECT_EQ(list.id, 3u) << "replies keep the order of the requests";
    EXPECT_GE(list.syncs_before, 1);
    EXPECT_FALSE(unsynced_.load());
}

TEST_F(ServiceWorkerTest, ABurstOfCommitsSharesOneSync) {
    sync_delay_ = 300ms;  // the first sync is slow: the next commits queue up behind it
    send(PostCommitRequest{"u-0"}, 100);
    // The burst is sent once the first commit's sync has begun.
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (syncs_started_.load() == 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::yield();
    ASSERT_EQ(syncs_started_.load(), 1) << "the first commit's sync never began";
    constexpr std::uint64_t kBurst = 20;
    for (std::uint64_t i = 1; i <= kBurst; ++i)
        send(PostCommitRequest{"u-" + std::to_string(i)}, 100 + i);
    for (std::uint64_t i = 0; i <= kBurst; ++i) {
        auto reply = next_reply();
        EXPECT_EQ(reply.id, 100 + i);
        EXPECT_EQ(reply.type, kOkType);
        EXPECT_GE(reply.syncs_before, 1);
    }
    // One sync for the first commit, one for the burst; a third if the burst was split.
    EXPECT_LE(syncs_.load(), 3) << "each commit had its own fsync";
}

TEST_F(ServiceWorkerTest, AFailedSyncTurnsEveryHeldReplyIntoItsError) {
    fail_sync_ = true;
    send(PostCommitRequest{"u-1"}, 7);
    auto refused = next_reply();
    EXPECT_EQ(refused.id, 7u);
    auto decoded = decode_reply<PostCommitReply>(refused.frames);
    ASSERT_FALSE(decoded.has_value());
    EXPECT_EQ(decoded.error().code, ErrorCode::IO_ERROR);
    EXPECT_EQ(decoded.error().message, "disk full");

    // Still not durable: the next reply waits for a sync that works.
    fail_sync_ = false;
    send(ListRequest{}, 8);
    auto list = next_reply();
    EXPECT_EQ(list.id, 8u);
    EXPECT_EQ(list.type, kOkType);
    EXPECT_EQ(list.syncs_before, 2);
}

TEST_F(ServiceWorkerTest, ARequestWithoutAReadableSenderIsAnsweredWithTheRefusal) {
    send(ListRequest{}, 9, "anon:not-a-key");
    auto refused = next_reply();
    EXPECT_EQ(refused.id, 9u);
    auto decoded = decode_reply<ListReply>(refused.frames);
    ASSERT_FALSE(decoded.has_value());
    EXPECT_EQ(decoded.error().code, ErrorCode::BAD_REQUEST);
    EXPECT_EQ(decoded.error().message,
              "header 'user': peer identity 'anon:not-a-key': its key is not 40 characters of Z85");
    send(ListRequest{}, 10, std::nullopt);
    auto missing = decode_reply<ListReply>(next_reply().frames);
    ASSERT_FALSE(missing.has_value()) << "a request without a sender was served";
    EXPECT_EQ(missing.error().message,
              "header 'user' is missing: the broker names the sender of every request");
    send(ListRequest{}, 11);  // and the worker serves on
    EXPECT_EQ(next_reply().type, kOkType);
}

// The table and the sender's parsing without a socket: dispatch() is what the worker runs
// for each request it receives.
class DispatchTest : public ::testing::Test {
  protected:
    DispatchTest()
        : worker_(WorkerConfig{"tcp://127.0.0.1:1", generate_curve_keys().public_key,
                               generate_curve_keys(), "storage", "test"},
                  log_, clock_) {
        worker_.on<ListRequest>(
            [this](const ListRequest&, const RequestContext& context) -> Result<Outgoing> {
                seen_.push_back(context.peer);
                return ok(ListReply{});
            });
    }

    Result<Outgoing> dispatch(std::optional<std::string> user, std::string type = "LIST") {
        return worker_.dispatch(Header{kProtocolVersion, std::move(type), 1, std::move(user)},
                                encode_map(ListRequest{}), {});
    }

    ProtocolLog log_ = ProtocolLog::disabled();
    SystemClock clock_;
    ServiceWorker worker_;
    std::vector<PeerIdentity> seen_;  // the senders the handler was given
};

TEST_F(DispatchTest, TheHandlerIsGivenTheParsedSender) {
    auto key = generate_curve_keys().public_key;
    for (const PeerIdentity& peer :
         {PeerIdentity{UserPeer{"alice"}}, PeerIdentity{AnonymousPeer{key}},
          PeerIdentity{UnconfirmedPeer{key}}, PeerIdentity{ServicePeer{"ca", key}},
          PeerIdentity{BrokerPeer{}}}) {
        seen_.clear();
        ASSERT_TRUE(dispatch(peer.encode())) << peer.encode();
        ASSERT_EQ(seen_.size(), 1u);
        EXPECT_EQ(seen_[0], peer);
    }
}

TEST_F(DispatchTest, AMissingOrMalformedSenderIsRefusedBeforeAnyHandlerRuns) {
    auto missing = dispatch(std::nullopt);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, ErrorCode::BAD_REQUEST);
    EXPECT_EQ(missing.error().message,
              "header 'user' is missing: the broker names the sender of every request");
    for (std::string user :
         {"", "Alice", "anon:", "unknown:abc", "service:x:y", "broker:me", "user:alice"}) {
        auto refused = dispatch(user);
        ASSERT_FALSE(refused) << user;
        EXPECT_EQ(refused.error().code, ErrorCode::BAD_REQUEST) << user;
        EXPECT_EQ(refused.error().message,
                  "header 'user': " + PeerIdentity::parse(user).error().message);
    }
    // Even for a type no handler serves: who sent it is checked first.
    EXPECT_EQ(dispatch("Alice", "GET_CHUNK").error().message,
              "header 'user': " + PeerIdentity::parse("Alice").error().message);
    EXPECT_TRUE(seen_.empty());
}

TEST_F(DispatchTest, ATypeWithoutAHandlerIsABadRequest) {
    auto refused = dispatch("alice", "GET_CHUNK");
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::BAD_REQUEST);
    EXPECT_EQ(refused.error().message, "the storage service does not handle GET_CHUNK");
}

TEST_F(DispatchTest, EachTypeHasAtMostOneHandler) {
    EXPECT_THROW(
        worker_.on<ListRequest>([](const ListRequest&, const RequestContext&) -> Result<Outgoing> {
            return ok(ListReply{});
        }),
        std::logic_error);
    worker_.on<GetChunkRequest>(
        [](const GetChunkRequest&, const RequestContext&) -> Result<Outgoing> {
            return ok(GetChunkReply{});
        });
    EXPECT_EQ(worker_.handled_types(), (std::vector<std::string>{"GET_CHUNK", "LIST"}));
}

}  // namespace
}  // namespace imgshare::service
