#include "tests/integration/support/wait.h"

#include <algorithm>
#include <thread>

namespace imgshare::testing {

::testing::AssertionResult wait_until(const std::function<bool()>& condition,
                                      std::chrono::milliseconds timeout, std::string_view what,
                                      std::chrono::milliseconds interval) {
    using Clock = std::chrono::steady_clock;
    auto deadline = Clock::now() + timeout;
    while (!condition()) {
        auto now = Clock::now();
        if (now >= deadline) {
            return ::testing::AssertionFailure()
                   << "timed out after " << timeout.count() << " ms waiting for " << what;
        }
        // The last sleep ends at the deadline, so the condition is checked there too.
        std::this_thread::sleep_for(std::min<Clock::duration>(interval, deadline - now));
    }
    return ::testing::AssertionSuccess();
}

}  // namespace imgshare::testing
