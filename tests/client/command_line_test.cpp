// The command line without a network: usage errors (exit 2), local refusals
// (exit 1, "error: CODE: ...") before anything is sent, init, whoami.
#include "client/command_table.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/keystore.h"
#include "tests/client/command_fixture.h"
#include "tests/client/sealing_support.h"
#include "tests/common/scratch_dir.h"

namespace imgshare::client {
namespace {

namespace fs = std::filesystem;
using namespace imgshare::testing;

constexpr const char* kPassphrase = "correct horse battery staple";

// A port nothing listens on: commands that get that far would time out, so tests that pass
// prove the command stopped before the network.
constexpr const char* kDeadBroker = "tcp://127.0.0.1:9";

class CommandLineTest : public ::testing::Test {
  protected:
    void SetUp() override {
        ::setenv("IMGSHARE_PASSPHRASE", kPassphrase, 1);
        // Never the real ~/.imgshare.
        ::setenv("IMGSHARE_HOME", (scratch_ / "default-home").c_str(), 1);
        std::ofstream(trust_file_) << format_trust(
            TrustAnchors{ca_.keys.public_key, generate_curve_keys().public_key, std::nullopt,
                         ca_.log_verify_key()});
    }
    void TearDown() override {
        ::unsetenv("IMGSHARE_PASSPHRASE");
        ::unsetenv("IMGSHARE_HOME");
    }

    CommandRun imgshare(std::vector<std::string> args) {
        return run_command_line(std::move(args), stop_);
    }

    CommandRun in_home(std::vector<std::string> args) {
        args.insert(args.begin(), {"--home", home_.string()});
        return imgshare(std::move(args));
    }

    void init_home() {
        auto run = in_home({"init", "--broker", kDeadBroker, "--trust", trust_file_.string()});
        ASSERT_EQ(run.status, 0) << run.err;
    }

    // A home holding alice's keys and certificate, as `register` leaves it.
    void register_alice() {
        init_home();
        Keystore keystore(home_);
        ASSERT_TRUE(keystore.create(alice_.keys, kPassphrase, KdfStrength::TestOnlyMinimum));
        ASSERT_TRUE(keystore.save_certificate(alice_.certificate));
    }

    static void expect_error(const CommandRun& run, int status, std::string_view code) {
        EXPECT_EQ(run.status, status) << run.err;
        EXPECT_EQ(run.err.rfind("error: " + std::string(code) + ": ", 0), 0u) << run.err;
    }

    ScratchDir scratch_;
    fs::path home_ = scratch_ / "home";
    fs::path trust_file_ = scratch_ / "trust";
    TestCa ca_;
    TestUser alice_ = ca_.user("alice", 7, SystemClock().now_seconds());
    std::atomic<bool> stop_{false};
};

TEST_F(CommandLineTest, UsageErrorsExitWithTwo) {
    for (const auto& args :
         std::vector<std::vector<std::string>>{{},
                                               {"frobnicate"},
                                               {"register"},
                                               {"post"},
                                               {"download"},
                                               {"whois"},
                                               {"init", "--broker", kDeadBroker},
                                               {"list", "--after", "soon"},
                                               {"list", "--after", "-1"},
                                               {"post", "a.png", "--colour", "red"},
                                               {"--home"}}) {
        auto run = imgshare(args);
        EXPECT_EQ(run.status, 2) << (args.empty() ? "" : args[0]) << ": " << run.err;
        EXPECT_EQ(run.err.rfind("error: BAD_REQUEST: ", 0), 0u) << run.err;
        EXPECT_TRUE(run.out.empty());
    }
}

TEST_F(CommandLineTest, EveryCommandExplainsItselfAndItsOutput) {
    auto top = imgshare({"--help"});
    EXPECT_EQ(top.status, 0);
    for (const auto& spec : command_table()) {
        EXPECT_NE(top.out.find(std::string(spec.name)), std::string::npos) << spec.name;
        auto help = imgshare({std::string(spec.name), "--help"});
        EXPECT_EQ(help.status, 0) << spec.name;
        EXPECT_NE(help.out.find("Usage: imgshare " + std::string(spec.name)), std::string::npos)
            << help.out;
        if (spec.name != "init") {
            EXPECT_NE(help.out.find("Output:"), std::string::npos) << spec.name;
        }
    }
    EXPECT_NE(imgshare({"post", "--help"}).out.find("posted NAME (seq N)"), std::string::npos);
}

TEST_F(CommandLineTest, InitWritesTheHomeAndDerivesTheEventsPort) {
    auto run =
        in_home({"init", "--broker", "tcp://127.0.0.1:7400", "--trust", trust_file_.string()});
    ASSERT_EQ(run.status, 0) << run.err;
    EXPECT_EQ(run.out, "initialised " + home_.string() +
                           " (broker tcp://127.0.0.1:7400, events tcp://127.0.0.1:7401)\n");
    EXPECT_EQ(ClientHome(home_).load_config(),
              (ClientConfig{Endpoint{"127.0.0.1", 7400}, Endpoint{"127.0.0.1", 7401}}));
    auto again =
        in_home({"init", "--broker", "tcp://127.0.0.1:7400", "--trust", trust_file_.string()});
    expect_error(again, 1, "BAD_REQUEST");
}

TEST_F(CommandLineTest, InitTakesExplicitEventsAndJsonAfterTheCommand) {
    auto run = in_home({"init", "--broker", "tcp://h:10", "--events", "tcp://e:20", "--trust",
                        trust_file_.string(), "--json"});
    ASSERT_EQ(run.status, 0) << run.err;
    auto json = nlohmann::json::parse(run.out);
    EXPECT_EQ(json["events"], "tcp://e:20");
    EXPECT_EQ(json["broker"], "tcp://h:10");
}

TEST_F(CommandLineTest, InitRefusesABadTrustFileOrEndpoint) {
    std::ofstream(scratch_ / "bad-trust") << "broker_public_key = nonsense\n";
    expect_error(
        in_home({"init", "--broker", kDeadBroker, "--trust", (scratch_ / "bad-trust").string()}), 1,
        "CONFIG");
    expect_error(in_home({"init", "--broker", "udp://h:1", "--trust", trust_file_.string()}), 1,
                 "CONFIG");
    EXPECT_FALSE(fs::exists(home_ / "config"));
}

TEST_F(CommandLineTest, CommandsInAnUninitialisedHomeSayWhatToRun) {
    for (const auto& args :
         std::vector<std::vector<std::string>>{{"whoami"}, {"list"}, {"register", "alice"}}) {
        auto run = in_home(args);
        expect_error(run, 1, "CONFIG");
        EXPECT_NE(run.err.find("imgshare"), std::string::npos);
    }
}

TEST_F(CommandLineTest, NonImageIsRefusedBeforeAnythingIsSent) {
    register_alice();
    std::ofstream(scratch_ / "notes.png") << "just some text, not an image\n";
    expect_error(in_home({"post", (scratch_ / "notes.png").string()}), 1, "BAD_REQUEST");
    // Nothing was sent, so nothing was logged.
    EXPECT_FALSE(fs::exists(home_ / "protocol.log"));
    expect_error(in_home({"post", (scratch_ / "missing.png").string()}), 1, "IO_ERROR");
}

TEST_F(CommandLineTest, BadNamesAreRefusedBeforeAnythingIsSent) {
    register_alice();
    write_bytes(scratch_ / "cat.png", png_bytes(100));
    expect_error(in_home({"post", (scratch_ / "cat.png").string(), "--name", "../cat"}), 1,
                 "BAD_REQUEST");
    expect_error(in_home({"download", "../../etc/passwd"}), 1, "BAD_REQUEST");
    expect_error(in_home({"download", ".hidden"}), 1, "BAD_REQUEST");
    expect_error(in_home({"whois", "Not A User"}), 1, "BAD_REQUEST");
    expect_error(in_home({"register", "UPPER"}), 1, "BAD_REQUEST");
    EXPECT_FALSE(fs::exists(home_ / "protocol.log"));
}

TEST_F(CommandLineTest, UnregisteredHomeIsNotRegisteredBeforeAnythingIsSent) {
    init_home();
    write_bytes(scratch_ / "cat.png", png_bytes(100));
    for (const auto& args :
         std::vector<std::vector<std::string>>{{"post", (scratch_ / "cat.png").string()},
                                               {"list"},
                                               {"download", "cat"},
                                               {"whois", "bob"},
                                               {"renew"},
                                               {"whoami"}}) {
        expect_error(in_home(args), 1, "NOT_REGISTERED");
    }
    auto watch = in_home({"watch"});
    expect_error(watch, 1, "NOT_REGISTERED");
}

TEST_F(CommandLineTest, WhoamiShowsTheVerifiedCertificate) {
    register_alice();
    auto run = in_home({"whoami"});
    ASSERT_EQ(run.status, 0) << run.err;
    EXPECT_NE(run.out.find("username: alice\nserial: 7\n"), std::string::npos) << run.out;
    EXPECT_NE(run.out.find("sign_pk: " + to_hex(alice_.keys.sign.public_key)), std::string::npos);
    auto json = in_home({"whoami", "--json"});
    ASSERT_EQ(json.status, 0) << json.err;
    EXPECT_EQ(nlohmann::json::parse(json.out)["username"], "alice");
}

TEST_F(CommandLineTest, WhoamiRefusesACertificateTheTrustedCaDidNotIssue) {
    init_home();
    TestCa rogue;
    TestUser fake = rogue.user("alice", 7, SystemClock().now_seconds());
    Keystore keystore(home_);
    ASSERT_TRUE(keystore.create(fake.keys, kPassphrase, KdfStrength::TestOnlyMinimum));
    ASSERT_TRUE(keystore.save_certificate(fake.certificate));
    expect_error(in_home({"whoami"}), 1, "BAD_SIGNATURE");
}

TEST_F(CommandLineTest, RegisterRefusesAHomeThatIsAlreadyRegistered) {
    register_alice();
    auto run = in_home({"register", "alice2"});
    expect_error(run, 1, "BAD_REQUEST");
    EXPECT_NE(run.err.find("already registered as alice"), std::string::npos) << run.err;
}

TEST_F(CommandLineTest, WrongOrMissingPassphraseIsBadPassphrase) {
    register_alice();
    ::setenv("IMGSHARE_PASSPHRASE", "not the passphrase", 1);
    expect_error(in_home({"list"}), 1, "BAD_PASSPHRASE");
    ::unsetenv("IMGSHARE_PASSPHRASE");
    // No variable and no terminal: never wait for input.
    int saved = ::dup(STDIN_FILENO);
    int null = ::open("/dev/null", O_RDONLY);
    ::dup2(null, STDIN_FILENO);
    auto run = in_home({"list"});
    ::dup2(saved, STDIN_FILENO);
    ::close(null);
    ::close(saved);
    expect_error(run, 1, "BAD_PASSPHRASE");
    EXPECT_NE(run.err.find("IMGSHARE_PASSPHRASE"), std::string::npos);
}

}  // namespace
}  // namespace imgshare::client
