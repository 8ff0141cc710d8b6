#include "common/wrap_key.h"

#include <gtest/gtest.h>

#include "common/crypto/keys.h"
#include "common/crypto/signing.h"

namespace imgshare {
namespace {

TEST(WrapKeyTest, OnlyTheCasSignatureOverThisKeyVerifies) {
    auto ca = generate_signing_keys();
    auto other_ca = generate_signing_keys();
    auto wrap = generate_box_keys().public_key;
    auto other_wrap = generate_box_keys().public_key;
    auto signature = sign_wrap_key(wrap, ca.secret_key);
    EXPECT_TRUE(verify_wrap_key(wrap, signature, ca.public_key));
    // Another key under the real signature, the real key under another CA, no signature.
    EXPECT_EQ(verify_wrap_key(other_wrap, signature, ca.public_key).error().code,
              ErrorCode::BAD_SIGNATURE);
    EXPECT_EQ(
        verify_wrap_key(wrap, sign_wrap_key(wrap, other_ca.secret_key), ca.public_key).error().code,
        ErrorCode::BAD_SIGNATURE);
    EXPECT_EQ(verify_wrap_key(wrap, {}, ca.public_key).error().code, ErrorCode::BAD_SIGNATURE);
}

TEST(WrapKeyTest, ASignatureMadeForAnotherPurposeDoesNotVerify) {
    auto ca = generate_signing_keys();
    auto wrap = generate_box_keys().public_key;
    // The same bytes signed under another context (a certificate's, say) are no vouching.
    auto signature = sign("imgshare/certificate/v1", wrap, ca.secret_key);
    EXPECT_EQ(verify_wrap_key(wrap, signature, ca.public_key).error().code,
              ErrorCode::BAD_SIGNATURE);
}

}  // namespace
}  // namespace imgshare
