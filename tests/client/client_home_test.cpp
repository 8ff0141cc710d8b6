#include "client/client_home.h"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include "common/crypto/keys.h"
#include "common/crypto/signing.h"
#include "tests/client/sealing_support.h"
#include "tests/common/scratch_dir.h"

namespace imgshare::client {
namespace {

namespace fs = std::filesystem;

ClientConfig local_config() {
    return ClientConfig{Endpoint{"127.0.0.1", 7400}, Endpoint{"127.0.0.1", 7401}};
}

void expect_config_error(const Result<ClientConfig>& result, std::string_view fragment) {
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::CONFIG);
    EXPECT_NE(result.error().message.find(fragment), std::string::npos) << result.error().message;
}

TEST(ClientConfigTest, RoundTrips) {
    auto text = format_client_config(local_config());
    EXPECT_EQ(parse_client_config(text, "config"), local_config());
    EXPECT_EQ(parse_client_config("events_endpoint = tcp://[::1]:9\n"
                                  "# comment\n\nbroker_endpoint=tcp://example.org:8\n",
                                  "config"),
              (ClientConfig{Endpoint{"example.org", 8}, Endpoint{"::1", 9}}));
}

TEST(ClientConfigTest, RefusesUnknownDuplicateMissingAndBadValues) {
    auto good = format_client_config(local_config());
    expect_config_error(parse_client_config(good + "colour = blue\n", "cfg"), "cfg:4: unknown key");
    expect_config_error(parse_client_config(good + "broker_endpoint = tcp://h:1\n", "cfg"),
                        "already set on line 2");
    expect_config_error(parse_client_config("broker_endpoint = tcp://h:1\n", "cfg"),
                        "'events_endpoint' is missing");
    expect_config_error(
        parse_client_config("broker_endpoint = ipc:///x\nevents_endpoint = tcp://h:1\n", "cfg"),
        "cfg:1");
    expect_config_error(
        parse_client_config("broker_endpoint = tcp://h:0\nevents_endpoint = tcp://h:1\n", "cfg"),
        "cfg:1");
}

TEST(ClientConfigTest, EventsDefaultToTheNextPort) {
    EXPECT_EQ(default_events_endpoint(Endpoint{"10.0.0.1", 7400}), (Endpoint{"10.0.0.1", 7401}));
    auto last = default_events_endpoint(Endpoint{"h", 65535});
    ASSERT_FALSE(last);
    EXPECT_EQ(last.error().code, ErrorCode::CONFIG);
}

TEST(ClientHomeTest, HomeComesFromTheFlagThenTheEnvironment) {
    EXPECT_EQ(resolve_home("/flag", "/env", "/home/u"), fs::path("/flag"));
    EXPECT_EQ(resolve_home("", "/env", "/home/u"), fs::path("/env"));
    EXPECT_EQ(resolve_home("", "", "/home/u"), fs::path("/home/u/.imgshare"));
    EXPECT_EQ(resolve_home("", nullptr, "/home/u"), fs::path("/home/u/.imgshare"));
    auto none = resolve_home("", nullptr, nullptr);
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().code, ErrorCode::CONFIG);
}

class ClientHomeDirTest : public ::testing::Test {
  protected:
    void SetUp() override { std::ofstream(trust_file_) << format_trust(anchors_); }

    testing::ScratchDir scratch_;
    TrustAnchors anchors_{generate_signing_keys().public_key, generate_curve_keys().public_key,
                          std::nullopt, generate_signing_keys().public_key};
    fs::path trust_file_ = scratch_ / "trust.txt";
    ClientHome home_{scratch_ / "home"};
};

TEST_F(ClientHomeDirTest, InitialiseWritesPrivateConfigAndTrust) {
    ASSERT_TRUE(home_.initialise(local_config(), trust_file_));
    EXPECT_EQ(home_.load_config(), local_config());
    EXPECT_EQ(home_.load_trust(), anchors_);
    EXPECT_EQ(fs::status(home_.dir()).permissions() & fs::perms::all, fs::perms::owner_all);
    for (const auto& file : {home_.config_path(), home_.trust_path()}) {
        EXPECT_EQ(fs::status(file).permissions() & fs::perms::all,
                  fs::perms::owner_read | fs::perms::owner_write);
    }
}

TEST_F(ClientHomeDirTest, InitialiseNeverReplacesAConfiguration) {
    ASSERT_TRUE(home_.initialise(local_config(), trust_file_));
    ClientConfig other{Endpoint{"evil.example", 1}, Endpoint{"evil.example", 2}};
    auto again = home_.initialise(other, trust_file_);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, ErrorCode::BAD_REQUEST);
    EXPECT_EQ(home_.load_config(), local_config());
}

TEST_F(ClientHomeDirTest, InitialiseRefusesATrustFileThatDoesNotParse) {
    std::ofstream(trust_file_) << "ca_verify_key = 00\n";
    auto result = home_.initialise(local_config(), trust_file_);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::CONFIG);
    EXPECT_FALSE(fs::exists(home_.config_path()));
    auto missing = home_.initialise(local_config(), scratch_ / "nope");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, ErrorCode::IO_ERROR);
}

TEST_F(ClientHomeDirTest, UninitialisedHomeSaysWhatToRun) {
    expect_config_error(home_.load_config(), "imgshare");
}

TEST_F(ClientHomeDirTest, LastSeqStartsAtZeroAndPersists) {
    ASSERT_TRUE(home_.initialise(local_config(), trust_file_));
    EXPECT_EQ(home_.load_last_seq(), 0u);
    ASSERT_TRUE(home_.save_last_seq(41));
    ASSERT_TRUE(home_.save_last_seq(42));
    EXPECT_EQ(home_.load_last_seq(), 42u);
    std::ofstream(home_.state_path()) << "last_seq = 4x\n";
    auto bad = home_.load_last_seq();
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, ErrorCode::CONFIG);
}

}  // namespace
}  // namespace imgshare::client
