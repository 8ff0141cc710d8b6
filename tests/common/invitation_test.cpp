// Invitations: only the CA's key makes one that checks, it ends at its expiry, a named one
// registers only that name, and nothing but a well-formed token decodes.
#include "common/invitation.h"

#include <gtest/gtest.h>

#include "common/crypto/keys.h"

namespace imgshare {
namespace {

constexpr std::int64_t kNow = 1'800'000'000;

class InvitationTest : public ::testing::Test {
  protected:
    SigningKeyPair ca_ = generate_signing_keys();
    SigningKeyPair other_ca_ = generate_signing_keys();

    std::optional<ErrorCode> check(std::string_view token, std::string_view username,
                                   std::int64_t now = kNow) {
        auto invitation = decode_invitation(token);
        if (!invitation) return invitation.error().code;
        auto checked = check_invitation(*invitation, ca_.public_key, username, now);
        return checked ? std::nullopt : std::optional(checked.error().code);
    }
};

TEST_F(InvitationTest, AnInvitationFromTheCaRegistersAnyNameUntilItExpires) {
    auto token = make_invitation("", kNow + 3600, ca_.secret_key);
    EXPECT_TRUE(token.starts_with("imgshare-invite-"));
    EXPECT_EQ(check(token, "alice"), std::nullopt);
    EXPECT_EQ(check(token, "bob"), std::nullopt);
    EXPECT_EQ(check(token, "alice", kNow + 3599), std::nullopt);
    EXPECT_EQ(check(token, "alice", kNow + 3600), ErrorCode::EXPIRED);
}

TEST_F(InvitationTest, ANamedInvitationRegistersOnlyThatName) {
    auto token = make_invitation("carol", kNow + 3600, ca_.secret_key);
    EXPECT_EQ(check(token, "carol"), std::nullopt);
    auto invitation = decode_invitation(token);
    ASSERT_TRUE(invitation.has_value());
    auto refused = check_invitation(*invitation, ca_.public_key, "mallory", kNow);
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, ErrorCode::FORBIDDEN);
    EXPECT_EQ(refused.error().message, "this invitation is for the name carol");
}

TEST_F(InvitationTest, OnlyTheCasKeyMakesOneThatChecks) {
    EXPECT_EQ(check(make_invitation("", kNow + 3600, other_ca_.secret_key), "alice"),
              ErrorCode::BAD_SIGNATURE);
    // Any field changed after signing: a longer expiry, another name.
    auto invitation = decode_invitation(make_invitation("carol", kNow + 60, ca_.secret_key));
    ASSERT_TRUE(invitation.has_value());
    auto later = *invitation;
    later.expires_at += 86'400;
    EXPECT_FALSE(check_invitation(later, ca_.public_key, "carol", kNow).has_value());
    auto renamed = *invitation;
    renamed.name = "mallory";
    auto refused = check_invitation(renamed, ca_.public_key, "mallory", kNow);
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, ErrorCode::BAD_SIGNATURE);
}

TEST_F(InvitationTest, TwoInvitationsAreNeverTheSame) {
    auto first = decode_invitation(make_invitation("", kNow + 60, ca_.secret_key));
    auto second = decode_invitation(make_invitation("", kNow + 60, ca_.secret_key));
    ASSERT_TRUE(first && second);
    EXPECT_NE(first->nonce, second->nonce);
    EXPECT_EQ(first->nonce.size(), kInvitationNonceSize);
}

TEST_F(InvitationTest, AnythingButAWellFormedTokenIsBadRequest) {
    auto token = make_invitation("carol", kNow + 3600, ca_.secret_key);
    for (std::string bad : {std::string(), std::string("imgshare-invite-"),
                            token.substr(16), std::string("imgshare-invite-!!!!"), token.substr(0, 40),
                            token + "A", "x" + token, std::string(600, 'A')}) {
        auto decoded = decode_invitation(bad);
        ASSERT_FALSE(decoded.has_value()) << bad;
        EXPECT_EQ(decoded.error().code, ErrorCode::BAD_REQUEST) << bad;
    }
}

}  // namespace
}  // namespace imgshare
