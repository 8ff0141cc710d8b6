// DELETE across the real processes (issue #21): the owner's `imgshare delete`, what every
// watcher it was announced to hears, and what a captured, forged or misdirected statement
// gets through the real broker and storage node.
#include <gtest/gtest.h>

#include <filesystem>

#include "common/clock.h"
#include "common/deletion.h"
#include "tests/integration/support/cluster_fixture.h"
#include "tests/integration/support/raw_client.h"
#include "tests/integration/support/signed_requests.h"

namespace imgshare::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class ImageDeletionTest : public ClusterTest {
  protected:
    RawClient raw(const fs::path& home) {
        return RawClient(cluster_.client_endpoint(), cluster_.broker_public_key(),
                         load_user(home).keys.curve);
    }
};

TEST_F(ImageDeletionTest, TheOwnerDeletesAndEveryWatcherHearsNobodyReadsItAndTheNameIsFree) {
    auto alice = cluster_.new_user("alice");
    auto bob = cluster_.new_user("bob");
    auto bob_watch = cluster_.start_watcher(bob);
    auto image = cluster_.small_png("cat.png");
    ASSERT_EQ(cluster_.imgshare(alice, {"post", image.string()}).exit_code, 0);
    ASSERT_TRUE(bob_watch->wait_for_output("NEW_IMAGE cat alice", 30s)) << bob_watch->err();

    auto intruder = cluster_.imgshare(bob, {"delete", "cat"});
    EXPECT_EQ(intruder.exit_code, 1);
    EXPECT_NE(intruder.err.find("error: FORBIDDEN"), std::string::npos) << intruder.err;

    auto deleted = cluster_.imgshare(alice, {"delete", "cat"});
    ASSERT_EQ(deleted.exit_code, 0) << deleted.err;
    EXPECT_NE(deleted.out.find("deleted cat"), std::string::npos) << deleted.out;
    EXPECT_NE(deleted.out.find("cannot be recalled"), std::string::npos) << deleted.out;
    ASSERT_TRUE(bob_watch->wait_for_output("IMAGE_DELETED cat alice", 15s))
        << bob_watch->out() << bob_watch->err();

    auto listed = cluster_.imgshare(bob, {"list"});
    ASSERT_EQ(listed.exit_code, 0) << listed.err;
    EXPECT_EQ(listed.out.find("cat"), std::string::npos) << listed.out;
    auto out_dir = cluster_.dir() / "bob-out";
    fs::create_directories(out_dir);
    auto download = cluster_.imgshare(bob, {"download", "cat", "-o", out_dir.string()});
    EXPECT_EQ(download.exit_code, 1);
    EXPECT_NE(download.err.find("error: NOT_FOUND"), std::string::npos) << download.err;
    EXPECT_TRUE(fs::is_empty(out_dir)) << "nothing of a deleted image on the reader's disk";
    auto again = cluster_.imgshare(alice, {"delete", "cat"});
    EXPECT_NE(again.err.find("error: NOT_FOUND"), std::string::npos) << again.err;

    // The name is free: posted again, it is a new image, announced and read as any other.
    auto other = cluster_.dir() / "other.png";
    write_large_image(other, 200'000);
    ASSERT_EQ(cluster_.imgshare(alice, {"post", other.string(), "--name", "cat"}).exit_code, 0);
    EXPECT_TRUE(cluster_.download_matches(bob, "cat", other));
}

TEST_F(ImageDeletionTest, AnEndToEndImagesDeletionReachesItsReaders) {
    auto alice = cluster_.new_user("alice");
    auto bob = cluster_.new_user("bob");
    auto bob_watch = cluster_.start_watcher(bob);
    auto image = cluster_.small_png("secret.png");
    auto posted = cluster_.imgshare(alice, {"post", image.string(), "--to", "bob"});
    ASSERT_EQ(posted.exit_code, 0) << posted.err;
    ASSERT_TRUE(bob_watch->wait_for_output("NEW_IMAGE secret alice", 30s)) << bob_watch->err();
    auto deleted = cluster_.imgshare(alice, {"--json", "delete", "secret"});
    ASSERT_EQ(deleted.exit_code, 0) << deleted.err;
    EXPECT_NE(deleted.out.find("\"mode\":\"e2e\""), std::string::npos) << deleted.out;
    ASSERT_TRUE(bob_watch->wait_for_output("IMAGE_DELETED secret alice", 15s))
        << bob_watch->out() << bob_watch->err();
}

TEST_F(ImageDeletionTest, ACapturedForgedOrMisdirectedStatementDeletesNothing) {
    auto alice_home = cluster_.new_user("alice");
    auto bob_home = cluster_.new_user("bob");
    const auto alice = load_user(alice_home);
    const auto bob = load_user(bob_home);
    auto alice_client = raw(alice_home);
    auto bob_client = raw(bob_home);
    const auto wrap_key = wrap_public_key(cluster_);
    auto first = escrow_image(alice, "cat", wrap_key);
    ASSERT_EQ(error_code_of(post_image(alice_client, first).replies.back().value()),
              std::nullopt);
    const auto now = SystemClock().now_seconds();
    const auto envelope = first.begin.envelope;
    auto statement = [&](const TestUser& signer, std::int64_t at) {
        return make_deletion("cat", "alice", envelope, at, signer.keys.sign.secret_key);
    };
    auto send = [](RawClient& client, const Bytes& signed_, std::uint64_t id) {
        return code_of(client.call(encode(DeleteRequest{"cat", signed_}, id)));
    };
    const auto good = statement(alice, now);
    // Bob, even with alice's own statement: not the owner.
    EXPECT_EQ(send(bob_client, good, 1), ErrorCode::FORBIDDEN);
    // Alice's name on a statement bob signed: what a broker stamping her name could send.
    EXPECT_EQ(send(alice_client, statement(bob, now), 10), ErrorCode::BAD_SIGNATURE);
    EXPECT_EQ(send(alice_client, statement(alice, now - 3600), 11), ErrorCode::STALE);
    EXPECT_EQ(send(alice_client, good, 12), std::nullopt);
    EXPECT_EQ(send(alice_client, good, 13), ErrorCode::NOT_FOUND);  // replayed: gone already
    // Posted again under the same name: the captured statement does not reach the new post.
    auto second = escrow_image(alice, "cat", wrap_key);
    ASSERT_EQ(error_code_of(post_image(alice_client, second, 20).replies.back().value()),
              std::nullopt);
    EXPECT_EQ(send(alice_client, good, 30), ErrorCode::BAD_SIGNATURE);
    EXPECT_EQ(code_of(bob_client.call(encode(DownloadRequest{"cat"}, 2))), std::nullopt);
}

}  // namespace
}  // namespace imgshare::testing
