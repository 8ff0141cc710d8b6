// Recovery from a crash: a kill -9 of one server (broker, CA or storage node)
// while a watcher runs and posts keep coming, then a restart on the same ports
// and data directory. Every long-lived client must be served again within
// kServedAgainWithin of the restarted process being up, and the watcher must
// report every image committed, each once (catch-up by feed position).
//
// A broker restarted before the CA has announced itself admits the clients'
// reconnections as `unknown:<key>` (ZAP cannot ask the CA); the broker asks
// again for such a connection's requests and reopens its events socket for
// such subscribers once the CA is live (docs/BROKER.md, "Recovery"). The last
// tests hold those two paths to it directly, for the raw DEALER and SUB
// sockets imgshare-load's idle clients and subscribers are, and check that
// asking again never lets a revoked key in.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/support/recovery_bound.h"
#include "tests/integration/support/cluster_fixture.h"
#include "tests/integration/support/raw_client.h"
#include "tests/integration/support/signed_requests.h"
#include "tests/integration/support/subscriber.h"
#include "tests/integration/support/wait.h"

namespace imgshare::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;


// Posts images p0, p1, ... as one user, one `imgshare post` after another, from a thread of
// its own, until it is destroyed; remembers which ones the client reported posted, and when.
class Poster {
  public:
    Poster(Cluster& cluster, fs::path home, fs::path image)
        : cluster_(cluster),
          home_(std::move(home)),
          image_(std::move(image)),
          thread_([this](std::stop_token stop) { run(stop); }) {}

    // Names of the images reported posted at or after `since`.
    std::vector<std::string> posted_since(SteadyClock::time_point since) const {
        std::lock_guard lock(mutex_);
        std::vector<std::string> names;
        for (const auto& post : posts_) {
            if (post.at >= since) names.push_back(post.name);
        }
        return names;
    }
    std::size_t posted() const { return posted_since(SteadyClock::time_point::min()).size(); }

    // Ends the posting (the post under way finishes); every image reported posted.
    std::vector<std::string> stop() {
        thread_.request_stop();
        if (thread_.joinable()) thread_.join();
        return posted_since(SteadyClock::time_point::min());
    }

  private:
    struct Post {
        std::string name;
        SteadyClock::time_point at;  // when the client had reported it posted
    };

    void run(const std::stop_token& stop) {
        for (int i = 0; !stop.stop_requested(); ++i) {
            const auto next = SteadyClock::now() + kPostInterval;
            std::string name = "p" + std::to_string(i);
            auto result = cluster_.imgshare(home_, {"post", image_.string(), "--name", name}, 30s);
            std::unique_lock lock(mutex_);
            if (result.exit_code == 0) posts_.push_back(Post{name, SteadyClock::now()});
            // The pace of the posting, not a wait for anything: a stop ends it at once.
            stopping_.wait_until(lock, stop, next, [] { return false; });
        }
    }

    Cluster& cluster_;
    fs::path home_;
    fs::path image_;
    // At most ten posts a second: the servers, not the posting, should have the machine.
    static constexpr auto kPostInterval = 100ms;

    mutable std::mutex mutex_;
    std::condition_variable_any stopping_;
    std::vector<Post> posts_;
    std::jthread thread_;  // last: it stops and joins before the members it uses go
};

// The names of the images `home`'s user may read, by `imgshare list`; empty on failure.
std::set<std::string> listed(Cluster& cluster, const fs::path& home) {
    auto result = cluster.imgshare(home, {"list"});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    std::set<std::string> names;
    std::istringstream lines(result.out);
    std::string seq, name;
    for (std::string line; std::getline(lines, line);) {
        std::istringstream fields(line);
        if (fields >> seq >> name) names.insert(name);
    }
    return names;
}

std::string reported(const std::string& name, const std::string& owner) {
    return "NEW_IMAGE " + name + " " + owner + " ";
}

std::chrono::milliseconds left_until(SteadyClock::time_point deadline) {
    return std::max(
        0ms, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now()));
}

// LIST on `connection` (ids from `id` on) until the broker answers anything but
// SERVICE_UNAVAILABLE, or `timeout`: that answer's error code (nullopt: served), or
// SERVICE_UNAVAILABLE still.
std::optional<ErrorCode> list_until_decided(RawClient& connection, std::uint64_t& id,
                                            std::chrono::milliseconds timeout) {
    std::optional<ErrorCode> code = ErrorCode::SERVICE_UNAVAILABLE;
    (void)wait_until(
        [&] {
            code = code_of(connection.call(encode(ListRequest{}, id++), 2s));
            return code != ErrorCode::SERVICE_UNAVAILABLE;
        },
        timeout, "an answer other than SERVICE_UNAVAILABLE", 50ms);
    return code;
}

class RecoveryTest : public ClusterTest {
  protected:
    void SetUp() override {
        alice_ = cluster_.new_user("alice");
        bob_ = cluster_.new_user("bob");
        image_ = cluster_.small_png("image.png");
    }

    // Bob's watcher runs, and has reported a first image, so it is following events.
    ::testing::AssertionResult start_watching(std::vector<std::string> argv) {
        watcher_ = std::make_unique<Process>(std::move(argv), cluster_.dir() / "bob-watcher",
                                             cluster_.client_env());
        auto posted = cluster_.imgshare(alice_, {"post", image_.string(), "--name", "warmup"});
        if (posted.exit_code != 0) {
            return ::testing::AssertionFailure() << "warm-up post: " << posted.err;
        }
        return watcher_->wait_for_output(reported("warmup", "alice"), 15s);
    }
    ::testing::AssertionResult start_imgshare_watch() {
        return start_watching({executable("imgshare-watch").string(), "--home", bob_.string()});
    }

    // Kills a server with `kill` while alice keeps posting, restarts it with `restart`, and
    // holds the watcher to the bound and to reporting every committed image once.
    void crash_and_recover(const std::function<void()>& kill,
                           const std::function<::testing::AssertionResult()>& restart) {
        auto poster = std::make_unique<Poster>(cluster_, alice_, image_);
        ASSERT_TRUE(wait_until([&] { return poster->posted() >= 2; }, 30s, "two posts"));
        kill();
        ASSERT_TRUE(restart());
        const auto up = SteadyClock::now();

        // Served again: an image posted after the restart is reported within the bound.
        std::string heard;
        ASSERT_TRUE(wait_until(
            [&] {
                for (const auto& name : poster->posted_since(up)) {
                    if (watcher_->out().find(reported(name, "alice")) != std::string::npos) {
                        heard = name;
                        return true;
                    }
                }
                return false;
            },
            std::chrono::duration_cast<std::chrono::milliseconds>(kServedAgainWithin),
            "the watcher to report an image posted after the restart", 20ms))
            << "posted since: " << poster->posted_since(up).size() << "\nwatcher stderr:\n"
            << watcher_->err();
        RecordProperty("served_again_after_ms",
                       static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                            SteadyClock::now() - up)
                                            .count()));
        ASSERT_TRUE(wait_until([&] { return poster->posted_since(up).size() >= 3; }, 30s,
                               "three posts after the restart"));
        const auto acknowledged = poster->stop();  // before the feed is read

        // Every committed image (acknowledged or not: a post cut by the crash may have
        // committed) is reported, once.
        auto committed = listed(cluster_, bob_);
        for (const auto& name : acknowledged)
            EXPECT_TRUE(committed.contains(name)) << name << " was acknowledged but not listed";
        std::string missing;
        EXPECT_TRUE(wait_until(
            [&] {
                auto out = watcher_->out();
                for (const auto& name : committed) {
                    if (out.find(reported(name, "alice")) == std::string::npos) {
                        missing = name;
                        return false;
                    }
                }
                return true;
            },
            10s, "the watcher to report every committed image"))
            << missing << " is not reported\nwatcher stderr:\n"
            << watcher_->err();
        auto out = watcher_->out();
        for (const auto& name : committed)
            EXPECT_LE(count_of(out, reported(name, "alice")), 1u) << name << " reported twice";
    }

    fs::path alice_, bob_, image_;
    std::unique_ptr<Process> watcher_;
};

TEST_F(RecoveryTest, AWatcherIsServedAgainSoonAfterTheBrokerIsKilledAndRestarted) {
    ASSERT_TRUE(start_imgshare_watch());
    crash_and_recover([&] { cluster_.kill_broker(); }, [&] { return cluster_.start_broker(); });
}

TEST_F(RecoveryTest, TheWatchCommandIsServedAgainSoonAfterTheCaIsKilledAndRestarted) {
    ASSERT_TRUE(
        start_watching({executable("imgshare").string(), "--home", bob_.string(), "watch"}));
    crash_and_recover([&] { cluster_.kill_ca(); }, [&] { return cluster_.start_ca(); });
}

TEST_F(RecoveryTest, AWatcherIsServedAgainSoonAfterTheStorageNodeIsKilledAndRestarted) {
    ASSERT_TRUE(start_imgshare_watch());
    crash_and_recover([&] { cluster_.kill_storage(); }, [&] { return cluster_.start_storage(); });
}

TEST_F(RecoveryTest, AWatcherStartedWhileTheCaIsDownIsServedSoonAfterItIsBack) {
    cluster_.kill_ca();
    // Both of its connections are admitted unconfirmed (unknown:<key>), its LIST refused.
    auto watcher = cluster_.start_watcher(bob_);
    ASSERT_TRUE(watcher->wait_for_err("the CA could not confirm who you are", 15s));
    ASSERT_TRUE(cluster_.start_ca());
    const auto up = SteadyClock::now();
    ASSERT_EQ(cluster_.imgshare(alice_, {"post", image_.string(), "--name", "after"}).exit_code, 0);
    EXPECT_TRUE(
        watcher->wait_for_output(reported("after", "alice"), left_until(up + kServedAgainWithin)))
        << watcher->err();
}

// imgshare-load's idle clients and subscribers are plain DEALER and SUB sockets: connected
// while the CA is down, they are served as who they are once it is back, on the same
// connection: a user as that user, an unregistered key as anonymous.
TEST_F(RecoveryTest, ConnectionsOpenedWhileTheCaIsDownAreServedOnceItIsBack) {
    const auto bob = load_user(bob_).keys.curve;
    cluster_.kill_ca();
    RawClient idle(cluster_.client_endpoint(), cluster_.broker_public_key(), bob);
    RawClient stranger(cluster_.client_endpoint(), cluster_.broker_public_key());
    Subscriber subscriber(cluster_, bob, {"image"});
    EXPECT_EQ(code_of(idle.call(encode(ListRequest{}, 1))), ErrorCode::SERVICE_UNAVAILABLE);
    EXPECT_EQ(code_of(stranger.call(encode(CaInfoRequest{}, 1))), ErrorCode::SERVICE_UNAVAILABLE);

    ASSERT_TRUE(cluster_.start_ca());
    const auto up = SteadyClock::now();
    std::uint64_t id = 2;
    EXPECT_EQ(list_until_decided(idle, id, kServedAgainWithin), std::nullopt);
    EXPECT_EQ(code_of(stranger.call(encode(CaInfoRequest{}, 2))), std::nullopt);
    EXPECT_EQ(code_of(stranger.call(encode(ListRequest{}, 3))), ErrorCode::NOT_REGISTERED);
    // The subscriber was handed another handshake, and this time it is bob's.
    ASSERT_TRUE(subscriber.wait_until_decided("bob", left_until(up + kServedAgainWithin)));
    ASSERT_EQ(cluster_.imgshare(alice_, {"post", image_.string(), "--name", "after"}).exit_code, 0);
    auto event = subscriber.next(5s);
    ASSERT_TRUE(event) << "the subscriber heard nothing";
    EXPECT_EQ(event->event.name, "after");
}

TEST_F(RecoveryTest, AskingAgainNeverLetsARevokedKeyIn) {
    const auto bob = load_user(bob_).keys.curve;
    cluster_.kill_ca();
    RawClient connection(cluster_.client_endpoint(), cluster_.broker_public_key(), bob);
    Subscriber subscriber(cluster_, bob, {"image"});
    EXPECT_EQ(code_of(connection.call(encode(ListRequest{}, 1))), ErrorCode::SERVICE_UNAVAILABLE);
    // Revoked while the CA is down (the command writes the registry itself).
    auto revoked = run_command(
        {executable("imgshare-ca").string(), "revoke", "bob", "--data-dir", cluster_.ca_dir()});
    ASSERT_EQ(revoked.exit_code, 0) << revoked.err;

    ASSERT_TRUE(cluster_.start_ca());
    std::uint64_t id = 2;
    EXPECT_EQ(list_until_decided(connection, id, kServedAgainWithin), ErrorCode::REVOKED);
    // The subscriber's new handshake is refused, so it hears nothing of what another hears.
    ASSERT_TRUE(cluster_.broker()->wait_for_err("refused a connection: certificate revoked", 10s));
    Subscriber alice(cluster_, load_user(alice_).keys.curve, {"image"});
    ASSERT_TRUE(alice.wait_until_decided("alice"));
    ASSERT_EQ(cluster_.imgshare(alice_, {"post", image_.string(), "--name", "after"}).exit_code, 0);
    ASSERT_TRUE(alice.next(5s)) << "alice heard nothing";
    EXPECT_FALSE(subscriber.next(1s)) << "a revoked subscriber heard an event";
}

}  // namespace
}  // namespace imgshare::testing
