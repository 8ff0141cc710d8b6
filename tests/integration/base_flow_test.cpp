// The five features end to end, across the real processes: register, post,
// notification to watchers, download, verify.
#include <gtest/gtest.h>

#include <filesystem>
#include <utility>

#include "tests/integration/support/cluster_fixture.h"

namespace imgshare::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class BaseFlowTest : public ClusterTest {};

TEST_F(BaseFlowTest, PostNotifiesTwoWatchersWhoDownloadAndVerifyTheSameBytes) {
    auto alice = cluster_.new_user("alice");
    auto bob = cluster_.new_user("bob");
    auto carol = cluster_.new_user("carol");
    auto bob_inbox = cluster_.dir() / "bob-inbox";
    auto carol_inbox = cluster_.dir() / "carol-inbox";
    fs::create_directories(bob_inbox);
    fs::create_directories(carol_inbox);
    auto bob_watch = cluster_.start_watcher(bob, {"--download", bob_inbox.string()});
    auto carol_watch = cluster_.start_watcher(carol, {"--download", carol_inbox.string()});
    const std::pair<Process*, fs::path> watchers[] = {{bob_watch.get(), bob_inbox},
                                                      {carol_watch.get(), carol_inbox}};
    // A watcher is listening once it has reported a first post (it catches up with LIST
    // whenever its subscription connects): what follows reaches it as a notification.
    auto warmup = cluster_.small_png("warmup.png");
    ASSERT_EQ(cluster_.imgshare(alice, {"post", warmup.string()}).exit_code, 0);
    for (const auto& [watch, inbox] : watchers)
        ASSERT_TRUE(watch->wait_for_output("downloaded warmup", 30s)) << watch->err();

    auto image = cluster_.small_png("cat.png");
    auto posted = cluster_.imgshare(alice, {"post", image.string()});
    ASSERT_EQ(posted.exit_code, 0) << posted.err;
    EXPECT_NE(posted.out.find("posted cat"), std::string::npos) << posted.out;

    for (const auto& [watch, inbox] : watchers) {
        ASSERT_TRUE(watch->wait_for_output("NEW_IMAGE cat alice", 15s))
            << watch->out() << watch->err();
        // --download fetches and verifies; it says so once the file is in place.
        ASSERT_TRUE(watch->wait_for_output("downloaded cat from alice", 15s)) << watch->err();
        EXPECT_TRUE(files_equal(inbox / "cat.png", image))
            << "no verified copy of cat in " << inbox;
    }

    EXPECT_TRUE(cluster_.download_matches(bob, "cat", image));
}

TEST_F(BaseFlowTest, TwentyMebibyteImageRoundTripsByteForByte) {
    auto alice = cluster_.new_user("alice");
    auto bob = cluster_.new_user("bob");
    auto image = cluster_.dir() / "big.png";
    write_large_image(image, 20u << 20);
    auto posted = cluster_.imgshare(alice, {"post", image.string(), "--name", "big"});
    ASSERT_EQ(posted.exit_code, 0) << posted.err;
    EXPECT_TRUE(cluster_.download_matches(bob, "big", image));
}

TEST_F(BaseFlowTest, ListShowsPostsInFeedOrder) {
    auto alice = cluster_.new_user("alice");
    auto image = cluster_.small_png("a.png");
    ASSERT_EQ(cluster_.imgshare(alice, {"post", image.string(), "--name", "first"}).exit_code, 0);
    ASSERT_EQ(cluster_.imgshare(alice, {"post", image.string(), "--name", "second"}).exit_code, 0);
    auto listed = cluster_.imgshare(alice, {"list"});
    ASSERT_EQ(listed.exit_code, 0) << listed.err;
    auto first = listed.out.find("first");
    auto second = listed.out.find("second");
    ASSERT_NE(first, std::string::npos) << listed.out;
    ASSERT_NE(second, std::string::npos) << listed.out;
    EXPECT_LT(first, second);
    auto after = cluster_.imgshare(alice, {"list", "--after", "1"});
    EXPECT_EQ(after.out.find("first"), std::string::npos) << after.out;
    EXPECT_NE(after.out.find("second"), std::string::npos) << after.out;
}

TEST_F(BaseFlowTest, WhoamiAndWhoisShowVerifiedCertificates) {
    auto alice = cluster_.new_user("alice");
    cluster_.new_user("bob");
    auto me = cluster_.imgshare(alice, {"whoami"});
    ASSERT_EQ(me.exit_code, 0) << me.err;
    EXPECT_NE(me.out.find("alice"), std::string::npos);
    auto bob = cluster_.imgshare(alice, {"whois", "bob"});
    ASSERT_EQ(bob.exit_code, 0) << bob.err;
    EXPECT_NE(bob.out.find("bob"), std::string::npos);
    auto nobody = cluster_.imgshare(alice, {"whois", "nobody"});
    EXPECT_NE(nobody.exit_code, 0);
    EXPECT_NE(nobody.err.find("error: NOT_FOUND"), std::string::npos) << nobody.err;
}

}  // namespace
}  // namespace imgshare::testing
