// Waiting for what a test expects instead of for a fixed time: a condition
// polled at a short interval until it holds or a time-out passes. A failure
// names what was awaited and for how long, so a slow machine shows as a
// clear time-out, never as a wrong answer read too early.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string_view>

namespace imgshare::testing {

// Calls `condition` every `interval` until it returns true (success) or `timeout` has
// passed ("timed out after 10 s waiting for <what>"). `condition` is always called at
// least once, and once more at the deadline, so a zero timeout means "holds now".
// Use it as ASSERT_TRUE(wait_until(...)) << more context.
[[nodiscard]] ::testing::AssertionResult wait_until(
    const std::function<bool()>& condition, std::chrono::milliseconds timeout,
    std::string_view what, std::chrono::milliseconds interval = std::chrono::milliseconds(10));

}  // namespace imgshare::testing
