#include "common/crypto/secret_bytes.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <type_traits>
#include <utility>

namespace imgshare {
namespace {

static_assert(!std::is_copy_constructible_v<SecretBytes>);
static_assert(!std::is_copy_assignable_v<SecretBytes>);
static_assert(std::is_nothrow_move_constructible_v<SecretBytes>);

TEST(SecretBytesTest, StartsZeroFilled) {
    SecretBytes secret(64);
    ASSERT_EQ(secret.size(), 64u);
    EXPECT_TRUE(std::all_of(secret.data(), secret.data() + secret.size(),
                            [](std::uint8_t b) { return b == 0; }));
}

TEST(SecretBytesTest, DefaultAndZeroSizedAreEmpty) {
    SecretBytes none;
    SecretBytes zero(0);
    EXPECT_TRUE(none.empty());
    EXPECT_TRUE(zero.empty());
    EXPECT_TRUE(none.view().empty());
    EXPECT_TRUE(none.equals(zero));
}

TEST(SecretBytesTest, CopyOfHoldsTheSameContentInItsOwnMemory) {
    const Bytes source{1, 2, 3, 4, 5};
    SecretBytes secret = SecretBytes::copy_of(source);
    ASSERT_EQ(secret.size(), source.size());
    EXPECT_TRUE(std::equal(source.begin(), source.end(), secret.data()));
    EXPECT_NE(static_cast<const void*>(secret.data()), static_cast<const void*>(source.data()));
}

TEST(SecretBytesTest, MoveConstructionEmptiesTheSource) {
    SecretBytes source = SecretBytes::copy_of(Bytes{9, 9, 9});
    const std::uint8_t* buffer = source.data();
    SecretBytes target(std::move(source));
    EXPECT_EQ(source.size(), 0u);  // NOLINT(bugprone-use-after-move): the point of the test
    EXPECT_EQ(source.data(), nullptr);
    EXPECT_EQ(target.data(), buffer);
    EXPECT_EQ(target.size(), 3u);
}

TEST(SecretBytesTest, MoveAssignmentEmptiesTheSourceAndReplacesTheTarget) {
    SecretBytes source = SecretBytes::copy_of(Bytes{7, 7});
    SecretBytes target = SecretBytes::copy_of(Bytes{1, 2, 3, 4});
    target = std::move(source);
    EXPECT_TRUE(source.empty());  // NOLINT(bugprone-use-after-move)
    EXPECT_TRUE(target.equals(SecretBytes::copy_of(Bytes{7, 7})));
}

TEST(SecretBytesTest, EqualsComparesSizeAndEveryByte) {
    const SecretBytes a = SecretBytes::copy_of(Bytes{1, 2, 3, 4});
    EXPECT_TRUE(a.equals(SecretBytes::copy_of(Bytes{1, 2, 3, 4})));
    EXPECT_FALSE(a.equals(SecretBytes::copy_of(Bytes{1, 2, 3, 5})));
    EXPECT_FALSE(a.equals(SecretBytes::copy_of(Bytes{0, 2, 3, 4})));
    EXPECT_FALSE(a.equals(SecretBytes::copy_of(Bytes{1, 2, 3})));
    EXPECT_FALSE(a.equals(SecretBytes()));
}

TEST(SecretBytesTest, LargeBuffersWorkEvenBeyondTheLockLimit) {
    // Far above a typical RLIMIT_MEMLOCK: locking fails silently, the buffer still works.
    SecretBytes big(16 * 1024 * 1024);
    big.data()[big.size() - 1] = 0x42;
    EXPECT_EQ(big.view().back(), 0x42);
}

}  // namespace
}  // namespace imgshare
