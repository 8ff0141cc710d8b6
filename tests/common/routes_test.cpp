#include "common/protocol/routes.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "common/protocol/message_types.h"

namespace imgshare {
namespace {

TEST(RoutesTest, EveryRequestHasOneRouteAndNoControlMessageHasAny) {
    std::set<std::string_view> routed;
    for (const auto& route : request_routes()) {
        EXPECT_TRUE(routed.insert(route.type).second) << route.type << " is routed twice";
        EXPECT_TRUE(route.service == kCaService || route.service == kStorageService ||
                    route.service == kWitnessService)
            << route.type;
        EXPECT_EQ(route_of(route.type), route);
    }
    for (auto type : request_type_names()) {
        bool control = type == "READY" || type == "HEARTBEAT" || type == "DISCONNECT" ||
                       type == "USER_REVOKED" || type == "USER_RELEASED";
        EXPECT_EQ(routed.contains(type), !control) << type;
    }
    for (auto type : {"OK", "ERROR", "NEW_IMAGE", "", "list"})
        EXPECT_FALSE(route_of(type).has_value()) << type;
}

TEST(RoutesTest, EachServiceIsRoutedItsOwnTypes) {
    EXPECT_EQ(types_routed_to(kCaService),
              (std::vector<std::string>{"CA_INFO", "GET_CERT", "LOG_CONSISTENCY", "LOG_ENTRIES",
                                        "LOG_HEAD", "LOG_PROOF", "LOOKUP_CURVE_KEY", "REGISTER",
                                        "RENEW", "REWRAP"}));
    EXPECT_EQ(types_routed_to(kStorageService),
              (std::vector<std::string>{"ABANDON", "DELETE", "DOWNLOAD", "GET_CHUNK", "LIST",
                                        "POST_BEGIN", "POST_CHUNK", "POST_COMMIT", "POST_IMAGE",
                                        "SHARE", "UPLOADS", "USAGE"}));
    EXPECT_EQ(types_routed_to(kWitnessService),
              (std::vector<std::string>{"ADD_CHECKPOINT", "WITNESS_STATE"}));
    EXPECT_TRUE(types_routed_to("broker").empty());
}

TEST(RoutesTest, WhoMaySendWhat) {
    EXPECT_EQ(route_of("CA_INFO")->sent_by, Sender::anyone);
    EXPECT_EQ(route_of("REGISTER")->sent_by, Sender::anyone);
    for (auto type : {"GET_CERT", "RENEW", "POST_BEGIN", "POST_CHUNK", "POST_COMMIT", "POST_IMAGE",
                      "LIST", "DOWNLOAD", "GET_CHUNK", "SHARE", "UPLOADS", "ABANDON", "USAGE",
                      "LOG_HEAD", "LOG_CONSISTENCY", "LOG_ENTRIES", "LOG_PROOF"}) {
        EXPECT_EQ(route_of(type)->sent_by, Sender::registered_user) << type;
    }
    EXPECT_EQ(route_of("LOOKUP_CURVE_KEY")->sent_by, Sender::broker);
    EXPECT_EQ(route_of("REWRAP")->sent_by, Sender::broker);
    EXPECT_EQ(route_of("REWRAP")->service, kCaService);
    EXPECT_EQ(route_of("SHARE")->service, kStorageService);
    for (auto type : {"WITNESS_STATE", "ADD_CHECKPOINT"}) {
        EXPECT_EQ(route_of(type)->sent_by, Sender::certificate_log) << type;
        EXPECT_EQ(route_of(type)->service, kWitnessService) << type;
    }
}

}  // namespace
}  // namespace imgshare
