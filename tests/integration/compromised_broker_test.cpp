// A compromised broker: it holds the real broker key (so clients complete the
// handshake) and answers as it likes. It must not be able to make a client
// seal an image's content key to a key of its choosing: the escrow wrap key a
// client uses has to be vouched for by the pinned CA, whoever relays it.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include <zmq.hpp>

#include "common/crypto/keys.h"
#include "common/crypto/sealed_box.h"
#include "common/net/multipart.h"
#include "common/net/socket_options.h"
#include "common/protocol/codec.h"
#include "common/server_keys.h"
#include "tests/integration/support/cluster_fixture.h"
#include "tests/integration/support/raw_client.h"

namespace imgshare::testing {
namespace {

using namespace std::chrono_literals;

// Answers CA_INFO as it is told, and records every POST_BEGIN and POST_IMAGE it is sent
// (refusing it, so the client stops there).
class LyingBroker {
  public:
    LyingBroker(const std::string& endpoint, const CurveKeyPair& broker_keys, CaInfoReply info)
        : context_(1), socket_(context_, zmq::socket_type::router) {
        net::harden_peer_socket(socket_, net::Liveness::Client);
        socket_.set(zmq::sockopt::curve_server, true);
        socket_.set(zmq::sockopt::curve_secretkey,
                    zmq::const_buffer(broker_keys.secret_key.view().data(), 32));
        socket_.bind(endpoint);
        info_ = std::move(info);
        thread_ = std::thread([this] { run(); });
    }
    ~LyingBroker() {
        stop_ = true;
        thread_.join();
    }

    std::vector<PostBeginRequest> posts() const {
        std::lock_guard lock(mutex_);
        return posts_;
    }

  private:
    void run() {
        while (!stop_) {
            zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
            zmq::poll(&item, 1, 50ms);
            while (auto message = net::receive_message(socket_, 5)) {
                if (message->frames.size() < 3) continue;
                auto header = decode_header(net::view_of(message->frames[1]));
                if (!header) continue;
                Frames reply;
                if (header->type == CaInfoRequest::kType) {
                    reply = encode_ok(info_, header->id);
                } else {
                    if (header->type == PostBeginRequest::kType ||
                        header->type == PostImageRequest::kType) {
                        auto post = decode_body<PostBeginRequest>(net::view_of(message->frames[2]));
                        std::lock_guard lock(mutex_);
                        if (post) posts_.push_back(*post);
                    }
                    reply = encode_error(Error{ErrorCode::INTERNAL, "no"}, header->id);
                }
                net::ZmqFrames out;
                out.push_back(std::move(message->frames[0]));
                for (const auto& frame : reply)
                    out.push_back(net::frame_of(frame));
                (void)net::send_message(socket_, out);
            }
        }
    }

    zmq::context_t context_;
    zmq::socket_t socket_;
    CaInfoReply info_;
    std::atomic<bool> stop_{false};
    mutable std::mutex mutex_;
    std::vector<PostBeginRequest> posts_;
    std::thread thread_;
};

class CompromisedBrokerTest : public ClusterTest {};

TEST_F(CompromisedBrokerTest, AWrapKeyTheCaDidNotSignIsRefusedBeforeAnyKeyIsSealedToIt) {
    auto alice = cluster_.new_user("alice");
    auto image = cluster_.small_png("cat.png");
    // The real CA_INFO, with the CA's signature over the real wrap key.
    RawClient anyone(cluster_.client_endpoint(), cluster_.broker_public_key());
    auto real = decode_reply<CaInfoReply>(*anyone.call(encode(CaInfoRequest{}, 1)));
    ASSERT_TRUE(real.has_value()) << real.error().message;
    auto broker_keys = load_curve_key_files(cluster_.broker_dir(), "broker");
    ASSERT_TRUE(broker_keys.has_value()) << broker_keys.error().message;
    cluster_.stop_broker();

    auto attacker = generate_box_keys();
    for (const auto& signature : {Bytes{}, real->wrap_key_signature}) {
        // The pinned CA's key and the broker's own wrap key: unsigned, or under the CA's
        // signature of the real one.
        LyingBroker liar(cluster_.client_endpoint(), *broker_keys,
                         CaInfoReply{real->ca_verify_key, attacker.public_key, signature});
        auto result = cluster_.imgshare(alice, {"post", image.string()});
        EXPECT_NE(result.exit_code, 0);
        EXPECT_NE(result.err.find("error: BAD_SIGNATURE"), std::string::npos) << result.err;
        // Nothing sealed to the attacker's key ever left the client.
        for (const auto& post : liar.posts()) {
            EXPECT_FALSE(unseal(post.wrapped_key, attacker).has_value())
                << "the content key was sealed to the broker's key";
        }
        EXPECT_TRUE(liar.posts().empty());
    }
}

}  // namespace
}  // namespace imgshare::testing
