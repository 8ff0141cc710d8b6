// What a killed storage node (SIGKILL, no chance to flush or close) keeps: every
// image whose commit was acknowledged, whole. Large images reach the disk
// without RocksDB's write-ahead log (docs/STORAGE.md), so this is the test that
// their commit waits for their chunks.
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/integration/support/cluster.h"

namespace imgshare::testing {
namespace {

using namespace std::chrono_literals;

class StorageCrashTest : public ::testing::Test {
  protected:
    Cluster cluster_;
};

TEST_F(StorageCrashTest, AcknowledgedPostsSurviveAKilledStorageNodeByteForByte) {
    auto alice = cluster_.new_user("alice");
    auto bob = cluster_.new_user("bob");
    auto small = cluster_.dir() / "small.png";
    write_small_png(small);
    auto large = cluster_.dir() / "large.png";
    write_large_image(large, 6u << 20);  // past the unlogged threshold and one memtable
    ASSERT_EQ(cluster_.imgshare(alice, {"post", small.string(), "--name", "small"}).exit_code, 0);
    auto posted = cluster_.imgshare(alice, {"post", large.string(), "--name", "large"});
    ASSERT_EQ(posted.exit_code, 0) << posted.err;

    cluster_.kill_storage();
    cluster_.start_storage();
    ASSERT_TRUE(cluster_.wait_for_service("storage", 2));

    for (const auto& [name, original] : {std::pair{"small", small}, std::pair{"large", large}}) {
        auto copy = cluster_.dir() / (std::string(name) + "-copy.png");
        auto downloaded = cluster_.imgshare(bob, {"download", name, "-o", copy.string()});
        ASSERT_EQ(downloaded.exit_code, 0) << name << ": " << downloaded.err;
        EXPECT_TRUE(files_equal(copy, original)) << name;
    }
}

}  // namespace
}  // namespace imgshare::testing
