// The storage node's handler table (serve(), as imgshare-storage's main builds
// it) against the route table derived from the request structs: every request
// routed to storage has exactly one handler, and every handler a route.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/protocol/routes.h"
#include "tests/storage-node/storage_test_support.h"

namespace imgshare::storage::testing {
namespace {

class StorageHandlerTableTest : public StorageTest {};

TEST_P(StorageHandlerTableTest, EveryRequestRoutedToStorageHasItsHandlerAndNothingElseDoes) {
    ProtocolLog log = ProtocolLog::disabled();
    service::ServiceWorker worker(
        service::WorkerConfig{"tcp://127.0.0.1:1", generate_curve_keys().public_key,
                              generate_curve_keys(), std::string(kStorageService), "test"},
        log, clock_);
    serve(service(), worker);  // a type registered twice would throw here

    EXPECT_EQ(worker.handled_types(), types_routed_to(kStorageService));
}

INSTANTIATE_TEST_SUITE_P(Backends, StorageHandlerTableTest, on_every_backend(), backend_name);

}  // namespace
}  // namespace imgshare::storage::testing
