// The owner's controls across the real processes (issue #21): `share --revoke` takes a
// reader back (watcher told, later downloads NOT_FOUND, nothing written), `post --expires`
// makes an image vanish on time, `post --max-downloads N` serves exactly N complete
// downloads to 32 readers downloading at once, and the node's --max-expiry and
// --default-expiry bound what it keeps.
#include <gtest/gtest.h>

#include <filesystem>
#include <future>

#include "tests/integration/support/cluster_fixture.h"
#include "tests/integration/support/wait.h"

namespace imgshare::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

bool lists(Cluster& cluster, const fs::path& home, const std::string& name) {
    auto listed = cluster.imgshare(home, {"list"});
    return listed.exit_code == 0 && listed.out.find(" " + name + " ") != std::string::npos;
}

class OwnerControlsTest : public ClusterTest {};

TEST_F(OwnerControlsTest, ARevokedReaderIsToldAndCanNoLongerDownload) {
    auto alice = cluster_.new_user("alice");
    auto bob = cluster_.new_user("bob");
    auto carol = cluster_.new_user("carol");
    auto bob_watch = cluster_.start_watcher(bob);
    auto image = cluster_.small_png("secret.png");
    ASSERT_EQ(cluster_.imgshare(alice, {"post", image.string(), "--to", "bob,carol"}).exit_code,
              0);
    ASSERT_TRUE(bob_watch->wait_for_output("NEW_IMAGE secret alice", 30s)) << bob_watch->err();
    ASSERT_TRUE(cluster_.download_matches(bob, "secret", image));

    // Only the owner may, and never of herself.
    auto by_bob = cluster_.imgshare(bob, {"share", "secret", "--revoke", "carol"});
    EXPECT_TRUE(has_error(by_bob, "FORBIDDEN")) << by_bob.err;
    auto herself = cluster_.imgshare(alice, {"share", "secret", "--revoke", "alice"});
    EXPECT_TRUE(has_error(herself, "BAD_REQUEST")) << herself.err;
    auto both = cluster_.imgshare(alice, {"share", "secret", "--with", "x", "--revoke", "bob"});
    EXPECT_NE(both.exit_code, 0);

    auto revoked = cluster_.imgshare(alice, {"share", "secret", "--revoke", "bob"});
    ASSERT_EQ(revoked.exit_code, 0) << revoked.err;
    EXPECT_NE(revoked.out.find("revoked bob from secret (readers alice,carol"), std::string::npos)
        << revoked.out;
    EXPECT_NE(revoked.out.find("cannot be recalled"), std::string::npos) << revoked.out;
    ASSERT_TRUE(bob_watch->wait_for_output("IMAGE_DELETED secret alice", 15s))
        << bob_watch->out() << bob_watch->err();

    EXPECT_FALSE(lists(cluster_, bob, "secret"));
    auto out_dir = cluster_.dir() / "bob-out";
    fs::create_directories(out_dir);
    auto refused = cluster_.imgshare(bob, {"download", "secret", "-o", out_dir.string()});
    EXPECT_TRUE(has_error(refused, "NOT_FOUND")) << refused.err;
    EXPECT_TRUE(fs::is_empty(out_dir));
    EXPECT_TRUE(cluster_.download_matches(carol, "secret", image));
    auto again = cluster_.imgshare(alice, {"share", "secret", "--revoke", "bob"});
    ASSERT_EQ(again.exit_code, 0) << again.err;
    EXPECT_NE(again.out.find("none of them reads secret"), std::string::npos) << again.out;

    // Added back, bob reads it again (the newest revision, signed anew).
    ASSERT_EQ(cluster_.imgshare(alice, {"share", "secret", "--with", "bob"}).exit_code, 0);
    EXPECT_TRUE(cluster_.download_matches(bob, "secret", image));
}

TEST_F(OwnerControlsTest, AnExpiringImageVanishesOnTime) {
    auto alice = cluster_.new_user("alice");
    auto bob = cluster_.new_user("bob");
    auto image = cluster_.small_png("brief.png");
    auto posted = cluster_.imgshare(alice, {"post", image.string(), "--expires", "6s"});
    ASSERT_EQ(posted.exit_code, 0) << posted.err;
    EXPECT_NE(posted.out.find("expires 20"), std::string::npos) << posted.out;
    ASSERT_EQ(cluster_.imgshare(alice, {"post", image.string(), "--name", "lasting",
                                        "--expires", "1h"})
                  .exit_code,
              0);
    auto listed = cluster_.imgshare(bob, {"list"});
    EXPECT_NE(listed.out.find("lasting alice"), std::string::npos) << listed.out;
    EXPECT_NE(listed.out.find("expires=20"), std::string::npos) << listed.out;
    auto bad = cluster_.imgshare(alice, {"post", image.string(), "--name", "x", "--expires",
                                         "soon"});
    EXPECT_TRUE(has_error(bad, "BAD_REQUEST")) << bad.err;

    ASSERT_TRUE(wait_until([&] { return !lists(cluster_, bob, "brief"); }, 30s,
                           "the expired image to leave bob's list"));
    auto out_dir = cluster_.dir() / "bob-out";
    fs::create_directories(out_dir);
    auto refused = cluster_.imgshare(bob, {"download", "brief", "-o", out_dir.string()});
    EXPECT_TRUE(has_error(refused, "NOT_FOUND")) << refused.err;
    EXPECT_TRUE(fs::is_empty(out_dir));
    EXPECT_TRUE(lists(cluster_, bob, "lasting"));
}

TEST_F(OwnerControlsTest, ThirtyTwoReadersAtOnceGetExactlyTheDownloadsAllowed) {
    auto alice = cluster_.new_user("alice");
    std::vector<fs::path> readers;
    for (const char* name : {"bob", "carol", "dave", "erin"})
        readers.push_back(cluster_.new_user(name));
    auto image = cluster_.dir() / "big.png";
    write_large_image(image, 3'000'000);  // several chunks: readers overlap mid-download
    auto posted = cluster_.imgshare(alice, {"post", image.string(), "--max-downloads", "2"});
    ASSERT_EQ(posted.exit_code, 0) << posted.err;
    auto listed = cluster_.imgshare(readers[0], {"list"});
    EXPECT_NE(listed.out.find("downloads-left=2"), std::string::npos) << listed.out;

    constexpr int kDownloads = 32;
    std::vector<std::future<CommandResult>> running;
    std::vector<fs::path> out_dirs;
    for (int i = 0; i < kDownloads; ++i) {
        out_dirs.push_back(cluster_.dir() / ("out-" + std::to_string(i)));
        fs::create_directories(out_dirs.back());
        running.push_back(std::async(std::launch::async, [&, i] {
            return cluster_.imgshare(readers[i % readers.size()],
                                     {"download", "big", "-o", out_dirs[i].string()}, 120s);
        }));
    }
    int served = 0;
    for (int i = 0; i < kDownloads; ++i) {
        auto result = running[i].get();
        if (result.exit_code == 0) {
            ++served;
            EXPECT_TRUE(files_equal(out_dirs[i] / "big.png", image)) << i;
        } else {
            EXPECT_TRUE(has_error(result, "NOT_FOUND")) << i << ": " << result.err;
            EXPECT_TRUE(fs::is_empty(out_dirs[i])) << i << ": a refused download left a file";
        }
    }
    EXPECT_EQ(served, 2);
    EXPECT_FALSE(lists(cluster_, readers[0], "big"));
    EXPECT_FALSE(lists(cluster_, alice, "big"));
}

class NodeExpiryTest : public ::testing::Test {
  protected:
    static ClusterOptions bounded() {
        ClusterOptions options;
        options.storage_args = {"--max-expiry", "1d", "--default-expiry", "12h"};
        return options;
    }
    Cluster cluster_{bounded()};
};

TEST_F(NodeExpiryTest, TheNodeRefusesALaterExpiryAndGivesItsDefaultToTheRest) {
    auto alice = cluster_.new_user("alice");
    auto image = cluster_.small_png("cat.png");
    auto refused = cluster_.imgshare(alice, {"post", image.string(), "--expires", "7d"});
    EXPECT_TRUE(has_error(refused, "TOO_LARGE")) << refused.err;
    EXPECT_NE(refused.err.find("--max-expiry"), std::string::npos) << refused.err;
    ASSERT_EQ(cluster_.imgshare(alice, {"post", image.string()}).exit_code, 0);
    auto listed = cluster_.imgshare(alice, {"--json", "list"});
    EXPECT_NE(listed.out.find("\"expires_at\""), std::string::npos) << listed.out;
}

}  // namespace
}  // namespace imgshare::testing
