// Bad input and failure across the real processes: each refusal with its
// exact code, nothing lost, nothing half-written.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/crypto/keys.h"
#include "common/trust_file.h"
#include "tests/integration/support/cluster_fixture.h"
#include "tests/integration/support/storage_database.h"

namespace imgshare::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class BadInputTest : public ClusterTest {};

TEST_F(BadInputTest, UnregisteredClientCannotPostListDownloadOrWatch) {
    auto stranger = cluster_.new_home("stranger");
    auto image = cluster_.small_png("x.png");
    // A stranger has no keys at all: the client refuses before sending anything.
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"post", image.string()}, {"list"}, {"download", "x"}}) {
        auto result = cluster_.imgshare(stranger, args);
        EXPECT_TRUE(has_error(result, "NOT_REGISTERED")) << args[0] << ": " << result.err;
    }
    auto watch = cluster_.start_watcher(stranger);
    EXPECT_TRUE(watch->wait_for_exit(10s));
    EXPECT_NE(watch->err().find("error: NOT_REGISTERED"), std::string::npos) << watch->err();
}

TEST_F(BadInputTest, RegisteringATakenNameIsRefusedAndTheFirstCertificateStays) {
    auto alice = cluster_.new_user("alice");
    auto before = cluster_.imgshare(alice, {"whois", "alice"});
    auto impostor = cluster_.new_home("impostor");
    auto result = cluster_.imgshare(impostor, {"register", "alice"});
    EXPECT_TRUE(has_error(result, "NAME_TAKEN")) << result.err;
    auto after = cluster_.imgshare(alice, {"whois", "alice"});
    EXPECT_EQ(before.out, after.out);
}

TEST_F(BadInputTest, PostingATakenNameIsRefused) {
    auto alice = cluster_.new_user("alice");
    auto bob = cluster_.new_user("bob");
    auto image = cluster_.small_png("cat.png");
    ASSERT_EQ(cluster_.imgshare(alice, {"post", image.string()}).exit_code, 0);
    EXPECT_TRUE(has_error(cluster_.imgshare(bob, {"post", image.string()}), "NAME_TAKEN"));
    // Alice's own post run again is a retry: it reports the commit it had.
    EXPECT_EQ(cluster_.imgshare(alice, {"post", image.string()}).out, "posted cat (seq 1)\n");
    // Another image of hers under the taken name is refused.
    auto other = cluster_.dir() / "other.png";
    write_large_image(other, 5000, 3);
    EXPECT_TRUE(has_error(cluster_.imgshare(alice, {"post", other.string(), "--name", "cat"}),
                          "NAME_TAKEN"));
    auto copy = cluster_.dir() / "copy.png";
    ASSERT_EQ(cluster_.imgshare(bob, {"download", "cat", "-o", copy.string()}).exit_code, 0);
    EXPECT_TRUE(files_equal(copy, image));
}

TEST_F(BadInputTest, DownloadingAMissingNameIsNotFound) {
    auto alice = cluster_.new_user("alice");
    auto result = cluster_.imgshare(alice, {"download", "nothing-here"});
    EXPECT_TRUE(has_error(result, "NOT_FOUND")) << result.err;
}

TEST_F(BadInputTest, NonImageFileIsRefusedBeforeAnyUpload) {
    auto alice = cluster_.new_user("alice");
    auto text = cluster_.dir() / "notes.png";
    std::ofstream(text) << "just some text, not an image\n";
    auto result = cluster_.imgshare(alice, {"post", text.string()});
    EXPECT_TRUE(has_error(result, "BAD_REQUEST")) << result.err;
    auto listed = cluster_.imgshare(alice, {"list", "--json"});
    EXPECT_EQ(listed.out.find("notes"), std::string::npos) << listed.out;
    // Nothing reached the broker: its protocol log has no POST_BEGIN or POST_IMAGE.
    auto log = read_text(cluster_.broker_dir() / "protocol.log");
    EXPECT_EQ(log.find("\"POST_"), std::string::npos);
}

TEST_F(BadInputTest, ChunkAlteredInsideTheStorageDatabaseFailsDownloadAndWritesNothing) {
    auto alice = cluster_.new_user("alice");
    auto bob = cluster_.new_user("bob");
    auto image = cluster_.dir() / "big.png";
    write_large_image(image, 600 * 1024);
    ASSERT_EQ(cluster_.imgshare(alice, {"post", image.string(), "--name", "victim"}).exit_code, 0);
    ASSERT_TRUE(rewrite_storage(cluster_, [](StorageDatabase& db) {
        auto chunks = db.entries("chunks");
        ASSERT_FALSE(chunks.empty());
        auto& [key, value] = chunks.front();
        value[value.size() / 2] ^= 0x5a;
        db.put("chunks", key, value);
    }));
    auto out = cluster_.dir() / "victim-copy.png";
    auto result = cluster_.imgshare(bob, {"download", "victim", "-o", out.string()});
    EXPECT_TRUE(has_error(result, "INTEGRITY")) << result.err;
    EXPECT_FALSE(fs::exists(out));
    for (const auto& entry : fs::directory_iterator(cluster_.dir())) {
        EXPECT_EQ(entry.path().filename().string().find("victim-copy"), std::string::npos)
            << "left behind: " << entry.path();
    }
}

TEST_F(BadInputTest, ClientPinningTheWrongBrokerKeyGetsAClearErrorNotAHang) {
    auto wrong_trust = cluster_.dir() / "wrong-trust";
    TrustAnchors trust{cluster_.ca_verify_key(), generate_curve_keys().public_key, std::nullopt,
                       cluster_.log_verify_key()};
    std::ofstream(wrong_trust) << format_trust(trust);
    auto home = cluster_.dir() / "homes" / "misled";
    auto init = cluster_.imgshare(
        home, {"init", "--broker", cluster_.client_endpoint(), "--trust", wrong_trust.string()});
    ASSERT_EQ(init.exit_code, 0) << init.err;
    auto started = std::chrono::steady_clock::now();
    auto result = cluster_.imgshare(home, {"register", "misled"}, 30s);
    auto took = std::chrono::steady_clock::now() - started;
    EXPECT_NE(result.exit_code, 0);
    EXPECT_TRUE(result.err.find("error: TIMEOUT") != std::string::npos ||
                result.err.find("error: SERVICE_UNAVAILABLE") != std::string::npos)
        << result.err;
    EXPECT_LT(took, 25s) << "the client hung instead of giving up";
}

TEST_F(BadInputTest, StoppedStorageIsServiceUnavailableAndRecoversWithoutRestarts) {
    auto alice = cluster_.new_user("alice");
    cluster_.stop_storage();
    auto result = cluster_.imgshare(alice, {"list"}, 20s);
    EXPECT_TRUE(has_error(result, "SERVICE_UNAVAILABLE")) << result.err;
    ASSERT_TRUE(cluster_.start_storage());
    auto again = cluster_.imgshare(alice, {"list"});
    EXPECT_EQ(again.exit_code, 0) << again.err;
}

TEST_F(BadInputTest, KilledStorageIsServiceUnavailableQuickly) {
    auto alice = cluster_.new_user("alice");
    cluster_.kill_storage();
    auto started = std::chrono::steady_clock::now();
    auto result = cluster_.imgshare(alice, {"list"}, 20s);
    auto took = std::chrono::steady_clock::now() - started;
    EXPECT_TRUE(has_error(result, "SERVICE_UNAVAILABLE")) << result.err;
    EXPECT_LT(took, 10s);
}

TEST_F(BadInputTest, BrokerRestartDoesNotBreakTheNextCommand) {
    auto alice = cluster_.new_user("alice");
    cluster_.stop_broker();
    ASSERT_TRUE(cluster_.start_broker());
    ASSERT_TRUE(cluster_.wait_for_service("ca", 2));
    ASSERT_TRUE(cluster_.wait_for_service("storage", 2));
    auto image = cluster_.small_png("after.png");
    auto result = cluster_.imgshare(alice, {"post", image.string()});
    EXPECT_EQ(result.exit_code, 0) << result.err;
}

}  // namespace
}  // namespace imgshare::testing
