// The broker's memory bound under floods of huge multipart messages (issue #25): libzmq
// 4.3 holds a multipart message whole before the broker sees any of it, so the bound is
// the deploy scripts' (docs/SECURITY.md, section 5): deploy/cluster.sh runs the broker
// under a kernel-enforced memory limit (deploy/memory-limit.sh) and starts it again when
// it is killed (deploy/supervise.sh). Unregistered CURVE connections, 5 and then 50, each
// send one message of 200 frames of 1 MiB; the broker's resident memory must never pass
// 256 MiB (it is killed at its limit, 240 MiB, instead), it must be back, a watcher and a
// poster must be served again within 5 s of each restart, and nothing acknowledged may be
// lost.
//
// Without a memory cgroup to use (deploy/memory-limit.sh check says "none: ...") the test
// is skipped, with that reason.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include <zmq.hpp>

#include "common/protocol/codec.h"
#include "common/protocol/limits.h"
#include "tests/integration/support/recovery_bound.h"
#include "tests/integration/support/cluster.h"
#include "tests/integration/support/deployed_cluster.h"
#include "tests/integration/support/raw_client.h"
#include "tests/integration/support/wait.h"

namespace imgshare::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

// The group's limit counts what is charged to it: the broker's own memory. Its shared
// libraries' pages (about 8 MiB resident) were charged to whoever loaded them first, so the
// resident size may pass the limit by that much; 240 MiB (cluster.sh's default) keeps it
// under the bound of issue #25, 256 MiB.
constexpr long kLimitBytes = 240L * 1024 * 1024;
constexpr long kResidentBound = 256L * 1024 * 1024;
constexpr int kFramesPerMessage = 200;

// VmHWM of /proc/PID/status in bytes: the most the process has held resident; 0 once gone.
long peak_resident_bytes(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(status, line);) {
        if (line.starts_with("VmHWM:")) return std::stol(line.substr(6)) * 1024;
    }
    return 0;
}

// How many times the kernel's OOM killer has acted in the limit's group: "oom_kill N" in
// memory.oom_control (cgroup v1) or memory.events (v2); nullopt for systemd-run's scope.
std::optional<long> oom_kills(const std::string& limit) {
    std::istringstream fields(limit);
    std::string bytes, how, dir;
    fields >> bytes >> how >> dir;
    fs::path file;
    if (how == "cgroup1") file = fs::path(dir) / "memory.oom_control";
    if (how == "cgroup2") file = fs::path(dir) / "memory.events";
    if (file.empty()) return std::nullopt;
    std::ifstream events(file);
    for (std::string key; events >> key;) {
        long value = 0;
        events >> value;
        if (key == "oom_kill") return value;
    }
    return std::nullopt;
}

// Fresh-key CURVE connections, each sending one message of a header, a body and 200 frames
// of 1 MiB. The frames all point at one buffer (zero-copy), so the flood costs the test
// almost nothing while the broker must hold every frame it receives.
class HugeMessageFlood {
  public:
    HugeMessageFlood(const DeployedCluster& cluster, int connections)
        : chunk_(kMaxChunkBytes, 0x5a), context_(1) {
        for (int i = 0; i < connections; ++i) {
            auto socket = stranger_socket(context_, cluster.broker_public_key());
            socket.connect(cluster.client_endpoint());
            for (const auto& frame : encode(CaInfoRequest{}, 1))
                socket.send(zmq::buffer(frame), zmq::send_flags::sndmore);
            for (int f = 0; f < kFramesPerMessage; ++f) {
                zmq::message_t shared(chunk_.data(), chunk_.size(), nullptr, nullptr);
                socket.send(shared, f + 1 < kFramesPerMessage ? zmq::send_flags::sndmore
                                                              : zmq::send_flags::none);
            }
            sockets_.push_back(std::move(socket));
        }
    }

  private:
    Bytes chunk_;  // before the context: the queued frames point into it
    zmq::context_t context_;
    std::vector<zmq::socket_t> sockets_;
};

// The highest VmHWM of every broker the pid file named while it ran.
class PeakSampler {
  public:
    explicit PeakSampler(const DeployedCluster& cluster)
        : thread_([this, &cluster](const std::stop_token& stop) {
              while (!stop.stop_requested()) {
                  if (auto pid = cluster.broker_pid()) {
                      long peak = peak_resident_bytes(*pid);
                      if (peak > peak_) peak_ = peak;
                  }
                  std::this_thread::sleep_for(5ms);  // a sampling period, not a wait
              }
          }) {}
    long peak() const { return peak_; }

  private:
    std::atomic<long> peak_ = 0;
    std::jthread thread_;
};

std::string reported(const std::string& name) {
    return "NEW_IMAGE " + name + " alice ";
}

class MemoryFloodTest : public ::testing::Test {
  protected:
    void SetUp() override {
#if defined(__SANITIZE_ADDRESS__)
        // AddressSanitizer's shadow memory and quarantine are charged to the broker's group:
        // a 240 MiB bound measures ASan, not the broker. The regular suite runs this test.
        GTEST_SKIP() << "a memory bound is not meaningful in an AddressSanitizer build";
#endif
        ASSERT_TRUE(cluster_.up());
        limit_ = cluster_.broker_memory_limit();
        if (limit_.starts_with("none")) GTEST_SKIP() << "no memory limit here: " << limit_;
        ASSERT_EQ(limit_.substr(0, limit_.find(' ')), std::to_string(kLimitBytes));
        alice_ = cluster_.new_user("alice");
        auto bob = cluster_.new_user("bob");
        image_ = cluster_.dir() / "image.png";
        write_small_png(image_);
        watcher_ = cluster_.start_watcher(bob);
        ASSERT_TRUE(post("before"));
        ASSERT_TRUE(watcher_->wait_for_output(reported("before"), 15s)) << watcher_->err();
    }

    ::testing::AssertionResult post(const std::string& name) {
        auto result = cluster_.imgshare(alice_, {"post", image_.string(), "--name", name}, 30s);
        if (result.exit_code != 0) return ::testing::AssertionFailure() << result.err;
        acknowledged_.push_back(name);
        return ::testing::AssertionSuccess();
    }

    // `connections` flooders; the broker must be killed at its limit and started again, and
    // alice and bob's watcher served again within kServedAgainWithin.
    void flood_and_recover(int connections) {
        auto killed_before = oom_kills(limit_);
        auto first = cluster_.broker_pid();
        ASSERT_TRUE(first.has_value());
        PeakSampler sampler(cluster_);
        auto flood = std::make_unique<HugeMessageFlood>(cluster_, connections);
        ASSERT_TRUE(wait_until(
            [&] {
                auto now = cluster_.broker_pid();
                return now && *now != *first;
            },
            60s, "the broker to be killed and started again", 5ms))
            << "peak resident " << sampler.peak() / 1024 << " kB\n"
            << cluster_.broker_err();
        const auto up = SteadyClock::now();
        flood.reset();  // no more attempts: what follows is about the users

        // Served again: a list, and a post the watcher reports, all within the bound.
        const std::string name = "after-" + std::to_string(connections);
        bool listed = false, posted = false;
        EXPECT_TRUE(wait_until(
            [&] {
                if (!listed) listed = cluster_.imgshare(alice_, {"list"}, 5s).exit_code == 0;
                if (listed && !posted) posted = post(name);
                return posted && watcher_->out().find(reported(name)) != std::string::npos;
            },
            std::chrono::duration_cast<std::chrono::milliseconds>(kServedAgainWithin),
            "alice's list and post, and bob's watcher reporting it", 20ms))
            << "listed " << listed << ", posted " << posted << "\nwatcher stderr:\n"
            << watcher_->err();
        RecordProperty("served_again_after_ms_" + std::to_string(connections),
                       static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                            SteadyClock::now() - up)
                                            .count()));

        EXPECT_LT(sampler.peak(), kResidentBound) << "the broker held more than the bound";
        RecordProperty("peak_resident_kb_" + std::to_string(connections),
                       static_cast<int>(sampler.peak() / 1024));
        if (killed_before) {
            EXPECT_GT(oom_kills(limit_).value_or(0), *killed_before)
                << "the broker was not killed at its memory limit:\n"
                << cluster_.broker_err();
        }
        EXPECT_NE(cluster_.broker_err().find("was killed by signal 9"), std::string::npos)
            << cluster_.broker_err();
    }

    DeployedCluster cluster_{{{"IMGSHARE_BROKER_MEMORY_MAX", "240M"}}};
    std::string limit_;
    fs::path alice_, image_;
    std::unique_ptr<Process> watcher_;
    std::vector<std::string> acknowledged_;
};

TEST_F(MemoryFloodTest, HugeMessagesGetTheBrokerKilledAtItsLimitAndUsersAreServedAgain) {
    flood_and_recover(5);
    flood_and_recover(50);
    auto list = cluster_.imgshare(alice_, {"list"});
    ASSERT_EQ(list.exit_code, 0) << list.err;
    std::set<std::string> listed;
    std::istringstream lines(list.out);
    for (std::string line, seq, name; std::getline(lines, line);) {
        if (std::istringstream(line) >> seq >> name) listed.insert(name);
    }
    for (const auto& name : acknowledged_)
        EXPECT_TRUE(listed.contains(name)) << name << " was acknowledged and is lost";
}

}  // namespace
}  // namespace imgshare::testing
