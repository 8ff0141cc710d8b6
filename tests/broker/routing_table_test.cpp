#include "broker/routing_table.h"

#include <gtest/gtest.h>

#include "broker/peer_identity.h"

namespace imgshare::broker {
namespace {

TEST(RoutingTableTest, ClientRequestsGoToTheirService) {
    EXPECT_EQ(route_for("REGISTER")->service, kCaService);
    EXPECT_TRUE(route_for("REGISTER")->anonymous_allowed);
    EXPECT_TRUE(route_for("CA_INFO")->anonymous_allowed);
    EXPECT_EQ(route_for("POST_CHUNK")->service, kStorageService);
    EXPECT_FALSE(route_for("POST_BEGIN")->anonymous_allowed);
    EXPECT_EQ(route_for("POST_IMAGE")->service, kStorageService);
    EXPECT_FALSE(route_for("POST_IMAGE")->anonymous_allowed);
    EXPECT_FALSE(route_for("LIST")->anonymous_allowed);
    EXPECT_FALSE(route_for("DOWNLOAD")->anonymous_allowed);
    EXPECT_FALSE(route_for("GET_CERT")->anonymous_allowed);
}

TEST(RoutingTableTest, InternalAndUnknownTypesHaveNoClientRoute) {
    for (auto type : {"REWRAP", "LOOKUP_CURVE_KEY", "USER_REVOKED", "READY", "HEARTBEAT",
                      "DISCONNECT", "OK", "ERROR", "NEW_IMAGE", "", "register"}) {
        EXPECT_FALSE(route_for(type).has_value()) << type;
    }
}

TEST(PeerIdentityTest, OnlyRegisteredUsersAreNotAnonymous) {
    EXPECT_FALSE(is_anonymous("alice"));
    EXPECT_TRUE(is_anonymous(""));
    EXPECT_TRUE(is_anonymous("anon:abc"));
    EXPECT_TRUE(is_anonymous("unknown:abc"));
    EXPECT_TRUE(is_anonymous("service:abc"));
}

}  // namespace
}  // namespace imgshare::broker
