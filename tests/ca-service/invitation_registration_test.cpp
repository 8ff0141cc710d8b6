// A CA that registers by invitation (Registration::Invite): no REGISTER without a valid
// invitation of its own, each invitation registers once, a refused registration does not
// spend it, and a retry of the registration it admitted is answered again.
#include <gtest/gtest.h>

#include "common/invitation.h"
#include "tests/ca-service/ca_test_support.h"

namespace imgshare::ca::testing {
namespace {

class InvitationRegistrationTest : public CaTest {
  protected:
    void SetUp() override {
        CaTest::SetUp();
        invite_only();
    }

    void invite_only() {
        ca_.emplace(*keys_, *registry_, clock_, kDefaultValiditySeconds, Registration::Invite);
    }

    std::string invitation(std::string_view name = "", std::int64_t lifetime = 3600) {
        return make_invitation(name, clock_.now_seconds() + lifetime, keys_->signing.secret_key);
    }

    Result<RegisterReply> register_with(const std::string& username, const UserKeys& keys,
                                        std::string token) {
        auto request = register_request(username, keys);
        request.invite = std::move(token);
        return ca_->register_user(request, anonymous(keys));
    }

    UserKeys alice_, bob_;
};

TEST_F(InvitationRegistrationTest, WithoutAnInvitationNobodyRegisters) {
    auto refused = register_with("alice", alice_, "");
    expect_error(refused, ErrorCode::FORBIDDEN);
    EXPECT_NE(error_of(refused).message.find("by invitation only"), std::string::npos);
    EXPECT_EQ(next_serial(), 1u) << "nothing was issued";
}

TEST_F(InvitationRegistrationTest, AnInvitationRegistersOnceEvenAcrossARestart) {
    const auto token = invitation();
    ASSERT_TRUE(register_with("alice", alice_, token));
    auto again = register_with("bob", bob_, token);
    expect_error(again, ErrorCode::FORBIDDEN);
    EXPECT_EQ(error_of(again).message, "this invitation has been used");
    restart();
    invite_only();
    expect_error(register_with("bob", bob_, token), ErrorCode::FORBIDDEN);
    EXPECT_TRUE(register_with("bob", bob_, invitation()));
}

TEST_F(InvitationRegistrationTest, TheRegistrationAnInvitationAdmittedIsAnsweredAgainOnARetry) {
    const auto token = invitation("alice");
    auto first = register_with("alice", alice_, token);
    ASSERT_TRUE(first);
    auto retry = register_with("alice", alice_, token);
    ASSERT_TRUE(retry) << retry.error().message;
    EXPECT_EQ(retry->certificate, first->certificate);
}

TEST_F(InvitationRegistrationTest, ARefusedRegistrationDoesNotSpendTheInvitation) {
    ASSERT_TRUE(register_with("alice", alice_, invitation()));
    const auto token = invitation();
    expect_error(register_with("alice", bob_, token), ErrorCode::NAME_TAKEN);
    EXPECT_TRUE(register_with("bob", bob_, token));
}

TEST_F(InvitationRegistrationTest, ExpiredForgedMisnamedAndMalformedInvitationsAreRefused) {
    const auto expiring = invitation("", 60);
    clock_.advance_seconds(60);
    expect_error(register_with("alice", alice_, expiring), ErrorCode::EXPIRED);
    const auto forged = make_invitation("", clock_.now_seconds() + 3600,
                                        generate_signing_keys().secret_key);
    expect_error(register_with("alice", alice_, forged), ErrorCode::BAD_SIGNATURE);
    auto misnamed = register_with("alice", alice_, invitation("carol"));
    expect_error(misnamed, ErrorCode::FORBIDDEN);
    EXPECT_EQ(error_of(misnamed).message, "this invitation is for the name carol");
    expect_error(register_with("alice", alice_, "imgshare-invite-AAAA"), ErrorCode::BAD_REQUEST);
    EXPECT_EQ(next_serial(), 1u) << "nothing was issued";
    // None of them spent anything: a good one still registers.
    EXPECT_TRUE(register_with("alice", alice_, invitation("alice")));
}

}  // namespace
}  // namespace imgshare::ca::testing
