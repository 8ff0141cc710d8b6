// Bad input and failure across the real processes: each refusal with its
// exact code, nothing lost, nothing half-written.
#include <gtest/gtest.h>

#include <rocksdb/db.h>

#include <filesystem>
#include <fstream>

#include "common/crypto/keys.h"
#include "common/trust_file.h"
#include "tests/integration/support/cluster.h"

namespace imgshare::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

bool has_error(const CommandResult& result, const std::string& code) {
    return result.exit_code != 0 && result.err.find("error: " + code) != std::string::npos;
}

class BadInputTest : public ::testing::Test {
  protected:
    Cluster cluster_;
};

TEST_F(BadInputTest, UnregisteredClientCannotPostListDownloadOrWatch) {
    auto stranger = cluster_.new_home("stranger");
    auto image = cluster_.dir() / "x.png";
    write_small_png(image);
    // A stranger has no keys at all: the client refuses before sending anything.
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"post", image.string()}, {"list"}, {"download", "x"}}) {
        auto result = cluster_.imgshare(stranger, args);
        EXPECT_TRUE(has_error(result, "NOT_REGISTERED")) << args[0] << ": " << result.err;
    }
    auto watch = cluster_.start_watcher(stranger);
    for (int i = 0; i < 200 && watch->running(); ++i)
        std::this_thread::sleep_for(50ms);
    EXPECT_FALSE(watch->running());
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
    auto image = cluster_.dir() / "cat.png";
    write_small_png(image);
    ASSERT_EQ(cluster_.imgshare(alice, {"post", image.string()}).exit_code, 0);
    EXPECT_TRUE(has_error(cluster_.imgshare(bob, {"post", image.string()}), "NAME_TAKEN"));
    EXPECT_TRUE(has_error(cluster_.imgshare(alice, {"post", image.string()}), "NAME_TAKEN"));
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
    cluster_.stop_storage();
    {
        rocksdb::DB* raw = nullptr;
        std::vector<rocksdb::ColumnFamilyDescriptor> families;
        std::vector<std::string> names;
        ASSERT_TRUE(
            rocksdb::DB::ListColumnFamilies({}, (cluster_.storage_dir() / "db").string(), &names)
                .ok());
        for (const auto& name : names)
            families.emplace_back(name, rocksdb::ColumnFamilyOptions());
        std::vector<rocksdb::ColumnFamilyHandle*> handles;
        rocksdb::DBOptions options;
        ASSERT_TRUE(rocksdb::DB::Open(options, (cluster_.storage_dir() / "db").string(), families,
                                      &handles, &raw)
                        .ok());
        std::unique_ptr<rocksdb::DB> db(raw);
        rocksdb::ColumnFamilyHandle* chunks = nullptr;
        for (size_t i = 0; i < names.size(); ++i) {
            if (names[i] == "chunks") chunks = handles[i];
        }
        ASSERT_NE(chunks, nullptr);
        std::unique_ptr<rocksdb::Iterator> it(db->NewIterator({}, chunks));
        it->SeekToFirst();
        ASSERT_TRUE(it->Valid());
        std::string key = it->key().ToString();
        std::string value = it->value().ToString();
        value[value.size() / 2] ^= 0x5a;
        it.reset();
        ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), chunks, key, value).ok());
        for (auto* handle : handles)
            db->DestroyColumnFamilyHandle(handle);
    }
    cluster_.start_storage();
    ASSERT_TRUE(cluster_.wait_for_service("storage", 2));
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
    TrustAnchors trust{cluster_.ca_verify_key(), generate_curve_keys().public_key, std::nullopt};
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
    cluster_.start_storage();
    ASSERT_TRUE(cluster_.wait_for_service("storage", 2));
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
    cluster_.start_broker();
    ASSERT_TRUE(cluster_.wait_for_service("ca", 2));
    ASSERT_TRUE(cluster_.wait_for_service("storage", 2));
    auto image = cluster_.dir() / "after.png";
    write_small_png(image);
    auto result = cluster_.imgshare(alice, {"post", image.string()});
    EXPECT_EQ(result.exit_code, 0) << result.err;
}

}  // namespace
}  // namespace imgshare::testing
