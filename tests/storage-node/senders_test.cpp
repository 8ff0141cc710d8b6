// Who may send the storage node what: every kind of peer, and every malformed
// `user`, sent with every storage request through ServiceWorker::dispatch (what
// the worker runs for each request from the broker) over serve(), each with
// its exact answer. Only a registered user is served; "unknown:<key>" is no
// username.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "common/protocol/routes.h"
#include "tests/storage-node/storage_test_support.h"

namespace imgshare::storage::testing {
namespace {

class StorageSendersTest : public StorageTest {
  protected:
    void SetUp() override {
        StorageTest::SetUp();
        serve(service(), worker_);
        post(alice_, cat_);
    }

    template <class M>
    Result<service::Outgoing> send(const M& request, std::optional<std::string> user,
                                   ByteView payload = {}) {
        return worker_.dispatch(Header{kProtocolVersion, std::string(M::kType), 1, std::move(user)},
                                encode_map(request), payload);
    }

    // Every storage request, with `each(request, payload)`.
    template <class Each>
    void for_every_request(Each each) {
        auto other = image(alice_, named("dog"));
        each(other.begin, ByteView{});
        each(PostChunkRequest{std::string(32, 'a'), 0}, ByteView(cat_.chunks[0]));
        each(PostCommitRequest{std::string(32, 'a')}, ByteView{});
        each(PostImageRequest{other.begin}, ByteView(other.chunks[0]));
        each(ListRequest{}, ByteView{});
        each(DownloadRequest{"cat"}, ByteView{});
        each(GetChunkRequest{"cat", 0}, ByteView{});
        each(ShareRequest{"cat", {}, {}, {}, {}}, ByteView{});
    }

    ProtocolLog log_ = ProtocolLog::disabled();
    service::ServiceWorker worker_{
        service::WorkerConfig{"tcp://127.0.0.1:1", generate_curve_keys().public_key,
                              generate_curve_keys(), std::string(kStorageService), "test"},
        log_, clock_};
    TestUser alice_ = user("alice");
    TestImage cat_ = image(alice_);
};

TEST_P(StorageSendersTest, EveryPeerButARegisteredUserIsNotRegistered) {
    auto key = generate_curve_keys().public_key;
    // "unknown:<key>" once passed for a username here; it is an unconfirmed peer.
    for (const PeerIdentity& peer :
         {PeerIdentity{AnonymousPeer{key}}, PeerIdentity{UnconfirmedPeer{key}},
          PeerIdentity{ServicePeer{"ca", key}}, PeerIdentity{ServicePeer{"storage", key}},
          PeerIdentity{BrokerPeer{}}}) {
        int requests = 0;
        for_every_request([&](const auto& request, ByteView payload) {
            ++requests;
            auto answer = send(request, peer.encode(), payload);
            SCOPED_TRACE(std::string(std::decay_t<decltype(request)>::kType) + " from " +
                         peer.encode());
            ASSERT_FALSE(answer) << "answered OK";
            EXPECT_EQ(answer.error().code, ErrorCode::NOT_REGISTERED);
            EXPECT_EQ(answer.error().message, "register before using the storage service");
        });
        EXPECT_EQ(requests, 8);
    }
    EXPECT_EQ(probe().images(), 1u) << "nothing was posted";
}

TEST_P(StorageSendersTest, ARegisteredUserIsServed) {
    EXPECT_TRUE(send(ListRequest{}, "alice"));
    auto download = send(DownloadRequest{"cat"}, "alice");
    ASSERT_TRUE(download) << download.error().message;
    EXPECT_EQ(download->payload, cat_.chunks[0]);  // the first chunk rides along
    auto chunk = send(GetChunkRequest{"cat", 1}, "alice");
    ASSERT_TRUE(chunk) << chunk.error().message;
    EXPECT_EQ(chunk->payload, cat_.chunks[1]);
    auto unknown = send(PostCommitRequest{std::string(32, 'a')}, "alice");
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code, ErrorCode::NOT_FOUND) << unknown.error().message;
}

TEST_P(StorageSendersTest, AMissingOrMalformedUserIsRefusedBeforeAnyHandler) {
    const std::vector<std::string> malformed{"",
                                             "Alice",
                                             "unknown:alice",
                                             "anon:abc",
                                             "service:storage",
                                             "service:alice:" + z85_encode(Bytes(32, 1)),
                                             "broker:alice",
                                             "user:alice"};
    for_every_request([&](const auto& request, ByteView payload) {
        for (const auto& user : malformed) {
            auto answer = send(request, user, payload);
            ASSERT_FALSE(answer) << user;
            EXPECT_EQ(answer.error().code, ErrorCode::BAD_REQUEST) << user;
            EXPECT_EQ(answer.error().message,
                      "header 'user': " + PeerIdentity::parse(user).error().message);
        }
        auto missing = send(request, std::nullopt, payload);
        ASSERT_FALSE(missing);
        EXPECT_EQ(missing.error().message,
                  "header 'user' is missing: the broker names the sender of every request");
    });
    EXPECT_EQ(send(ListRequest{}, "unknown:alice").error().message,
              "header 'user': peer identity 'unknown:alice': its key is not 40 characters of Z85");
    EXPECT_EQ(probe().images(), 1u) << "nothing was posted";
}

INSTANTIATE_TEST_SUITE_P(Backends, StorageSendersTest, on_every_backend(), backend_name);

}  // namespace
}  // namespace imgshare::storage::testing
