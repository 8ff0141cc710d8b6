// The flags of a server that serves through the broker: both broker flags are required,
// --node-id defaults to the service, and a bad endpoint or key is CONFIG.
#include "common/service/worker_flags.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace imgshare::service {
namespace {

class WorkerFlagsTest : public ::testing::Test {
  protected:
    WorkerFlagsTest() { flags_.add_to(app_); }

    void parse(std::vector<std::string> arguments) {
        arguments.insert(arguments.begin(), "server");
        std::vector<const char*> argv;
        for (const auto& argument : arguments)
            argv.push_back(argument.c_str());
        app_.parse(static_cast<int>(argv.size()), argv.data());
    }

    const CurveKeyPair broker_ = generate_curve_keys();
    WorkerFlags flags_{"storage"};
    CLI::App app_{"server"};
};

TEST_F(WorkerFlagsTest, MakesTheWorkerConfigurationWithTheServiceAsDefaultNodeId) {
    CurveKeyPair own = generate_curve_keys();
    const Bytes own_public_key = own.public_key;
    parse({"--broker", "tcp://127.0.0.1:7402", "--broker-key", z85_encode(broker_.public_key)});
    auto config = flags_.config(std::move(own));
    ASSERT_TRUE(config) << config.error().message;
    EXPECT_EQ(config->broker_endpoint, "tcp://127.0.0.1:7402");
    EXPECT_EQ(config->broker_public_key, broker_.public_key);
    EXPECT_EQ(config->keys.public_key, own_public_key);
    EXPECT_EQ(config->service, "storage");
    EXPECT_EQ(config->node_id, "storage");
}

TEST_F(WorkerFlagsTest, NodeIdIsTheOperatorsToChoose) {
    parse({"--broker", "tcp://127.0.0.1:7402", "--broker-key", z85_encode(broker_.public_key),
           "--node-id", "storage-2"});
    auto config = flags_.config(generate_curve_keys());
    ASSERT_TRUE(config);
    EXPECT_EQ(config->node_id, "storage-2");
    EXPECT_EQ(config->service, "storage");
}

TEST_F(WorkerFlagsTest, TheBrokerAndItsKeyAreRequired) {
    EXPECT_THROW(parse({"--broker", "tcp://127.0.0.1:7402"}), CLI::RequiredError);
}

TEST_F(WorkerFlagsTest, ABadEndpointOrKeyIsConfig) {
    parse({"--broker", "nowhere", "--broker-key", z85_encode(broker_.public_key)});
    auto endpoint = flags_.config(generate_curve_keys());
    ASSERT_FALSE(endpoint);
    EXPECT_EQ(endpoint.error().code, ErrorCode::CONFIG);

    WorkerFlags other{"ca"};
    CLI::App app{"server"};
    other.add_to(app);
    const char* argv[] = {"server", "--broker", "tcp://127.0.0.1:7402", "--broker-key", "nope"};
    app.parse(5, argv);
    auto key = other.config(generate_curve_keys());
    ASSERT_FALSE(key);
    EXPECT_EQ(key.error().code, ErrorCode::CONFIG);
    EXPECT_NE(key.error().message.find("--broker-key"), std::string::npos);
}

}  // namespace
}  // namespace imgshare::service
