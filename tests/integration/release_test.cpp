// imgshare-ca release across the real processes: a revoked name registered
// again with new keys, served as before, while the old keys stay refused by
// the broker, on the connection they had open and at a new handshake.
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/integration/support/cluster_fixture.h"
#include "tests/integration/support/raw_client.h"
#include "tests/integration/support/signed_requests.h"
#include "tests/integration/support/wait.h"

namespace imgshare::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

CommandResult operator_command(const std::vector<std::string>& args) {
    std::vector<std::string> argv{executable("imgshare-ca")};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv);
}

bool begins_with(const std::string& text, const std::string& prefix) {
    return text.rfind(prefix, 0) == 0;
}

// A second home, registered as `username` with keys of its own.
fs::path home_registered_again(Cluster& cluster, const std::string& username) {
    auto home = cluster.new_home(username + "-again");
    auto registered = cluster.imgshare(home, {"register", username});
    EXPECT_EQ(registered.exit_code, 0) << registered.err;
    return home;
}

// The code of the broker's answer to a LIST with `id` on `connection`, or nullopt for OK
// (and for no answer at all: asserted apart).
std::optional<ErrorCode> list_refusal(RawClient& connection, std::uint64_t id) {
    auto reply = connection.call(encode(ListRequest{}, id));
    EXPECT_TRUE(reply.has_value()) << "no answer to LIST " << id;
    if (!reply) return ErrorCode::TIMEOUT;
    return error_code_of(*reply);
}

class ReleasedNameTest : public ClusterTest {};

TEST_F(ReleasedNameTest, ANewAliceWithNewKeysPostsWhileTheOldKeysStayRevoked) {
    auto old_home = cluster_.new_user("alice");
    auto image = cluster_.small_png("cat.png");
    ASSERT_EQ(cluster_.imgshare(old_home, {"post", image.string()}).exit_code, 0);
    // A connection the old alice opened before, still open throughout.
    RawClient old_open(cluster_.client_endpoint(), cluster_.broker_public_key(),
                       load_user(old_home).keys.curve);
    ASSERT_EQ(list_refusal(old_open, 1), std::nullopt);

    // Not revoked: the name cannot be released.
    auto early = operator_command({"release", "alice", "--data-dir", cluster_.ca_dir()});
    EXPECT_EQ(early.exit_code, 1);
    EXPECT_EQ(early.err,
              "error: BAD_REQUEST: alice is not revoked: only a revoked name is released\n");
    auto nobody = operator_command({"release", "nobody", "--data-dir", cluster_.ca_dir()});
    EXPECT_EQ(nobody.exit_code, 1);
    EXPECT_TRUE(begins_with(nobody.err, "error: NOT_FOUND: ")) << nobody.err;

    ASSERT_EQ(operator_command({"revoke", "alice", "--data-dir", cluster_.ca_dir()}).exit_code, 0);
    ASSERT_TRUE(wait_until(
        [&, id = std::uint64_t{2}]() mutable {
            return list_refusal(old_open, id++) == ErrorCode::REVOKED;
        },
        10s, "the broker to refuse the old connection", 100ms));
    auto released = operator_command({"release", "alice", "--data-dir", cluster_.ca_dir()});
    ASSERT_EQ(released.exit_code, 0) << released.err;
    EXPECT_EQ(released.out, "released alice: certificate #1 retired, its keys stay revoked; the "
                            "name is free\n");

    // Alice registers again with new keys and is served.
    auto new_home = home_registered_again(cluster_, "alice");
    auto dog = cluster_.small_png("dog.png");
    auto posted = cluster_.imgshare(new_home, {"post", dog.string(), "--name", "dog"});
    ASSERT_EQ(posted.exit_code, 0) << posted.err;
    EXPECT_TRUE(cluster_.download_matches(new_home, "dog", dog));
    auto whoami = cluster_.imgshare(new_home, {"whoami"});
    EXPECT_NE(whoami.out.find("serial: 2"), std::string::npos) << whoami.out;

    // The old keys: refused on the connection they had open (whose User-Id is "alice"
    // too), at a new handshake, and by the client of the old home.
    EXPECT_EQ(list_refusal(old_open, 100), ErrorCode::REVOKED);
    RawClient old_again(cluster_.client_endpoint(), cluster_.broker_public_key(),
                        load_user(old_home).keys.curve);
    EXPECT_FALSE(old_again.call(encode(ListRequest{}, 1), 3s).has_value());
    auto old_list = cluster_.imgshare(old_home, {"list"}, 20s);
    EXPECT_EQ(old_list.exit_code, 1);
    EXPECT_EQ(old_list.err,
              "error: REVOKED: the broker refused this key; the certificate was revoked\n");
    // Releasing again: the name is the new alice's, who is not revoked.
    auto again = operator_command({"release", "alice", "--data-dir", cluster_.ca_dir()});
    EXPECT_EQ(again.exit_code, 1);
    EXPECT_TRUE(begins_with(again.err, "error: BAD_REQUEST: ")) << again.err;
}

TEST_F(ReleasedNameTest, ARestartedBrokerStillRefusesTheOldKeysAndServesTheNewHolder) {
    auto old_home = cluster_.new_user("alice");
    ASSERT_EQ(operator_command({"revoke", "alice", "--data-dir", cluster_.ca_dir()}).exit_code, 0);
    // Released while no CA runs: the broker hears of it when the CA announces itself.
    cluster_.stop_ca();
    auto released = operator_command({"release", "alice", "--data-dir", cluster_.ca_dir()});
    ASSERT_EQ(released.exit_code, 0) << released.err;
    EXPECT_NE(released.out.find("no CA is running"), std::string::npos) << released.out;
    ASSERT_TRUE(cluster_.start_ca());
    auto new_home = home_registered_again(cluster_, "alice");
    EXPECT_EQ(cluster_.imgshare(new_home, {"list"}).exit_code, 0);

    // Both services announce themselves to the new broker; `list` needs the storage node
    // too (under the sanitizers its READY came after the CA's and the list ran before it).
    const auto ca_readies = cluster_.ready_count("ca");
    const auto storage_readies = cluster_.ready_count("storage");
    cluster_.stop_broker();
    ASSERT_TRUE(cluster_.start_broker());
    ASSERT_TRUE(cluster_.wait_for_service("ca", ca_readies + 1));
    ASSERT_TRUE(cluster_.wait_for_service("storage", storage_readies + 1));
    auto listed = cluster_.imgshare(new_home, {"list"});
    EXPECT_EQ(listed.exit_code, 0) << listed.err;
    auto old_list = cluster_.imgshare(old_home, {"list"}, 20s);
    EXPECT_EQ(old_list.exit_code, 1);
    EXPECT_TRUE(begins_with(old_list.err, "error: REVOKED: ")) << old_list.err;
}

}  // namespace
}  // namespace imgshare::testing
