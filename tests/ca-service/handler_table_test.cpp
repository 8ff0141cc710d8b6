// The CA's handler table (install_handlers, as imgshare-ca's main builds it)
// against the route table derived from the request structs: every request
// routed to the CA has exactly one handler, and every handler a route.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/protocol/routes.h"
#include "tests/ca-service/ca_test_support.h"

namespace imgshare::ca::testing {
namespace {

class CaHandlerTableTest : public CaTest {};

TEST_F(CaHandlerTableTest, EveryRequestRoutedToTheCaHasItsHandlerAndNothingElseDoes) {
    ProtocolLog log = ProtocolLog::disabled();
    service::ServiceWorker worker(
        service::WorkerConfig{"tcp://127.0.0.1:1", generate_curve_keys().public_key,
                              generate_curve_keys(), std::string(kCaService), "test"},
        log, clock_);
    install_handlers(worker, *ca_);  // a type registered twice would throw here

    std::vector<std::string> routed;
    for (const auto& route : request_routes()) {
        if (route.service == kCaService) routed.emplace_back(route.type);
    }
    std::ranges::sort(routed);
    EXPECT_EQ(worker.handled_types(), routed);
    // The broker's own requests are among them.
    EXPECT_TRUE(std::ranges::find(routed, "REWRAP") != routed.end());
    EXPECT_TRUE(std::ranges::find(routed, "LOOKUP_CURVE_KEY") != routed.end());
}

}  // namespace
}  // namespace imgshare::ca::testing
