// A flood of clients against the broker: malformed, over-limit and garbage
// messages by the hundred; a crowd of idle CURVE connections; silent TCP
// connections that never finish a handshake; uploads abandoned half-way.
// Each attack gets its exact refusal, other users keep being served, the
// broker's memory stays within a bound, and abandoned uploads are removed.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <zmq.hpp>

#include "common/net/socket_options.h"
#include "common/protocol/limits.h"
#include "tests/integration/support/cluster.h"
#include "tests/integration/support/raw_client.h"
#include "tests/integration/support/signed_requests.h"
#include "tests/integration/support/silent_connection.h"
#include "tests/integration/support/storage_database.h"
#include "tests/integration/support/wait.h"

namespace imgshare::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr long kMiB = 1024;  // in the kB unit of /proc/PID/status

// Under AddressSanitizer (deploy/sanitize.sh) resident sizes say nothing about the code:
// redzones, shadow memory and the quarantine that holds freed blocks back on purpose.
// The regular build checks them.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kMemoryIsMeaningful = false;
#else
constexpr bool kMemoryIsMeaningful = true;
#endif

struct Memory {
    long resident_kb = 0;  // VmRSS
    long peak_kb = 0;      // VmHWM
};

Memory memory_of(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    Memory memory;
    for (std::string line; std::getline(status, line);) {
        if (line.starts_with("VmRSS:")) memory.resident_kb = std::stol(line.substr(6));
        if (line.starts_with("VmHWM:")) memory.peak_kb = std::stol(line.substr(6));
    }
    return memory;
}

// Many CURVE clients in one context, each done with one request and then silent.
class IdleCrowd {
  public:
    IdleCrowd(Cluster& cluster, std::size_t size) : context_(2) {
        context_.set(zmq::ctxopt::max_sockets, static_cast<int>(size) + 64);
        for (std::size_t i = 0; i < size; ++i) {
            auto keys = generate_curve_keys();
            zmq::socket_t socket(context_, zmq::socket_type::dealer);
            net::harden_peer_socket(socket, net::Liveness::Client);
            net::make_curve_client(socket, cluster.broker_public_key(), keys.public_key,
                                   keys.secret_key.view());
            socket.connect(cluster.client_endpoint());
            auto frames = encode(CaInfoRequest{}, i + 1);
            socket.send(zmq::buffer(frames[0]), zmq::send_flags::sndmore);
            socket.send(zmq::buffer(frames[1]), zmq::send_flags::none);
            sockets_.push_back(std::move(socket));
        }
    }

    // Waits until every client has had its answer; how many did.
    std::size_t wait_for_answers(std::chrono::seconds timeout) {
        std::vector<bool> answered(sockets_.size(), false);
        std::size_t count = 0;
        auto deadline = std::chrono::steady_clock::now() + timeout;
        while (count < sockets_.size() && std::chrono::steady_clock::now() < deadline) {
            std::vector<zmq::pollitem_t> items;
            for (auto& socket : sockets_)
                items.push_back({socket.handle(), 0, ZMQ_POLLIN, 0});
            zmq::poll(items.data(), items.size(), 200ms);
            for (std::size_t i = 0; i < items.size(); ++i) {
                if (!(items[i].revents & ZMQ_POLLIN)) continue;
                zmq::message_t frame;
                while (sockets_[i].recv(frame, zmq::recv_flags::dontwait)) {
                    if (!frame.more() && !answered[i]) {
                        answered[i] = true;
                        ++count;
                    }
                }
            }
        }
        return count;
    }

  private:
    zmq::context_t context_;
    std::vector<zmq::socket_t> sockets_;
};

class FloodTest : public ::testing::Test {
  protected:
    void expect_bystander_served() {
        RawClient bystander(cluster_.client_endpoint(), cluster_.broker_public_key());
        auto info = bystander.call(encode(CaInfoRequest{}, 1));
        ASSERT_TRUE(info.has_value()) << "a bystander was not served";
        EXPECT_TRUE(decode_reply<CaInfoReply>(*info).has_value());
    }

    // The idle crowd is 1,000 new keys from one address: over the handshake limit, which
    // HandshakeLimitTest tests; here the crowd is to be admitted.
    Cluster cluster_{ClusterOptions{true,
                                    {"--upload-timeout-s", "3"},
                                    {"--handshake-limit", "100000/s", "--handshake-burst", "100000"},
                                    {}}};
};

TEST_F(FloodTest, MalformedAndOverLimitMessagesAreRefusedAndTheBrokerStaysSmall) {
    auto attack_round = [&] {
        // Frames over ZMQ_MAXMSGSIZE: ZeroMQ drops each sender's connection, unanswered.
        std::vector<std::unique_ptr<RawClient>> oversized;
        for (int i = 0; i < 25; ++i) {
            oversized.push_back(std::make_unique<RawClient>(cluster_.client_endpoint(),
                                                            cluster_.broker_public_key()));
            auto frames = encode(CaInfoRequest{}, 1);
            frames[1] = Bytes(kMaxFrameBytes + 1, 0x00);
            oversized.back()->send(frames);
        }
        EXPECT_FALSE(oversized.back()->receive(1s).has_value());

        RawClient attacker(cluster_.client_endpoint(), cluster_.broker_public_key());
        std::uint64_t id = 1;
        for (int i = 0; i < 25; ++i) {
            auto many = encode(CaInfoRequest{}, id++);
            for (int extra = 0; extra < 40; ++extra)
                many.push_back(Bytes(1024, 0x01));
            EXPECT_EQ(code_of(attacker.call(many)), ErrorCode::TOO_LARGE);
            EXPECT_EQ(code_of(attacker.call({Bytes{0xc1, 0xff}, Bytes{0x80}})),
                      ErrorCode::BAD_REQUEST);
            EXPECT_EQ(code_of(attacker.call({encode(CaInfoRequest{}, id++)[0]})),
                      ErrorCode::BAD_REQUEST);
            // A body that declares a 4 GiB string: refused before anything is allocated.
            EXPECT_EQ(code_of(attacker.call(
                          {encode(CaInfoRequest{}, id++)[0], Bytes{0xdb, 0xff, 0xff, 0xff, 0xff}})),
                      ErrorCode::TOO_LARGE);
            // Arrays nested 100 deep.
            Bytes deep(100, 0x91);
            deep.push_back(0xc0);
            EXPECT_EQ(code_of(attacker.call({encode(CaInfoRequest{}, id++)[0], deep})),
                      ErrorCode::BAD_REQUEST);
        }
        expect_bystander_served();
    };

    auto pid = cluster_.broker()->pid();
    attack_round();  // the first round sizes the allocator's pools
    auto before = memory_of(pid);
    for (int round = 0; round < 4; ++round)
        attack_round();
    auto after = memory_of(pid);
    if (kMemoryIsMeaningful) {
        EXPECT_LT(after.resident_kb, before.resident_kb + 32 * kMiB)
            << "resident " << before.resident_kb << " kB -> " << after.resident_kb << " kB";
        EXPECT_LT(after.peak_kb, before.peak_kb + 32 * kMiB)
            << "peak " << before.peak_kb << " kB -> " << after.peak_kb << " kB";
    }
    EXPECT_TRUE(cluster_.broker()->running());
}

TEST_F(FloodTest, ManyFullSizeFramesInOneMessageAreRefusedAndTheirMemoryIsReused) {
    // ZeroMQ delivers a multipart message whole, so the broker holds every frame of it
    // before it can count them (docs/SECURITY.md: what remains open). What it must not do
    // is keep them: each attempt's memory is freed and reused.
    constexpr int kFrames = 24;
    constexpr int kAttempts = 10;
    auto pid = cluster_.broker()->pid();
    RawClient attacker(cluster_.client_endpoint(), cluster_.broker_public_key());
    auto big = encode(CaInfoRequest{}, 1);
    for (int i = 0; i < kFrames; ++i)
        big.push_back(Bytes(kMaxChunkBytes, static_cast<std::uint8_t>(i)));
    EXPECT_EQ(code_of(attacker.call(big, 30s)), ErrorCode::TOO_LARGE);
    auto before = memory_of(pid);
    for (int attempt = 0; attempt < kAttempts; ++attempt)
        EXPECT_EQ(code_of(attacker.call(big, 30s)), ErrorCode::TOO_LARGE);
    auto after = memory_of(pid);
    expect_bystander_served();
    // Ten attempts kept would be 240 MiB more.
    if (kMemoryIsMeaningful) {
        EXPECT_LT(after.resident_kb, before.resident_kb + 2 * kFrames * kMiB)
            << "resident " << before.resident_kb << " kB -> " << after.resident_kb << " kB";
        EXPECT_LT(after.peak_kb, before.peak_kb + 2 * kFrames * kMiB)
            << "peak " << before.peak_kb << " kB -> " << after.peak_kb << " kB";
    }
}

TEST_F(FloodTest, IdleCrowdAndStalledUploadsDoNotStopOthersAndStalledUploadsAreRemoved) {
    auto bob = cluster_.new_user("bob");
    auto image = cluster_.small_png("cat.png");

    std::vector<std::unique_ptr<SilentConnection>> silent;
    for (int i = 0; i < 200; ++i) {
        silent.push_back(std::make_unique<SilentConnection>(cluster_.client_endpoint()));
        ASSERT_TRUE(silent.back()->connected());
    }
    IdleCrowd crowd(cluster_, 1000);
    ASSERT_EQ(crowd.wait_for_answers(60s), 1000u);

    // Ten uploaders begin a four-chunk upload, send one chunk and go quiet.
    auto wrap_key = wrap_public_key(cluster_);
    struct Stalled {
        std::unique_ptr<RawClient> client;
        std::string upload;
    };
    std::vector<Stalled> stalled;
    for (int i = 0; i < 10; ++i) {
        auto user = register_user(cluster_, "slow" + std::to_string(i));
        auto upload = escrow_image(user, "never-finished-" + std::to_string(i), wrap_key, 4);
        auto client = std::make_unique<RawClient>(cluster_.client_endpoint(),
                                                  cluster_.broker_public_key(), user.keys.curve);
        auto begun = decode_reply<PostBeginReply>(*client->call(encode(upload.begin, 1)));
        ASSERT_TRUE(begun.has_value()) << begun.error().message;
        ASSERT_EQ(code_of(client->call(
                      encode(PostChunkRequest{begun->upload, 0}, 2, {}, upload.chunks[0]))),
                  std::nullopt);
        stalled.push_back({std::move(client), begun->upload});
    }

    // Another user is served as usual.
    auto posted = cluster_.imgshare(bob, {"post", image.string()});
    ASSERT_EQ(posted.exit_code, 0) << posted.err;
    EXPECT_TRUE(cluster_.download_matches(bob, "cat", image));

    // The stalled uploads expire (the node runs with --upload-timeout-s 3). POST_COMMIT
    // does not count as activity: it says "missing chunk 1" until the upload is gone.
    for (auto& upload : stalled) {
        std::optional<ErrorCode> code;
        EXPECT_TRUE(wait_until(
            [&] {
                code = code_of(upload.client->call(encode(PostCommitRequest{upload.upload}, 3)));
                return code == ErrorCode::NOT_FOUND;  // not BAD_REQUEST "missing chunk 1"
            },
            30s, "the stalled upload to expire", 200ms))
            << upload.upload << ": " << (code ? to_string(*code) : "no error");
    }
    // Connections that never finish a handshake are closed (ZMQ_HANDSHAKE_IVL).
    for (auto& connection : silent) {
        EXPECT_TRUE(wait_until([&] { return connection->closed_by_peer(); }, 30s,
                               "the broker to close a silent connection", 50ms));
    }

    // On disk: no pending upload, and only the chunks of bob's committed image.
    cluster_.stop_storage();
    StorageDatabase db(cluster_.storage_dir() / "db");
    EXPECT_TRUE(db.entries("uploads").empty());
    auto committed = db.image("cat");
    auto chunks = db.entries("chunks");
    EXPECT_EQ(chunks.size(), committed.chunk_count);
    for (const auto& [key, value] : chunks)
        EXPECT_TRUE(key.starts_with(as_string(committed.upload))) << "a stalled upload's chunk";
}

}  // namespace
}  // namespace imgshare::testing
