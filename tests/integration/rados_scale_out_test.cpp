// Scale-out on Ceph RADOS with the real processes and a REAL Ceph cluster (IMGSHARE_CEPH_CONF;
// skipped without one): three storage nodes on one pool behind one broker share the requests
// of eight concurrent clients, and one of them killed with SIGKILL under that load costs no
// acknowledged image and at most one retry of a post in flight, and never lists half an
// image; a fourth node started at run time is in the broker's rotation at once (its READY),
// serving requests without waiting for a heartbeat. Each test has a RADOS namespace of its
// own (support/rados_nodes.h).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/support/cluster.h"
#include "tests/integration/support/process.h"
#include "tests/integration/support/rados_nodes.h"
#include "tests/integration/support/wait.h"

namespace imgshare::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr int kClients = 8;

class RadosScaleOutTest : public RadosClusterTest {
  protected:
    void SetUp() override {
        RadosClusterTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) return;
        for (const char* node : {"storage-2", "storage-3"}) {
            extra_.emplace_back();
            ASSERT_TRUE(start_extra_storage_node(*cluster_, node, rados_storage_flags(namespace_),
                                                 extra_.back()));
        }
        alice_ = cluster_->new_user("alice");
        bob_ = cluster_->new_user("bob");
    }

    // The protocol logs of the nodes: the cluster's own first, then storage-2, storage-3, ….
    std::vector<fs::path> node_logs() const {
        std::vector<fs::path> logs{cluster_->storage_dir() / "protocol.log"};
        for (size_t i = 0; i < extra_.size(); ++i) {
            logs.push_back(cluster_->dir() / ("storage-" + std::to_string(i + 2)) /
                           "protocol.log");
        }
        return logs;
    }

    // A new image file `name` of `size` bytes (the seed varies with the name).
    fs::path image_file(const std::string& name, size_t size) {
        auto path = cluster_->dir() / (name + ".png");
        write_large_image(path, size, static_cast<unsigned>(std::hash<std::string>{}(name)));
        files_[name] = path;
        return path;
    }

    // `imgshare post FILE --name NAME` as alice, in the background.
    std::unique_ptr<Process> start_post(const std::string& name) {
        return std::make_unique<Process>(
            std::vector<std::string>{executable("imgshare"), "--home", alice_.string(), "post",
                                     files_.at(name).string(), "--name", name},
            cluster_->dir() / ("post-" + name + "-" + std::to_string(++started_)),
            cluster_->client_env());
    }

    // `imgshare download NAME -o FILE` as bob, in the background; the copy is `copy`.
    std::unique_ptr<Process> start_download(const std::string& name, const fs::path& copy) {
        return std::make_unique<Process>(
            std::vector<std::string>{executable("imgshare"), "--home", bob_.string(),
                                     "download", name, "-o", copy.string()},
            cluster_->dir() / ("download-" + name + "-" + std::to_string(++started_)),
            cluster_->client_env());
    }

    // The image names bob's `imgshare list` shows ("SEQ NAME …" lines), each seq once.
    std::set<std::string> listed() {
        auto result = cluster_->imgshare(bob_, {"list"});
        EXPECT_EQ(result.exit_code, 0) << result.err;
        std::set<std::string> names;
        std::set<std::uint64_t> seqs;
        std::istringstream lines(result.out);
        for (std::string line; std::getline(lines, line);) {
            std::istringstream words(line);
            std::uint64_t seq = 0;
            std::string name;
            if (!(words >> seq >> name)) continue;
            EXPECT_TRUE(seqs.insert(seq).second) << "seq " << seq << " twice:\n" << result.out;
            EXPECT_TRUE(names.insert(name).second) << name << " twice:\n" << result.out;
        }
        return names;
    }

    std::vector<std::unique_ptr<Process>> extra_;
    fs::path alice_, bob_;
    std::map<std::string, fs::path> files_;
    int started_ = 0;
};

TEST_F(RadosScaleOutTest, ThreeNodesServeEightClientsAndOneKilledLosesNoAcknowledgedImage) {
    // Eight clients post at once, small (one chunk) and multi-chunk images.
    std::vector<std::string> first_wave;
    for (int i = 0; i < kClients; ++i) {
        first_wave.push_back("first" + std::to_string(i));
        image_file(first_wave.back(), i % 2 == 0 ? 40'000 : (1u << 20) + 1000 * i);
    }
    std::vector<std::unique_ptr<Process>> posts;
    for (const auto& name : first_wave)
        posts.push_back(start_post(name));
    for (size_t i = 0; i < posts.size(); ++i) {
        ASSERT_TRUE(posts[i]->wait_for_exit(45s)) << first_wave[i];
        ASSERT_EQ(posts[i]->stop(), 0) << first_wave[i] << ": " << posts[i]->err();
    }
    // And eight download at once, each byte for byte.
    std::vector<std::unique_ptr<Process>> downloads;
    for (const auto& name : first_wave)
        downloads.push_back(start_download(name, cluster_->dir() / ("copy-" + name)));
    for (size_t i = 0; i < downloads.size(); ++i) {
        const auto& name = first_wave[i];
        ASSERT_TRUE(downloads[i]->wait_for_exit(45s)) << name;
        ASSERT_EQ(downloads[i]->stop(), 0) << name << ": " << downloads[i]->err();
        EXPECT_TRUE(files_equal(cluster_->dir() / ("copy-" + name), files_.at(name))) << name;
    }
    // Every node served some of it (each is idle now, so its log is flushed).
    const auto logs = node_logs();
    for (const auto& log : logs)
        EXPECT_GT(requests_in_log(log), 0u) << log;

    // A second wave of multi-chunk posts; the first node is killed once it serves them.
    std::vector<std::string> second_wave;
    for (int i = 0; i < kClients; ++i) {
        second_wave.push_back("second" + std::to_string(i));
        image_file(second_wave.back(), (1u << 20) + 300'000 + 1000 * i);
    }
    const auto served_before = requests_in_log(logs[0]);
    posts.clear();
    for (const auto& name : second_wave)
        posts.push_back(start_post(name));
    ASSERT_TRUE(wait_until([&] { return requests_in_log(logs[0]) > served_before; }, 30s,
                           "the second wave's requests at the first node"));
    cluster_->kill_storage();

    // While the rest go on, whatever is listed is whole: it downloads byte for byte.
    for (const auto& name : listed()) {
        ASSERT_TRUE(files_.contains(name)) << name;
        EXPECT_TRUE(cluster_->download_matches(bob_, name, files_.at(name))) << name;
    }
    // Every post ends first: a retry beside posts still under way could meet their pending
    // uploads at its node (4 per user) and be refused for that, not for the kill.
    std::vector<int> exit_codes;
    for (size_t i = 0; i < posts.size(); ++i) {
        ASSERT_TRUE(posts[i]->wait_for_exit(45s)) << second_wave[i];
        exit_codes.push_back(posts[i]->stop());
    }
    int acknowledged = 0, retried = 0;
    for (size_t i = 0; i < posts.size(); ++i) {
        const auto& name = second_wave[i];
        if (exit_codes[i] == 0) {
            ++acknowledged;
            continue;
        }
        // Cut by the killed node: the client's resume (the same post again) finishes it on
        // the others, the first time.
        ++retried;
        auto again = cluster_->imgshare(alice_, {"post", files_.at(name).string(), "--name",
                                                 name});
        EXPECT_EQ(again.exit_code, 0) << name << ": " << again.err << posts[i]->err();
    }
    std::cout << "second wave: " << acknowledged << " acknowledged at once, " << retried
              << " after one retry\n";

    // Everything posted is listed, nothing else, and downloads byte for byte.
    std::set<std::string> every_name;
    for (const auto& [name, file] : files_)
        every_name.insert(name);
    EXPECT_EQ(listed(), every_name);
    for (const auto& [name, file] : files_) {
        EXPECT_TRUE(cluster_->download_matches(bob_, name, file)) << name;
    }
    for (size_t i = 1; i < logs.size(); ++i)
        EXPECT_GT(requests_in_log(logs[i]), 0u) << logs[i];
}

TEST_F(RadosScaleOutTest, AFourthNodeStartedAtRunTimeServesAtOnce) {
    image_file("before", 40'000);
    ASSERT_EQ(cluster_->imgshare(alice_, {"post", files_.at("before").string(), "--name",
                                          "before"})
                  .exit_code,
              0);
    extra_.emplace_back();
    ASSERT_TRUE(start_extra_storage_node(*cluster_, "storage-4", rados_storage_flags(namespace_),
                                         extra_.back()));
    const auto fourth = node_logs().back();
    ASSERT_EQ(requests_in_log(fourth), 0u);
    // The broker hands requests round robin to the live workers from their READY on: of the
    // next four (one per node), one is the new node's — no heartbeat needs to pass first.
    for (int i = 0; i < 4; ++i) {
        auto listing = cluster_->imgshare(bob_, {"list"});
        ASSERT_EQ(listing.exit_code, 0) << listing.err;
        EXPECT_NE(listing.out.find("before"), std::string::npos) << listing.out;
    }
    EXPECT_TRUE(wait_until([&] { return requests_in_log(fourth) > 0; }, 5s,
                           "a request at the fourth node"));
    // What it serves is the pool's: an image posted before it started downloads through it
    // as through any other.
    for (int i = 0; i < 4; ++i) {
        EXPECT_TRUE(cluster_->download_matches(bob_, "before", files_.at("before")));
    }
}

}  // namespace
}  // namespace imgshare::testing
