#include "common/process.h"

#include <sys/prctl.h>
#include <sys/resource.h>

#include <gtest/gtest.h>

namespace imgshare {
namespace {

TEST(ProcessTest, NoCoreFileAndNoOtherProcessMayReadTheMemory) {
    disable_core_dumps();
    struct rlimit limit {};
    ASSERT_EQ(getrlimit(RLIMIT_CORE, &limit), 0);
    EXPECT_EQ(limit.rlim_cur, 0u);
    EXPECT_EQ(limit.rlim_max, 0u);
#if !defined(__SANITIZE_ADDRESS__)  // ASan builds stay dumpable for LeakSanitizer
    EXPECT_EQ(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
#endif
}

}  // namespace
}  // namespace imgshare
