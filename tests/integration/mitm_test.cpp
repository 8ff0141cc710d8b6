// A man in the middle: an impostor broker with another key on the address
// clients trust, a client misled into pinning another key, a rogue service
// with a key the broker does not list, and a client knocking on the backend.
// None completes a CURVE handshake, so none reads or sends a single request;
// clients fail with a clear error in bounded time, never a hang.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>

#include "common/crypto/keys.h"
#include "common/trust_file.h"
#include "tests/integration/support/cluster_fixture.h"
#include "tests/integration/support/raw_client.h"

namespace imgshare::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Whether the broker's protocol log has recorded a received message of `type`.
bool broker_received(Cluster& cluster, const std::string& type) {
    auto log = read_text(cluster.broker_dir() / "protocol.log");
    return log.find("\"direction\":\"received\"") != std::string::npos &&
           log.find("\"type\":\"" + type + "\"") != std::string::npos;
}

// A server of the attacker's beside the cluster: `name` (imgshare-broker, imgshare-storage)
// initialised with keys of its own in DIR/`label`, then run there with `args`.
std::unique_ptr<Process> start_outsider(Cluster& cluster, const std::string& name,
                                        const std::string& label,
                                        const std::vector<std::string>& args) {
    auto data_dir = cluster.dir() / label;
    auto init = run_command({executable(name), "init", "--data-dir", data_dir.string()});
    if (init.exit_code != 0) throw std::runtime_error(name + " init: " + init.err);
    std::vector<std::string> argv{executable(name), "run", "--data-dir", data_dir.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return std::make_unique<Process>(argv, cluster.dir() / (label + "-process"));
}

class MitmTest : public ClusterTest {};

TEST_F(MitmTest, ImpostorBrokerOnTheTrustedAddressIsRefusedWithAClearError) {
    auto alice = cluster_.new_user("alice");
    auto newcomer = cluster_.new_home("newcomer");
    cluster_.stop_broker();

    // The impostor has its own key (it cannot have the real one) and takes over the
    // address the trust file names.
    auto impostor = start_outsider(
        cluster_, "imgshare-broker", "impostor",
        {"--clients", cluster_.client_endpoint(), "--events", cluster_.events_endpoint(),
         "--backend", "tcp://127.0.0.1:" + std::to_string(free_port())});
    ASSERT_TRUE(impostor->wait_for_err("broker serving", 15s)) << impostor->err();

    for (const auto& [home, args] :
         {std::pair{alice, std::vector<std::string>{"list"}},
          std::pair{newcomer, std::vector<std::string>{"register", "newcomer"}}}) {
        auto started = std::chrono::steady_clock::now();
        auto result = cluster_.imgshare(home, args, 30s);
        auto took = std::chrono::steady_clock::now() - started;
        EXPECT_TRUE(has_error(result, "TIMEOUT")) << args[0] << ": " << result.err;
        EXPECT_NE(result.err.find("trust file"), std::string::npos) << result.err;
        EXPECT_LT(took, 25s) << args[0] << " hung instead of giving up";
    }
    // The impostor never read a message: no handshake completed.
    auto impostor_log = read_text(cluster_.dir() / "impostor" / "protocol.log");
    EXPECT_EQ(impostor_log.find("\"received\""), std::string::npos) << impostor_log;
    impostor->stop();

    // With the real broker back, the same homes work: nothing was spoiled.
    ASSERT_TRUE(cluster_.start_broker());
    ASSERT_TRUE(cluster_.wait_for_service("ca", 2));
    ASSERT_TRUE(cluster_.wait_for_service("storage", 2));
    auto listed = cluster_.imgshare(alice, {"list"});
    EXPECT_EQ(listed.exit_code, 0) << listed.err;
    auto registered = cluster_.imgshare(newcomer, {"register", "newcomer"});
    EXPECT_EQ(registered.exit_code, 0) << registered.err;
}

TEST_F(MitmTest, ClientPinningAnotherKeySendsNothingTheRealBrokerCanRead) {
    auto wrong_trust = cluster_.dir() / "wrong-trust";
    TrustAnchors trust{cluster_.ca_verify_key(), generate_curve_keys().public_key, std::nullopt,
                       cluster_.log_verify_key()};
    std::ofstream(wrong_trust) << format_trust(trust);
    auto home = cluster_.dir() / "homes" / "misled";
    ASSERT_EQ(cluster_
                  .imgshare(home, {"init", "--broker", cluster_.client_endpoint(), "--trust",
                                   wrong_trust.string()})
                  .exit_code,
              0);
    auto result = cluster_.imgshare(home, {"register", "misled"}, 30s);
    EXPECT_TRUE(has_error(result, "TIMEOUT")) << result.err;
    EXPECT_FALSE(broker_received(cluster_, "REGISTER"));
    // The raw form: a request under a wrong pinned key gets no answer at all.
    RawClient misled(cluster_.client_endpoint(), generate_curve_keys().public_key);
    EXPECT_FALSE(misled.call(encode(CaInfoRequest{}, 1), 3s).has_value());
    EXPECT_FALSE(broker_received(cluster_, "CA_INFO"));
}

TEST_F(MitmTest, ServiceWithAKeyTheBrokerDoesNotListCannotJoin) {
    auto rogue = start_outsider(cluster_, "imgshare-storage", "rogue-storage",
                                {"--broker", cluster_.backend_endpoint(), "--broker-key",
                                 z85_encode(cluster_.broker_public_key()), "--ca-key",
                                 to_hex(cluster_.ca_verify_key()), "--node-id", "rogue"});
    EXPECT_TRUE(cluster_.broker()->wait_for_err("service key is not on the allow list", 30s))
        << cluster_.broker()->err();
    EXPECT_EQ(cluster_.broker()->err().find("(rogue)"), std::string::npos);
    EXPECT_FALSE(cluster_.wait_for_service("storage", 2, 100ms));
    rogue->stop();
}

TEST_F(MitmTest, ClientKeyCannotConnectToTheServicesBackend) {
    RawClient intruder(cluster_.backend_endpoint(), cluster_.broker_public_key());
    EXPECT_FALSE(intruder.call(encode(ReadyMessage{"storage", "intruder"}, 0), 3s).has_value());
    EXPECT_EQ(cluster_.broker()->err().find("(intruder)"), std::string::npos);
    EXPECT_FALSE(cluster_.wait_for_service("storage", 2, 100ms));
}

}  // namespace
}  // namespace imgshare::testing
