// What a compromised CA does to impersonate a user (issue #22, attack 1): with its issuing key,
// it writes a certificate for the user's name with keys of its choosing straight into its
// registry (the CA stopped meanwhile, started again after), logged as every certificate is.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "common/certificate.h"
#include "tests/integration/support/cluster.h"

namespace imgshare::testing {

// The impostor certificate for `username` (the next serial), in the cluster's registry and log;
// a failed assertion when the CA's keys or registry cannot be used or the CA does not restart.
::testing::AssertionResult issue_impostor(Cluster& cluster, const std::string& username,
                                          Certificate& impostor);

}  // namespace imgshare::testing
