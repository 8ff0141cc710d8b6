// Registration by invitation through the real programs: `imgshare-ca run --registration
// invite`, a token from `imgshare-ca invite`, `imgshare register NAME --invite TOKEN`; each
// refusal with its code, and a token that works once.
#include <gtest/gtest.h>

#include <ctime>

#include "tests/integration/support/cluster.h"
#include "tests/integration/support/process.h"
#include "tests/integration/support/wait.h"

namespace imgshare::testing {
namespace {

class InviteOnlyClusterTest : public ::testing::Test {
  protected:
    // `imgshare-ca invite` on the running CA's data directory: the token it prints.
    std::string invite(const std::vector<std::string>& flags = {}) {
        std::vector<std::string> argv{executable("imgshare-ca").string(), "invite",
                                      "--data-dir", cluster_.ca_dir().string()};
        argv.insert(argv.end(), flags.begin(), flags.end());
        auto result = run_command(argv);
        EXPECT_EQ(result.exit_code, 0) << result.err;
        return result.out.substr(0, result.out.find('\n'));
    }

    CommandResult register_as(const std::string& name, const std::string& token) {
        std::vector<std::string> args{"register", name};
        if (!token.empty()) {
            args.push_back("--invite");
            args.push_back(token);
        }
        return cluster_.imgshare(cluster_.new_home(name + std::to_string(++homes_)), args);
    }

    static ClusterOptions invite_only() {
        ClusterOptions options;
        options.ca_args = {"--registration", "invite"};
        return options;
    }

    Cluster cluster_{invite_only()};
    int homes_ = 0;
};

TEST_F(InviteOnlyClusterTest, ATokenFromTheOperatorRegistersOnceAndNothingElseDoes) {
    auto without = register_as("alice", "");
    EXPECT_NE(without.exit_code, 0);
    EXPECT_NE(without.err.find("FORBIDDEN"), std::string::npos) << without.err;
    EXPECT_NE(without.err.find("by invitation only"), std::string::npos) << without.err;

    const auto token = invite();
    ASSERT_TRUE(token.starts_with("imgshare-invite-")) << token;
    auto registered = register_as("alice", token);
    ASSERT_EQ(registered.exit_code, 0) << registered.err;
    EXPECT_NE(registered.out.find("registered alice"), std::string::npos);

    auto reused = register_as("bob", token);
    EXPECT_NE(reused.exit_code, 0);
    EXPECT_NE(reused.err.find("FORBIDDEN: this invitation has been used"), std::string::npos)
        << reused.err;
}

TEST_F(InviteOnlyClusterTest, AnExpiredMisnamedOrMangledTokenIsRefusedWithItsCode) {
    auto misnamed = register_as("mallory", invite({"--name", "carol"}));
    EXPECT_NE(misnamed.err.find("FORBIDDEN: this invitation is for the name carol"),
              std::string::npos)
        << misnamed.err;
    const std::time_t made = std::time(nullptr);
    const auto short_lived = invite({"--expires", "1s"});
    // Its expiry is whole seconds on the CA's clock (this machine's): wait until it passed.
    ASSERT_TRUE(wait_until([&] { return std::time(nullptr) >= made + 2; },
                           std::chrono::seconds(5), "the invitation's expiry to pass"));
    auto expired = register_as("dave", short_lived);
    EXPECT_NE(expired.err.find("EXPIRED"), std::string::npos) << expired.err;
    auto mangled = register_as("erin", "imgshare-invite-not-a-token");
    EXPECT_NE(mangled.err.find("BAD_REQUEST"), std::string::npos) << mangled.err;
    // None of that spent a thing: a good token for carol still registers carol.
    EXPECT_EQ(register_as("carol", invite({"--name", "carol"})).exit_code, 0);
}

TEST_F(InviteOnlyClusterTest, InviteExplainsBadFlags) {
    auto result = run_command({executable("imgshare-ca").string(), "invite", "--data-dir",
                               cluster_.ca_dir().string(), "--expires", "soon"});
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_NE(result.err.find("CONFIG: --expires"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace imgshare::testing
