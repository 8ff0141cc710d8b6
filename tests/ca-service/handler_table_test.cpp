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

    auto handled = worker.handled_types();
    EXPECT_EQ(handled, types_routed_to(kCaService));
    // The broker's own requests are among them.
    EXPECT_TRUE(std::ranges::find(handled, "REWRAP") != handled.end());
    EXPECT_TRUE(std::ranges::find(handled, "LOOKUP_CURVE_KEY") != handled.end());
}

}  // namespace
}  // namespace imgshare::ca::testing
