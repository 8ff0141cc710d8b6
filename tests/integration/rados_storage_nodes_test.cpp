// Storage nodes on Ceph RADOS (`imgshare-storage run --backend rados`), with the real
// broker, CA, clients and a REAL Ceph cluster (IMGSHARE_CEPH_CONF; skipped without one):
// posts and downloads end to end, and two nodes over one pool — both serve, and one killed
// with SIGKILL under load loses no acknowledged image. Each test keeps its objects in a RADOS
// namespace of its own (--pool-namespace), so runs never meet.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "tests/integration/support/cluster.h"
#include "tests/integration/support/process.h"
#include "tests/integration/support/rados_nodes.h"
#include "tests/integration/support/wait.h"

namespace imgshare::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class RadosStorageNodesTest : public RadosClusterTest {
  protected:
    // Another storage node over the same pool and namespace.
    ::testing::AssertionResult start_second_node() {
        return start_extra_storage_node(*cluster_, "storage-2", rados_storage_flags(namespace_),
                                        second_);
    }

    std::unique_ptr<Process> second_;
};

TEST_F(RadosStorageNodesTest, PostsAreListedAndDownloadByteForByteFromRados) {
    auto alice = cluster_->new_user("alice");
    auto bob = cluster_->new_user("bob");
    auto small = cluster_->small_png("small.png");
    auto large = cluster_->dir() / "large.png";
    write_large_image(large, 3u << 20);  // several chunks, each its own object
    ASSERT_EQ(cluster_->imgshare(alice, {"post", small.string(), "--name", "small"}).exit_code, 0);
    auto posted = cluster_->imgshare(alice, {"post", large.string(), "--name", "large"});
    ASSERT_EQ(posted.exit_code, 0) << posted.err;
    auto again = cluster_->imgshare(bob, {"post", small.string(), "--name", "small"});
    EXPECT_TRUE(has_error(again, "NAME_TAKEN")) << again.err;

    auto listed = cluster_->imgshare(bob, {"list"});
    ASSERT_EQ(listed.exit_code, 0) << listed.err;
    EXPECT_NE(listed.out.find("small"), std::string::npos) << listed.out;
    EXPECT_NE(listed.out.find("large"), std::string::npos) << listed.out;
    EXPECT_TRUE(cluster_->download_matches(bob, "small", small));
    EXPECT_TRUE(cluster_->download_matches(bob, "large", large));

    // The node's state is the pool's: a restarted node (here: killed) serves it all.
    cluster_->kill_storage();
    ASSERT_TRUE(cluster_->start_storage());
    EXPECT_TRUE(cluster_->download_matches(bob, "large", large));
}

TEST_F(RadosStorageNodesTest, TwoNodesOnOnePoolBothServeAndAKilledOneLosesNoAcknowledgedImage) {
    ASSERT_TRUE(start_second_node());
    auto alice = cluster_->new_user("alice");
    auto bob = cluster_->new_user("bob");
    constexpr int kImages = 12;
    std::vector<fs::path> originals;
    for (int i = 0; i < kImages; ++i) {
        originals.push_back(cluster_->dir() / ("image" + std::to_string(i) + ".png"));
        write_large_image(originals.back(), 300'000 + 1000 * i, static_cast<unsigned>(i + 1));
    }
    // Posts in flight from several clients at once; the first node is killed among them,
    // once it has served some of their requests.
    const auto first_log = cluster_->storage_dir() / "protocol.log";
    const auto first_before = requests_in_log(first_log);
    std::vector<std::unique_ptr<Process>> posts;
    for (int i = 0; i < kImages; ++i) {
        std::vector<std::string> argv{executable("imgshare"), "--home", alice.string(), "post",
                                      originals[i].string(), "--name", "image" + std::to_string(i)};
        posts.push_back(std::make_unique<Process>(
            argv, cluster_->dir() / ("post-" + std::to_string(i)), cluster_->client_env()));
    }
    ASSERT_TRUE(wait_until([&] { return requests_in_log(first_log) > first_before; }, 30s,
                           "requests of the posts at the first node"));
    cluster_->kill_storage();
    int acknowledged = 0;
    for (int i = 0; i < kImages; ++i) {
        ASSERT_TRUE(posts[i]->wait_for_exit(std::chrono::seconds(90))) << i;
        if (posts[i]->stop() == 0) {
            ++acknowledged;
            continue;
        }
        // Cut by the killed node: one retry finishes it on the other.
        auto retried = cluster_->imgshare(alice, {"post", originals[i].string(), "--name",
                                                  "image" + std::to_string(i)});
        EXPECT_EQ(retried.exit_code, 0) << i << ": " << retried.err << posts[i]->err();
    }
    EXPECT_GT(acknowledged, 0);
    for (int i = 0; i < kImages; ++i) {
        EXPECT_TRUE(cluster_->download_matches(bob, "image" + std::to_string(i), originals[i]))
            << i;
    }
    auto listed = cluster_->imgshare(bob, {"list"});
    ASSERT_EQ(listed.exit_code, 0) << listed.err;
    for (int i = 0; i < kImages; ++i) {
        EXPECT_NE(listed.out.find("image" + std::to_string(i)), std::string::npos) << i;
    }
    // Both served: the first before it was killed (above), the second the rest.
    EXPECT_GT(requests_in_log(cluster_->dir() / "storage-2" / "protocol.log"), 0u);
}

}  // namespace
}  // namespace imgshare::testing
