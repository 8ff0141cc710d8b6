// The promise that a hung cluster never hangs a caller: with the real daemons stopped
// (SIGSTOP by their pids), operations fail with the retryable SERVICE_UNAVAILABLE within
// the configured timeout plus slack, and work again once the daemons continue. These tests
// freeze the shared test cluster, so ctest runs them alone (RUN_SERIAL).
#include <gtest/gtest.h>

#include <chrono>

#include "storage-node/rados/rados_connection.h"
#include "storage-node/rados/rados_errors.h"
#include "tests/integration/support/wait.h"
#include "tests/storage-node/rados/support/rados_fixture.h"

namespace imgshare::testing {
namespace {

using namespace std::chrono_literals;
using storage::rados::RadosConnection;
using Clock = std::chrono::steady_clock;

// Time for the process to be scheduled on a loaded 2-core machine, past the timeout itself.
constexpr auto kSlack = 4s;

class RadosTimeoutTest : public RadosTest {
  protected:
    void SetUp() override {
        RadosTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) {
            return;
        }
        auto options = this->options();
        options.op_timeout = 2s;
        options.mount_timeout = 2s;
        auto connection = RadosConnection::connect(options);
        ASSERT_TRUE(connection) << describe(connection.error());
        auto pool = connection->open_pool(pool_name_, namespace_);
        ASSERT_TRUE(pool) << describe(pool.error());
        short_pool_.emplace(std::move(*pool));
    }

    // After the daemons continue, the cluster serves again (so later tests find it whole).
    void expect_serving_again() {
        EXPECT_TRUE(wait_until([&] { return pool_->read("object").has_value(); }, 60s,
                               "the cluster to serve a read again after SIGCONT", 200ms));
    }

    std::optional<storage::rados::RadosPool> short_pool_;
};

TEST_F(RadosTimeoutTest, AllOsdsStoppedGiveTheTimeoutErrorNotAHang) {
    ASSERT_TRUE(pool_->write_full("object", to_bytes("data")));
    const auto osds = daemon_pids("osd");
    ASSERT_FALSE(osds.empty()) << "no OSD pid files in the conf's run_dir";
    {
        FrozenProcesses frozen(osds);
        for (const char* operation : {"read", "write"}) {
            const auto started = Clock::now();
            Result<void> result;
            if (std::string(operation) == "read") {
                if (auto read = short_pool_->read("object"); !read) {
                    result = std::unexpected(read.error());
                }
            } else {
                result = short_pool_->write_full("object", to_bytes("new"));
            }
            const auto took = Clock::now() - started;
            ASSERT_FALSE(result) << operation << " succeeded with every OSD stopped";
            EXPECT_EQ(result.error().code, ErrorCode::SERVICE_UNAVAILABLE) << describe(result.error());
            EXPECT_NE(result.error().message.find("did not answer in time"), std::string::npos);
            EXPECT_TRUE(storage::rados::is_retryable(result.error()));
            EXPECT_GE(took, 2s - 100ms) << operation;
            EXPECT_LT(took, 2s + kSlack) << operation;
        }
    }
    expect_serving_again();
}

TEST_F(RadosTimeoutTest, StoppedMonitorGivesTheTimeoutErrorOnConnect) {
    ASSERT_TRUE(pool_->write_full("object", to_bytes("data")));
    const auto mons = daemon_pids("mon");
    ASSERT_FALSE(mons.empty()) << "no mon pid file in the conf's run_dir";
    {
        FrozenProcesses frozen(mons);
        auto options = this->options();
        options.mount_timeout = 2s;
        const auto started = Clock::now();
        const auto connection = RadosConnection::connect(options);
        const auto took = Clock::now() - started;
        ASSERT_FALSE(connection) << "connected with the only monitor stopped";
        EXPECT_EQ(connection.error().code, ErrorCode::SERVICE_UNAVAILABLE)
            << describe(connection.error());
        EXPECT_LT(took, 2s + kSlack);
    }
    expect_serving_again();
}

}  // namespace
}  // namespace imgshare::testing
