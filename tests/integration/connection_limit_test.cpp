// deploy/connection-limit.sh as `deploy/cluster.sh up --connection-limit` applies it: new TCP
// connections to the broker's public ports are limited per source address in the kernel
// (nftables), so a flood of fresh-key connections is dropped before the broker does any CURVE
// work, while other addresses, and connections already open from the flooded one, are served
// (docs/SECURITY.md 3.19). Each test runs the deployed cluster in a private network namespace
// (support/private_network.h), so the machine's firewall is never touched; without root or
// nft a test fails saying which is missing. The limit is made small (5/s after 20) so that
// what the flood gets through stays far below what it would get without the rule.
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "common/protocol/codec.h"
#include "tests/integration/support/deployed_cluster.h"
#include "tests/integration/support/handshake_flood.h"
#include "tests/integration/support/private_network.h"
#include "tests/integration/support/raw_client.h"
#include "tests/integration/support/wait.h"

namespace imgshare::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// nft from PATH or the sbin directories (a non-login root shell may lack them); empty if absent.
std::string nft_executable() {
    std::string dirs = getenv("PATH") ? getenv("PATH") : "";
    std::istringstream path(dirs + ":/usr/sbin:/sbin");
    for (std::string dir; std::getline(path, dir, ':');) {
        auto candidate = fs::path(dir) / "nft";
        if (!dir.empty() && access(candidate.c_str(), X_OK) == 0) return candidate.string();
    }
    return {};
}

class ConnectionLimitTest : public ::testing::Test {
  protected:
    static constexpr int kRatePerSecond = 5;
    static constexpr int kBurst = 20;
    static constexpr int kFlood = 1500;

    void SetUp() override {
        nft_ = nft_executable();
        ASSERT_FALSE(nft_.empty())
            << "nft not found: install nftables (deploy/bootstrap.sh installs it)";
        auto network = PrivateNetwork::enter();
        ASSERT_TRUE(network.has_value()) << network.error();
        network_.emplace(std::move(*network));
        ASSERT_TRUE(cluster_.up({"--connection-limit", std::to_string(kRatePerSecond) + "/s",
                                 "--connection-burst", std::to_string(kBurst)}));
        alice_ = cluster_.new_user("alice");
    }

    int client_port() const {
        auto endpoint = cluster_.client_endpoint();
        return std::stoi(endpoint.substr(endpoint.rfind(':') + 1));
    }

    ::testing::AssertionResult lists(const fs::path& home) {
        auto result = cluster_.imgshare(home, {"list"});
        if (result.exit_code != 0) return ::testing::AssertionFailure() << result.err;
        return ::testing::AssertionSuccess();
    }

    // The nftables table cluster.sh loaded (DIR/broker.connection-limit: "inet NAME ...").
    std::string table() const {
        std::istringstream recorded(read_text(cluster_.dir() / "broker.connection-limit"));
        std::string family, name;
        recorded >> family >> name;
        return name;
    }

    CommandResult nft(const std::vector<std::string>& args) const {
        std::vector<std::string> argv{nft_};
        argv.insert(argv.end(), args.begin(), args.end());
        return run_command(argv);
    }

    // Packets the table has dropped so far: the sum of its rules' "counter packets N".
    long dropped() const {
        std::istringstream listing(nft({"list", "table", "inet", table()}).out);
        long total = 0;
        std::string previous;
        for (std::string word; listing >> word; previous = word) {
            if (previous == "counter" && word == "packets" && listing >> word)
                total += std::strtol(word.c_str(), nullptr, 10);
        }
        return total;
    }

    std::string nft_;
    std::optional<PrivateNetwork> network_;  // before the cluster: left after it is down
    DeployedCluster cluster_;
    fs::path alice_;
};

TEST_F(ConnectionLimitTest, AFloodOfNewConnectionsFromOneSourceIsHeldToTheRateBeforeAnyHandshake) {
    auto started = std::chrono::steady_clock::now();
    HandshakeFlood flood(client_port(), cluster_.broker_public_key(), "127.0.0.2", kFlood, 1, 120s);
    // The flood does reach the broker (its burst does), and all of it is on its way.
    ASSERT_TRUE(wait_until([&] { return flood.handshakes() >= kBurst / 2; }, 30s,
                           "the flood's first handshakes"));
    ASSERT_TRUE(wait_until([&] { return flood.opened() == kFlood; }, 30s,
                           "the flood's connections to be opened"));
    ASSERT_TRUE(wait_until([&] { return dropped() >= kFlood / 2; }, 30s,
                           "the rule to drop most of the flood's first packets"));
    // Meanwhile users from 127.0.0.1 are served, on new connections: alice lists, and bob
    // registers and lists.
    for (int i = 0; i < 3; ++i)
        EXPECT_TRUE(lists(alice_));
    auto bob = cluster_.new_user("bob");
    EXPECT_TRUE(lists(bob));
    // Of the flood, at most the burst and the rate since it began reached the handshake
    // (+1 s of rate and 10 for the kernel's rounding); without the rule all of it would.
    auto reached = flood.handshakes();
    auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started);
    auto most = kBurst + kRatePerSecond * (elapsed.count() + 1) + 10;
    std::cout << reached << " of " << kFlood << " connections reached the handshake in "
              << elapsed.count() << " s (at most " << most << ")\n";
    EXPECT_LE(reached, most) << reached << " of " << kFlood << " connections reached the "
                             << "broker's handshake in " << elapsed.count() << " s";
    EXPECT_LT(reached, kFlood);
}

TEST_F(ConnectionLimitTest, ConnectionsAlreadyOpenFromTheFloodedSourceAreStillServed) {
    // A neighbour of the flooder (the same address, e.g. behind one NAT) connected before.
    RawClient neighbour("tcp://127.0.0.2:0;127.0.0.1:" + std::to_string(client_port()),
                        cluster_.broker_public_key());
    ASSERT_TRUE(neighbour.call(encode(CaInfoRequest{}, 1), 10s).has_value());
    HandshakeFlood flood(client_port(), cluster_.broker_public_key(), "127.0.0.2", kFlood, 1, 120s);
    ASSERT_TRUE(wait_until([&] { return dropped() >= kFlood / 2; }, 30s,
                           "the rule to drop most of the flood's first packets"));
    // While the address is over its limit, its open connection is answered as before (only
    // new ones wait for the rate).
    for (std::uint64_t id = 2; id < 5; ++id) {
        auto reply = neighbour.call(encode(CaInfoRequest{}, id), 10s);
        ASSERT_TRUE(reply.has_value()) << "no answer on the open connection during the flood";
        EXPECT_FALSE(error_code_of(*reply).has_value());
    }
    EXPECT_GE(dropped(), kFlood / 2);
}

TEST_F(ConnectionLimitTest, DownRemovesTheRuleAndUpWithoutTheFlagLoadsNone) {
    auto name = table();
    ASSERT_FALSE(name.empty()) << "cluster.sh up did not write DIR/broker.connection-limit";
    auto listed = nft({"list", "table", "inet", name});
    ASSERT_EQ(listed.exit_code, 0) << listed.err;
    EXPECT_NE(listed.out.find("limit rate over 5/second burst 20 packets"), std::string::npos)
        << listed.out;
    ASSERT_TRUE(cluster_.down());
    EXPECT_NE(nft({"list", "table", "inet", name}).exit_code, 0) << "the table outlived down";
    EXPECT_FALSE(fs::exists(cluster_.dir() / "broker.connection-limit"));
    ASSERT_TRUE(cluster_.up());
    EXPECT_TRUE(lists(alice_));
    auto ruleset = nft({"list", "ruleset"});
    EXPECT_EQ(ruleset.exit_code, 0) << ruleset.err;
    EXPECT_EQ(ruleset.out, "") << "up without --connection-limit loaded rules";
}

}  // namespace
}  // namespace imgshare::testing
