// deploy/cluster.sh and its witness (issue #22): `up` starts one beside the CA and writes it
// into the trust file with witness_quorum = 1, so every registration and lookup needs its
// cosignature; an `up` while the cluster runs (as deploy/crash.sh does after killing one
// server) leaves the running witness as it is and comes up.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "common/trust_file.h"
#include "tests/integration/support/deployed_cluster.h"

namespace imgshare::testing {
namespace {

TEST(DeployedWitnessTest, UpStartsAWitnessUsersNeedAndASecondUpKeepsIt) {
    DeployedCluster cluster;
    ASSERT_TRUE(cluster.up());
    auto trust = load_trust_file(cluster.dir() / "trust");
    ASSERT_TRUE(trust) << trust.error().message;
    EXPECT_EQ(trust->witnesses.witness_keys.size(), 1u);
    EXPECT_EQ(trust->witnesses.quorum, 1u);
    auto alice = cluster.new_user("alice");  // her registration came cosigned
    cluster.new_user("bob");

    std::string witness_pid;
    std::ifstream(cluster.dir() / "pids" / "witness.pid") >> witness_pid;
    ASSERT_FALSE(witness_pid.empty());
    ASSERT_TRUE(cluster.up());  // everything runs already
    std::string still;
    std::ifstream(cluster.dir() / "pids" / "witness.pid") >> still;
    EXPECT_EQ(still, witness_pid);
    auto whois = cluster.imgshare(alice, {"whois", "bob"});
    EXPECT_EQ(whois.exit_code, 0) << whois.err;
}

}  // namespace
}  // namespace imgshare::testing
