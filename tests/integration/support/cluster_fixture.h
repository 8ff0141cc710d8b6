// The fixture of most integration tests: a fresh cluster (broker, CA and
// storage node: support/cluster.h) for each test, stopped when the test ends.
// A test suite that needs other options declares its own Cluster member.
#pragma once

#include <gtest/gtest.h>

#include "tests/integration/support/cluster.h"

namespace imgshare::testing {

class ClusterTest : public ::testing::Test {
  protected:
    Cluster cluster_;
};

}  // namespace imgshare::testing
