#include "broker/routing_table.h"

#include <gtest/gtest.h>

namespace imgshare::broker {
namespace {

TEST(RoutingTableTest, ClientRequestsGoToTheirService) {
    EXPECT_EQ(route_for("REGISTER")->service, kCaService);
    EXPECT_TRUE(anonymous_allowed(*route_for("REGISTER")));
    EXPECT_TRUE(anonymous_allowed(*route_for("CA_INFO")));
    EXPECT_EQ(route_for("POST_CHUNK")->service, kStorageService);
    EXPECT_FALSE(anonymous_allowed(*route_for("POST_BEGIN")));
    EXPECT_EQ(route_for("POST_IMAGE")->service, kStorageService);
    EXPECT_FALSE(anonymous_allowed(*route_for("POST_IMAGE")));
    EXPECT_FALSE(anonymous_allowed(*route_for("LIST")));
    EXPECT_FALSE(anonymous_allowed(*route_for("DOWNLOAD")));
    EXPECT_FALSE(anonymous_allowed(*route_for("GET_CERT")));
    EXPECT_FALSE(anonymous_allowed(*route_for("RENEW")));
}

TEST(RoutingTableTest, InternalAndUnknownTypesHaveNoClientRoute) {
    for (auto type : {"REWRAP", "LOOKUP_CURVE_KEY", "USER_REVOKED", "USER_RELEASED", "READY",
                      "HEARTBEAT", "DISCONNECT", "OK", "ERROR", "NEW_IMAGE", "", "register",
                      "WITNESS_STATE", "ADD_CHECKPOINT"}) {
        EXPECT_FALSE(route_for(type).has_value()) << type;
    }
}

TEST(RoutingTableTest, EveryRouteAClientMaySendIsRouted) {
    for (const auto& route : request_routes()) {
        EXPECT_EQ(route_for(route.type).has_value(),
                  route.sent_by == Sender::anyone || route.sent_by == Sender::registered_user)
            << route.type;
    }
}

}  // namespace
}  // namespace imgshare::broker
