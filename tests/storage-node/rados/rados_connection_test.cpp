// storage-node/rados/rados_connection against a real cluster: what a wrong configuration
// is told, and that a pool opened in a namespace sees only its own objects.
#include "storage-node/rados/rados_connection.h"

#include <gtest/gtest.h>

#include "tests/storage-node/rados/support/rados_fixture.h"

namespace imgshare::testing {
namespace {

using storage::rados::RadosConnection;

using RadosConnectionTest = RadosTest;

TEST_F(RadosConnectionTest, UnreadableConfFileIsConfig) {
    auto options = this->options();
    options.conf_file = "/nonexistent/secret-place/ceph.conf";
    const auto connection = RadosConnection::connect(options);
    ASSERT_FALSE(connection);
    EXPECT_EQ(connection.error().code, ErrorCode::CONFIG);
    EXPECT_EQ(connection.error().message.find("secret-place"), std::string::npos);
}

TEST_F(RadosConnectionTest, UserWithoutAKeyIsConfig) {
    auto options = this->options();
    options.user = "nobody";
    const auto connection = RadosConnection::connect(options);
    ASSERT_FALSE(connection);
    EXPECT_EQ(connection.error().code, ErrorCode::CONFIG) << describe(connection.error());
}

TEST_F(RadosConnectionTest, MissingPoolIsConfig) {
    const auto pool = connection_->open_pool("no-such-pool");
    ASSERT_FALSE(pool);
    EXPECT_EQ(pool.error().code, ErrorCode::CONFIG);
}

TEST_F(RadosConnectionTest, NamespacesKeepObjectsApart) {
    ASSERT_TRUE(pool_->write_full("object", to_bytes("mine")));
    const auto other = connection_->open_pool(pool_name_, namespace_ + ".other");
    ASSERT_TRUE(other) << describe(other.error());
    EXPECT_EQ(other->read("object").error().code, ErrorCode::NOT_FOUND);
    EXPECT_EQ(pool_->read("object").value(), to_bytes("mine"));
}

TEST_F(RadosConnectionTest, NonPositiveTimeoutIsConfig) {
    auto options = this->options();
    options.op_timeout = std::chrono::seconds(0);
    EXPECT_EQ(RadosConnection::connect(options).error().code, ErrorCode::CONFIG);
}

}  // namespace
}  // namespace imgshare::testing
