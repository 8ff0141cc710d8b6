// Test helper: a Result<void> failed with exactly this code (its message shown otherwise).
// One copy: three tests had their own, and a unity batch holding two of them did not build.
#pragma once

#include <gtest/gtest.h>

#include "common/error.h"

namespace imgshare::test {

inline void expect_code(const Result<void>& result, ErrorCode code) {
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, code) << result.error().message;
}

}  // namespace imgshare::test
