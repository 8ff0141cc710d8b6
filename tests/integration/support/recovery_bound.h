// The promise of issue #25 that several integration tests hold the system to: every client is
// served again within 5 s of a restarted server being up. One definition, so the tests cannot
// drift apart (two file-local copies also collided in one unity batch).
#pragma once

#include <chrono>

namespace imgshare::testing {

inline constexpr std::chrono::seconds kServedAgainWithin{5};

}  // namespace imgshare::testing
