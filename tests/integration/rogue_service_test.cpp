// A compromised service on the backend. It holds a real, allow-listed key
// (taken from a service's data directory, as an intruder on that machine
// would) and talks to the broker as it likes: it forges replies to requests
// the broker sent to another service, or announces itself as another service.
// Either way it must not decide who a client is: a stranger never becomes
// "alice".
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <thread>

#include <zmq.hpp>

#include "common/net/multipart.h"
#include "common/net/socket_options.h"
#include "common/server_keys.h"
#include "common/standing.h"
#include "tests/integration/support/cluster_fixture.h"
#include "tests/integration/support/raw_client.h"
#include "tests/integration/support/signed_requests.h"

namespace imgshare::testing {
namespace {

using namespace std::chrono_literals;

// A backend worker driven by the test, on its own thread.
class RogueService {
  public:
    // The reply to a request the broker sent, if any.
    using Answer = std::function<std::optional<Frames>(const Header& request)>;

    // `forged`: a reply body sent over and over for ids just above the highest one seen,
    // as answers to requests this worker was never sent. `after_ready`: messages sent once,
    // right after READY.
    RogueService(Cluster& cluster, const CurveKeyPair& keys, std::string service, Answer answer,
                 std::optional<Bytes> forged = std::nullopt, std::vector<Frames> after_ready = {})
        : endpoint_(cluster.backend_endpoint()),
          broker_key_(cluster.broker_public_key()),
          keys_{keys.public_key, SecretBytes::copy_of(keys.secret_key.view())},
          service_(std::move(service)),
          answer_(std::move(answer)),
          forged_(std::move(forged)),
          after_ready_(std::move(after_ready)),
          thread_([this] { run(); }) {}
    ~RogueService() {
        stop_ = true;
        thread_.join();
    }

    // Headers of the requests the broker sent (heartbeats and DISCONNECTs left out).
    std::vector<Header> received() const {
        std::lock_guard lock(mutex_);
        return received_;
    }

  private:
    void run() {
        zmq::context_t context(1);
        zmq::socket_t socket(context, zmq::socket_type::dealer);
        net::harden_peer_socket(socket, net::Liveness::Service);
        net::make_curve_client(socket, broker_key_, keys_.public_key, keys_.secret_key.view());
        socket.connect(endpoint_);
        auto send = [&](const Frames& frames) {
            auto out = net::frames_of(frames);
            (void)net::send_message(socket, out);
        };
        send(encode(ReadyMessage{service_, "rogue"}, 0));
        for (const auto& message : after_ready_)
            send(message);
        std::uint64_t highest_id = 0;
        auto next_heartbeat = std::chrono::steady_clock::now();
        while (!stop_) {
            zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
            zmq::poll(&item, 1, 50ms);
            while (auto message = net::receive_message(socket, 4)) {
                auto header = decode_header(net::view_of(message->frames[0]));
                if (!header || header->type == HeartbeatMessage::kType) continue;
                if (header->type == DisconnectMessage::kType) {
                    send(encode(ReadyMessage{service_, "rogue"}, 0));
                    continue;
                }
                {
                    std::lock_guard lock(mutex_);
                    received_.push_back(*header);
                }
                highest_id = std::max(highest_id, header->id);
                if (answer_) {
                    if (auto reply = answer_(*header)) send(*reply);
                }
            }
            if (forged_) {
                for (auto id = highest_id + 1; id <= highest_id + 16; ++id) {
                    Header header;
                    header.type = std::string(kOkType);
                    header.id = id;
                    send({encode_header(header), *forged_});
                }
            }
            if (std::chrono::steady_clock::now() >= next_heartbeat) {
                send(encode(HeartbeatMessage{}, 0));
                next_heartbeat = std::chrono::steady_clock::now() + 1s;
            }
        }
        send(encode(DisconnectMessage{}, 0));
    }

    std::string endpoint_;
    Bytes broker_key_;
    CurveKeyPair keys_;
    std::string service_;
    Answer answer_;
    std::optional<Bytes> forged_;
    std::vector<Frames> after_ready_;
    std::atomic<bool> stop_{false};
    mutable std::mutex mutex_;
    std::vector<Header> received_;
    std::thread thread_;
};

CurveKeyPair service_keys_of(const std::filesystem::path& data_dir) {
    auto keys = load_curve_key_files(data_dir, "service");
    if (!keys) throw std::runtime_error(keys.error().message);
    return std::move(*keys);
}

class RogueServiceTest : public ClusterTest {
  protected:
    void SetUp() override {
        alice_ = register_user(cluster_, "alice");
        bob_ = register_user(cluster_, "bob");
    }

    TestUser alice_, bob_;
};

TEST_F(RogueServiceTest, AStorageNodeCannotAnswerTheCasRequestsToMakeAStrangerAlice) {
    // Bob's connection is authenticated while the real CA still runs.
    RawClient bob(cluster_.client_endpoint(), cluster_.broker_public_key(), bob_.keys.curve);
    ASSERT_EQ(code_of(bob.call(encode(CaInfoRequest{}, 1))), std::nullopt);

    auto ca_keys = service_keys_of(cluster_.ca_dir());
    auto storage_keys = service_keys_of(cluster_.storage_dir());
    cluster_.stop_ca();
    cluster_.stop_storage();
    // A slow CA (it never answers), and a compromised storage node that answers LIST and
    // forges "this key is alice" for whatever the broker asks next.
    RogueService slow_ca(cluster_, ca_keys, "ca", nullptr);
    RogueService forger(
        cluster_, storage_keys, "storage",
        [](const Header& request) -> std::optional<Frames> {
            if (request.type != ListRequest::kType) return std::nullopt;
            return encode_ok(ListReply{}, request.id);
        },
        encode_map(LookupCurveKeyReply{"alice", false}));
    ASSERT_TRUE(cluster_.wait_for_service("ca", 2));
    ASSERT_TRUE(cluster_.wait_for_service("storage", 2));
    ASSERT_EQ(code_of(bob.call(encode(ListRequest{}, 2))), std::nullopt);

    // A stranger connects: the broker asks the CA who the key is, and the forger answers.
    RawClient mallory(cluster_.client_endpoint(), cluster_.broker_public_key());
    auto reply = mallory.call(encode(ListRequest{}, 1), 20s);
    EXPECT_EQ(code_of(reply), ErrorCode::SERVICE_UNAVAILABLE);
    for (const auto& request : forger.received())
        EXPECT_NE(request.user, std::optional<std::string>("alice")) << request.type;
    EXPECT_EQ(read_text(cluster_.broker_dir() / "protocol.log").find("\"peer\":\"alice\""),
              std::string::npos);
}

TEST_F(RogueServiceTest, AStorageNodesKeyCannotServeAsTheCa) {
    auto storage_keys = service_keys_of(cluster_.storage_dir());
    cluster_.stop_ca();
    // The storage node's key announces "ca" and vouches that every key is alice's.
    RogueService impostor(cluster_, storage_keys, "ca", [](const Header& request) {
        if (request.type == LookupCurveKeyRequest::kType) {
            return encode_ok(LookupCurveKeyReply{"alice", false}, request.id);
        }
        return encode_error(Error{ErrorCode::INTERNAL, "no"}, request.id);
    });
    // The broker has judged its READY once its log names the node (accepted or refused).
    ASSERT_TRUE(cluster_.broker()->wait_for_err("rogue", 20s)) << cluster_.broker()->err();

    RawClient mallory(cluster_.client_endpoint(), cluster_.broker_public_key());
    EXPECT_EQ(code_of(mallory.call(encode(ListRequest{}, 1), 20s)), ErrorCode::SERVICE_UNAVAILABLE);
    EXPECT_TRUE(impostor.received().empty());
    EXPECT_EQ(read_text(cluster_.broker_dir() / "protocol.log").find("\"peer\":\"alice\""),
              std::string::npos);
}

TEST_F(RogueServiceTest, AStorageNodeCannotRevokeAUser) {
    auto storage_keys = service_keys_of(cluster_.storage_dir());
    cluster_.stop_storage();
    // The storage node's own key, as a storage node, tells the broker alice is revoked.
    RogueService rogue(cluster_, storage_keys, "storage", nullptr, std::nullopt,
                       {encode(UserRevokedMessage{"alice"}, 0)});
    EXPECT_TRUE(cluster_.broker()->wait_for_err(
        "dropped USER_REVOKED from a worker that is not the CA", 20s))
        << cluster_.broker()->err();

    // Alice is still served (GET_CERT goes to the real CA) and the CA still says valid.
    RawClient alice(cluster_.client_endpoint(), cluster_.broker_public_key(), alice_.keys.curve);
    auto reply = alice.call(encode(GetCertRequest{"alice"}, 1), 20s);
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(error_code_of(*reply), std::nullopt);
    auto certificate = decode_reply<GetCertReply>(*reply);
    ASSERT_TRUE(certificate) << certificate.error().message;
    EXPECT_FALSE(decode_standing(certificate->standing).value().revoked);
}

}  // namespace
}  // namespace imgshare::testing
