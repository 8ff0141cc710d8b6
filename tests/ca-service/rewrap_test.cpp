// REWRAP: a content key sealed to the server comes back sealed to the
// requester's certified box key, and to no one else.
#include <gtest/gtest.h>

#include "common/crypto/sealed_box.h"
#include "tests/ca-service/ca_test_support.h"

namespace imgshare::ca::testing {
namespace {

class RewrapTest : public CaTest {
  protected:
    void SetUp() override {
        CaTest::SetUp();
        register_ok("bob", bob_);
        content_key_ = Bytes(32);
        for (std::size_t i = 0; i < content_key_.size(); ++i)
            content_key_[i] = static_cast<std::uint8_t>(i * 7 + 1);
    }

    RewrapRequest sealed_to_server(ByteView key, const std::string& requester = "bob") const {
        return RewrapRequest{seal(key, keys_->wrap.public_key), requester};
    }

    UserKeys bob_;
    Bytes content_key_;
};

TEST_F(RewrapTest, TheRequesterUnsealsTheSameKey) {
    auto reply = ca_->rewrap(sealed_to_server(content_key_), from_broker());
    ASSERT_TRUE(reply) << error_of(reply).message;
    auto opened = unseal(reply->wrapped_key, bob_.box);
    ASSERT_TRUE(opened);
    EXPECT_EQ(Bytes(opened->view().begin(), opened->view().end()), content_key_);
    // Sealed to bob's box key only: neither the server's key nor another user's opens it.
    expect_error(unseal(reply->wrapped_key, keys_->wrap), ErrorCode::INTEGRITY);
    expect_error(unseal(reply->wrapped_key, generate_box_keys()), ErrorCode::INTEGRITY);
}

TEST_F(RewrapTest, AKeySealedToAnotherKeyIsAnIntegrityError) {
    RewrapRequest request{seal(content_key_, generate_box_keys().public_key), "bob"};
    auto reply = ca_->rewrap(request, from_broker());
    expect_error(reply, ErrorCode::INTEGRITY);
    EXPECT_EQ(error_of(reply).message, "the key is not sealed to this server");
}

TEST_F(RewrapTest, ATamperedOrTruncatedSealIsAnIntegrityError) {
    auto request = sealed_to_server(content_key_);
    request.wrapped_key[40] ^= 1;
    expect_error(ca_->rewrap(request, from_broker()), ErrorCode::INTEGRITY);
    request = sealed_to_server(content_key_);
    request.wrapped_key.resize(20);
    expect_error(ca_->rewrap(request, from_broker()), ErrorCode::INTEGRITY);
    request.wrapped_key.clear();
    expect_error(ca_->rewrap(request, from_broker()), ErrorCode::INTEGRITY);
}

TEST_F(RewrapTest, OnlyA32ByteContentKeyIsRewrapped) {
    for (std::size_t size : {0u, 16u, 31u, 33u, 64u}) {
        auto reply = ca_->rewrap(sealed_to_server(Bytes(size, 9)), from_broker());
        expect_error(reply, ErrorCode::INTEGRITY);
    }
}

TEST_F(RewrapTest, AnUnknownRequesterIsNotRegistered) {
    expect_error(ca_->rewrap(sealed_to_server(content_key_, "carol"), from_broker()),
                 ErrorCode::NOT_REGISTERED);
}

TEST_F(RewrapTest, ARequesterNameThatBreaksTheRuleIsABadRequest) {
    expect_error(ca_->rewrap(sealed_to_server(content_key_, "anon:xyz"), from_broker()),
                 ErrorCode::BAD_REQUEST);
}

TEST_F(RewrapTest, ARevokedRequesterGetsNoKey) {
    ASSERT_TRUE(registry_->revoke("bob", clock_.now_seconds()));
    expect_error(ca_->rewrap(sealed_to_server(content_key_), from_broker()), ErrorCode::REVOKED);
}

TEST_F(RewrapTest, AnExpiredCertificateGetsNoKey) {
    clock_.advance_seconds(366 * 86400);
    expect_error(ca_->rewrap(sealed_to_server(content_key_), from_broker()), ErrorCode::EXPIRED);
}

TEST_F(RewrapTest, OnlyTheBrokerMayAsk) {
    auto request = sealed_to_server(content_key_);
    for (const auto& context : {as_user("bob"), as_user("alice"), anonymous(bob_),
                                unconfirmed(bob_), from_service(), from_service(kCaService)}) {
        expect_error(ca_->rewrap(request, context), ErrorCode::FORBIDDEN);
    }
}

}  // namespace
}  // namespace imgshare::ca::testing
