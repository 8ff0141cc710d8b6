#include "common/crypto/sodium_init.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <thread>
#include <vector>

namespace imgshare {
namespace {

TEST(SodiumInitTest, InitialisesOnceFromManyThreads) {
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i)
        threads.emplace_back([] { ensure_sodium(); });
    for (auto& thread : threads)
        thread.join();
    // sodium_init returns 1 once libsodium is initialised.
    EXPECT_EQ(sodium_init(), 1);
}

}  // namespace
}  // namespace imgshare
