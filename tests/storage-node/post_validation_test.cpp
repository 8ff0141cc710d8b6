// validate_post's bounds on what an owner may claim in a signed envelope: created_at within
// the documented skew of the node's clock and of the certificate's issue (PROTOCOL.md,
// "The envelope"). The signature is valid in every case: only the claim is refused.
#include "storage-node/post_validation.h"

#include <gtest/gtest.h>

#include "tests/storage-node/storage_test_support.h"

namespace imgshare::storage::testing {
namespace {

constexpr std::int64_t kNow = 1'800'000'000;

class PostValidationTest : public ::testing::Test {
  protected:
    // The image re-signed by its owner with another created_at.
    PostBeginRequest created_at(std::int64_t when) {
        auto image = make_image(alice_, named("cat"), wrap_.public_key, kNow);
        image.envelope.created_at = when;
        image.begin.envelope = encode_envelope(image.envelope);
        image.begin.signature = sign_envelope(image.begin.envelope, alice_.sign.secret_key);
        return image.begin;
    }

    Result<ValidatedPost> validate(const PostBeginRequest& request) {
        return validate_post(request, "alice", PostRules{verifier_, 1u << 30, kNow});
    }

    TestCa ca_;
    TestUser alice_ = ca_.issue("alice", kNow);  // not_before: kNow - 60
    BoxKeyPair wrap_ = generate_box_keys();
    CertificateVerifier verifier_{ca_.verify_key()};
};

TEST_F(PostValidationTest, CreatedAtMoreThanTheSkewAheadOfTheNodesClockIsRefused) {
    EXPECT_TRUE(validate(created_at(kNow + kCreatedAtSkewSeconds)).has_value());
    auto refused = validate(created_at(kNow + kCreatedAtSkewSeconds + 1));
    expect_error(refused, ErrorCode::BAD_REQUEST);
    ASSERT_FALSE(refused.has_value());
    EXPECT_NE(refused.error().message.find("ahead of the storage node's clock"), std::string::npos);
    expect_error(validate(created_at(4'102'444'800)), ErrorCode::BAD_REQUEST);  // year 2100
}

TEST_F(PostValidationTest, CreatedAtBeforeTheOwnersCertificateWasIssuedIsRefused) {
    const auto issued = alice_.certificate.not_before;
    EXPECT_TRUE(validate(created_at(issued - kCreatedAtSkewSeconds)).has_value());
    auto refused = validate(created_at(issued - kCreatedAtSkewSeconds - 1));
    expect_error(refused, ErrorCode::BAD_REQUEST);
    ASSERT_FALSE(refused.has_value());
    EXPECT_NE(refused.error().message.find("before its owner's certificate"), std::string::npos);
    expect_error(validate(created_at(0)), ErrorCode::BAD_REQUEST);
}

TEST_F(PostValidationTest, AnEnvelopeMadeNowIsAccepted) {
    EXPECT_TRUE(validate(created_at(kNow)).has_value());
}

}  // namespace
}  // namespace imgshare::storage::testing
