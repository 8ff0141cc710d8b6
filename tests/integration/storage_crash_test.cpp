// What a killed storage node (SIGKILL, no chance to flush or close) keeps: every
// image whose commit was acknowledged, whole. Large images reach the disk
// without RocksDB's write-ahead log (docs/STORAGE.md), so this is the test that
// their commit waits for their chunks.
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/integration/support/cluster_fixture.h"

namespace imgshare::testing {
namespace {

using namespace std::chrono_literals;

class StorageCrashTest : public ClusterTest {};

TEST_F(StorageCrashTest, AcknowledgedPostsSurviveAKilledStorageNodeByteForByte) {
    auto alice = cluster_.new_user("alice");
    auto bob = cluster_.new_user("bob");
    auto small = cluster_.small_png("small.png");
    auto large = cluster_.dir() / "large.png";
    write_large_image(large, 6u << 20);  // past the unlogged threshold and one memtable
    ASSERT_EQ(cluster_.imgshare(alice, {"post", small.string(), "--name", "small"}).exit_code, 0);
    auto posted = cluster_.imgshare(alice, {"post", large.string(), "--name", "large"});
    ASSERT_EQ(posted.exit_code, 0) << posted.err;

    cluster_.kill_storage();
    ASSERT_TRUE(cluster_.start_storage());

    for (const auto& [name, original] : {std::pair{"small", small}, std::pair{"large", large}}) {
        EXPECT_TRUE(cluster_.download_matches(bob, name, original)) << name;
    }
}

}  // namespace
}  // namespace imgshare::testing
