#include "broker/authenticator.h"

#include <gtest/gtest.h>

#include "common/crypto/keys.h"

namespace imgshare::broker {
namespace {

ZapRequest request_for(std::string_view domain, const Bytes& key) {
    ZapRequest request;
    request.domain = std::string(domain);
    request.mechanism = "CURVE";
    request.client_key = key;
    return request;
}

TEST(AuthenticatorTest, ServicesNeedAnAllowListedKey) {
    auto allowed = generate_curve_keys().public_key;
    auto stranger = generate_curve_keys().public_key;
    Authenticator authenticator({{allowed, "storage"}});
    EXPECT_EQ(authenticator.decide(request_for(kServicesDomain, allowed), 0).kind,
              Verdict::Kind::Admit);
    EXPECT_EQ(authenticator.decide(request_for(kServicesDomain, stranger), 0).kind,
              Verdict::Kind::Refuse);
    // A service key is not a client key, and a client key never a service's.
    EXPECT_EQ(authenticator.decide(request_for(kClientsDomain, allowed), 0).kind,
              Verdict::Kind::AskCa);
}

TEST(AuthenticatorTest, ServiceKeysAreBoundToTheirService) {
    auto ca = generate_curve_keys().public_key;
    auto storage = generate_curve_keys().public_key;
    Authenticator authenticator({{ca, "ca"}, {storage, "storage"}});
    auto ca_id = authenticator.decide(request_for(kServicesDomain, ca), 0).user_id;
    auto storage_id = authenticator.decide(request_for(kServicesDomain, storage), 0).user_id;
    EXPECT_EQ(ca_id, "service:ca:" + z85_encode(ca));
    EXPECT_TRUE(may_serve(ca_id, "ca"));
    EXPECT_FALSE(may_serve(ca_id, "storage"));
    EXPECT_TRUE(may_serve(storage_id, "storage"));
    EXPECT_FALSE(may_serve(storage_id, "ca"));
    EXPECT_FALSE(may_serve(storage_id, ""));
    EXPECT_FALSE(may_serve("alice", "ca"));
    EXPECT_FALSE(may_serve("service:" + z85_encode(ca), "ca"));  // no service named
}

TEST(AuthenticatorTest, UnknownDomainIsRefused) {
    Authenticator authenticator({});
    auto key = generate_curve_keys().public_key;
    EXPECT_EQ(authenticator.decide(request_for("other", key), 0).kind, Verdict::Kind::Refuse);
}

TEST(AuthenticatorTest, ClientKeysAreLookedUpThenCachedForAWhile) {
    Authenticator authenticator({});
    auto key = generate_curve_keys().public_key;
    EXPECT_EQ(authenticator.decide(request_for(kClientsDomain, key), 0).kind, Verdict::Kind::AskCa);
    auto verdict = authenticator.registered(key, "alice", 0);
    EXPECT_EQ(verdict.user_id, "alice");
    auto cached = authenticator.decide(request_for(kClientsDomain, key), 1000);
    EXPECT_EQ(cached.kind, Verdict::Kind::Admit);
    EXPECT_EQ(cached.user_id, "alice");
    EXPECT_EQ(authenticator.decide(request_for(kClientsDomain, key), kIdentityCacheMs).kind,
              Verdict::Kind::AskCa);
}

TEST(AuthenticatorTest, UnregisteredAndUnconfirmedKeysGetMarkedIdentities) {
    auto key = generate_curve_keys().public_key;
    EXPECT_EQ(Authenticator::not_registered(key).user_id, "anon:" + z85_encode(key));
    EXPECT_EQ(Authenticator::ca_unreachable(key).user_id, "unknown:" + z85_encode(key));
    EXPECT_EQ(Authenticator::revoked().kind, Verdict::Kind::Refuse);
}

}  // namespace
}  // namespace imgshare::broker
