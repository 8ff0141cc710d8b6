// The real CA and storage node, reached by a stand-in broker that holds the
// broker's key (as an intruder on the broker's machine would) and stamps what
// it likes as the sender (`user`): a malformed one is refused before any
// handler runs, and each kind of peer gets exactly the answer its kind allows.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include <zmq.hpp>

#include "common/crypto/keys.h"
#include "common/net/multipart.h"
#include "common/net/socket_options.h"
#include "common/protocol/codec.h"
#include "common/protocol/peer_identity.h"
#include "common/server_keys.h"
#include "tests/integration/support/cluster.h"

namespace imgshare::testing {
namespace {

using namespace std::chrono_literals;

// The backend ROUTER, bound where the real broker was, driven by the test.
class StandInBroker {
  public:
    StandInBroker(const std::string& endpoint, const CurveKeyPair& keys)
        : socket_(context_, zmq::socket_type::router) {
        net::harden_peer_socket(socket_, net::Liveness::Service);
        socket_.set(zmq::sockopt::curve_server, true);
        socket_.set(zmq::sockopt::curve_secretkey,
                    zmq::const_buffer(keys.secret_key.view().data(), 32));
        socket_.bind(endpoint);
    }

    // Waits until both services announced themselves; a worker the stand-in does not
    // know is told to (DISCONNECT), as the real broker does.
    bool wait_for_services(std::chrono::milliseconds timeout = 30s) {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        while (workers_.size() < 2 && std::chrono::steady_clock::now() < deadline) {
            auto message = receive(500ms);
            if (!message) continue;
            auto header = decode_header(message->frames[1]);
            if (!header) continue;
            if (header->type == ReadyMessage::kType) {
                auto ready = decode_body<ReadyMessage>(message->frames[2]);
                if (ready) workers_[ready->service] = message->routing_id;
            } else if (!known(message->routing_id)) {
                send_to(message->routing_id, encode(DisconnectMessage{}, 0));
            }
        }
        return workers_.size() == 2;
    }

    // Sends `request` to `service` stamped with `user`; the reply's error, or nullopt
    // for OK. Heartbeats keep both workers from reconnecting meanwhile.
    template <class M>
    Result<void> ask(std::string_view service, const M& request, std::optional<std::string> user) {
        auto id = ++next_id_;
        send_to(workers_.at(std::string(service)), encode(request, id, std::move(user)));
        auto deadline = std::chrono::steady_clock::now() + 10s;
        while (std::chrono::steady_clock::now() < deadline) {
            auto message = receive(500ms);
            for (const auto& [name, worker] : workers_)
                send_to(worker, encode(HeartbeatMessage{}, 0));
            if (!message) continue;
            auto header = decode_header(message->frames[1]);
            if (!header || header->id != id) continue;
            if (header->type == kOkType) return {};
            auto error = decode_body<ErrorReply>(message->frames[2]);
            if (!error) return std::unexpected(error.error());
            return std::unexpected(Error{error->code, error->message});
        }
        return fail(ErrorCode::TIMEOUT, "no reply");
    }

  private:
    struct Message {
        std::string routing_id;
        Frames frames;  // routing id first
    };

    bool known(const std::string& routing_id) const {
        for (const auto& [name, worker] : workers_) {
            if (worker == routing_id) return true;
        }
        return false;
    }

    std::optional<Message> receive(std::chrono::milliseconds timeout) {
        zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
        if (zmq::poll(&item, 1, timeout) <= 0) return std::nullopt;
        auto message = net::receive_message(socket_, 4);
        if (!message || message->frames.size() < 3) return std::nullopt;
        Message out{net::string_of(message->frames[0]), {}};
        for (auto& frame : message->frames) {
            auto view = net::view_of(frame);
            out.frames.emplace_back(view.begin(), view.end());
        }
        return out;
    }

    void send_to(const std::string& routing_id, const Frames& frames) {
        net::ZmqFrames out;
        out.emplace_back(routing_id.data(), routing_id.size());
        for (auto& frame : net::frames_of(frames))
            out.push_back(std::move(frame));
        (void)net::send_message(socket_, out);
    }

    zmq::context_t context_{1};
    zmq::socket_t socket_;
    std::map<std::string, std::string> workers_;  // service -> routing id
    std::uint64_t next_id_ = 0;
};

std::optional<ErrorCode> refusal_code(const Result<void>& answer) {
    if (answer) return std::nullopt;
    return answer.error().code;
}

std::string message_of(const Result<void>& answer) {
    return answer ? std::string("(answered OK)") : answer.error().message;
}

TEST(PeerIdentityAtServicesTest, ForgedSendersGetExactlyWhatTheirKindAllows) {
    Cluster cluster;
    (void)cluster.new_user("alice");
    auto broker_keys = load_curve_key_files(cluster.broker_dir(), "broker");
    ASSERT_TRUE(broker_keys) << broker_keys.error().message;
    cluster.stop_broker();
    StandInBroker broker(cluster.backend_endpoint(), *broker_keys);
    ASSERT_TRUE(broker.wait_for_services()) << "the CA and storage did not come back";

    const auto key = z85_encode(generate_curve_keys().public_key);
    const std::string missing_user =
        "header 'user' is missing: the broker names the sender of every request";

    // Malformed senders: refused by each service before any handler runs.
    for (std::string user : {std::string("unknown:x"), std::string("Alice"), std::string(""),
                             "service:broker:" + key, std::string("broker:alice")}) {
        auto expected = "header 'user': " + PeerIdentity::parse(user).error().message;
        auto at_ca = broker.ask(kCaService, LookupCurveKeyRequest{Bytes(32, 1)}, user);
        EXPECT_EQ(refusal_code(at_ca), ErrorCode::BAD_REQUEST) << user;
        EXPECT_EQ(message_of(at_ca), expected);
        auto at_storage = broker.ask(kStorageService, ListRequest{}, user);
        EXPECT_EQ(refusal_code(at_storage), ErrorCode::BAD_REQUEST) << user;
        EXPECT_EQ(message_of(at_storage), expected);
    }
    EXPECT_EQ(message_of(broker.ask(kCaService, CaInfoRequest{}, std::nullopt)), missing_user);
    EXPECT_EQ(message_of(broker.ask(kStorageService, ListRequest{}, std::nullopt)), missing_user);

    // Well-formed senders of each kind. Storage serves registered users only: an
    // unconfirmed key is no username.
    for (std::string user : {"anon:" + key, "unknown:" + key, "service:storage:" + key,
                             "service:ca:" + key, std::string("broker:")}) {
        auto listed = broker.ask(kStorageService, ListRequest{}, user);
        EXPECT_EQ(refusal_code(listed), ErrorCode::NOT_REGISTERED) << user;
        EXPECT_EQ(message_of(listed), "register before using the storage service");
    }
    EXPECT_EQ(refusal_code(broker.ask(kStorageService, ListRequest{}, "alice")), std::nullopt);

    // The CA answers its internal requests only to the broker.
    for (std::string user :
         {"anon:" + key, "unknown:" + key, "service:storage:" + key, std::string("alice")}) {
        auto lookup = broker.ask(kCaService, LookupCurveKeyRequest{Bytes(32, 1)}, user);
        EXPECT_EQ(refusal_code(lookup), ErrorCode::FORBIDDEN) << user;
        EXPECT_EQ(message_of(lookup), "LOOKUP_CURVE_KEY is for the broker only");
    }
    auto lookup = broker.ask(kCaService, LookupCurveKeyRequest{Bytes(32, 1)}, "broker:");
    EXPECT_EQ(refusal_code(lookup), ErrorCode::NOT_FOUND) << message_of(lookup);
    auto certificate = broker.ask(kCaService, GetCertRequest{"alice"}, "unknown:" + key);
    EXPECT_EQ(refusal_code(certificate), ErrorCode::FORBIDDEN);
    EXPECT_EQ(message_of(certificate), "GET_CERT is for registered users");
    EXPECT_EQ(refusal_code(broker.ask(kCaService, GetCertRequest{"alice"}, "alice")), std::nullopt);
}

}  // namespace
}  // namespace imgshare::testing
