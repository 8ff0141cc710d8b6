#include "broker/authenticator.h"

#include <gtest/gtest.h>

#include "common/crypto/keys.h"

namespace imgshare::broker {
namespace {

constexpr std::int64_t kNow = 1'700'000'000;
constexpr std::int64_t kNextYear = kNow + 365 * 86'400;

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
    EXPECT_EQ(authenticator.decide(request_for(kServicesDomain, allowed), 0, kNow).kind,
              Verdict::Kind::Admit);
    EXPECT_EQ(authenticator.decide(request_for(kServicesDomain, stranger), 0, kNow).kind,
              Verdict::Kind::Refuse);
    // A service key is not a client key, and a client key never a service's.
    EXPECT_EQ(authenticator.decide(request_for(kClientsDomain, allowed), 0, kNow).kind,
              Verdict::Kind::AskCa);
}

TEST(AuthenticatorTest, ServiceKeysAreBoundToTheirService) {
    auto ca = generate_curve_keys().public_key;
    auto storage = generate_curve_keys().public_key;
    Authenticator authenticator({{ca, "ca"}, {storage, "storage"}});
    auto ca_id = *authenticator.decide(request_for(kServicesDomain, ca), 0, kNow).peer;
    auto storage_id = *authenticator.decide(request_for(kServicesDomain, storage), 0, kNow).peer;
    EXPECT_EQ(ca_id, (PeerIdentity{ServicePeer{"ca", ca}}));
    EXPECT_EQ(ca_id.encode(), "service:ca:" + z85_encode(ca));
    EXPECT_TRUE(may_serve(ca_id, "ca"));
    EXPECT_FALSE(may_serve(ca_id, "storage"));
    EXPECT_TRUE(may_serve(storage_id, "storage"));
    EXPECT_FALSE(may_serve(storage_id, "ca"));
    EXPECT_FALSE(may_serve(storage_id, ""));
    // Only a service's key serves: not a user's, an anonymous one's or the broker's.
    EXPECT_FALSE(may_serve(UserPeer{"ca"}, "ca"));
    EXPECT_FALSE(may_serve(AnonymousPeer{ca}, "ca"));
    EXPECT_FALSE(may_serve(UnconfirmedPeer{ca}, "ca"));
    EXPECT_FALSE(may_serve(BrokerPeer{}, "ca"));
}

TEST(AuthenticatorTest, UnknownDomainIsRefused) {
    Authenticator authenticator({});
    auto key = generate_curve_keys().public_key;
    EXPECT_EQ(authenticator.decide(request_for("other", key), 0, kNow).kind, Verdict::Kind::Refuse);
}

TEST(AuthenticatorTest, ClientKeysAreLookedUpThenCachedForAWhile) {
    Authenticator authenticator({});
    auto key = generate_curve_keys().public_key;
    EXPECT_EQ(authenticator.decide(request_for(kClientsDomain, key), 0, kNow).kind,
              Verdict::Kind::AskCa);
    auto verdict = authenticator.registered(key, "alice", false, kNextYear, 0, kNow);
    EXPECT_EQ(verdict.kind, Verdict::Kind::Admit);
    EXPECT_EQ(verdict.peer, PeerIdentity{UserPeer{"alice"}});
    auto cached = authenticator.decide(request_for(kClientsDomain, key), 1000, kNow);
    EXPECT_EQ(cached.kind, Verdict::Kind::Admit);
    EXPECT_EQ(cached.peer->encode(), "alice");
    EXPECT_EQ(authenticator.decide(request_for(kClientsDomain, key), kIdentityCacheMs, kNow).kind,
              Verdict::Kind::AskCa);
}

TEST(AuthenticatorTest, UnregisteredAndUnconfirmedKeysGetMarkedIdentities) {
    auto key = generate_curve_keys().public_key;
    EXPECT_EQ(Authenticator::not_registered(key).peer, PeerIdentity{AnonymousPeer{key}});
    EXPECT_EQ(Authenticator::not_registered(key).peer->encode(), "anon:" + z85_encode(key));
    EXPECT_EQ(Authenticator::ca_unreachable(key).peer, PeerIdentity{UnconfirmedPeer{key}});
    EXPECT_EQ(Authenticator::ca_unreachable(key).peer->encode(), "unknown:" + z85_encode(key));
    EXPECT_EQ(Authenticator::revoked().kind, Verdict::Kind::Refuse);
    EXPECT_EQ(Authenticator::expired().kind, Verdict::Kind::Refuse);
}

TEST(AuthenticatorTest, ARevokedLookupIsRefusedAndRemembered) {
    Authenticator authenticator({});
    auto key = generate_curve_keys().public_key;
    auto verdict = authenticator.registered(key, "mallory", true, kNextYear, 0, kNow);
    EXPECT_EQ(verdict.kind, Verdict::Kind::Refuse);
    EXPECT_EQ(verdict.reason, "certificate revoked");
    EXPECT_EQ(authenticator.check_user("mallory", kNow).error().code, ErrorCode::REVOKED);
}

TEST(AuthenticatorTest, AnExpiredLookupIsRefused) {
    Authenticator authenticator({});
    auto key = generate_curve_keys().public_key;
    auto verdict = authenticator.registered(key, "alice", false, kNow, 0, kNow);
    EXPECT_EQ(verdict.kind, Verdict::Kind::Refuse);
    EXPECT_EQ(verdict.reason, "certificate expired");
    EXPECT_EQ(authenticator.check_user("alice", kNow).error().code, ErrorCode::EXPIRED);
    // Nothing was cached: the next connection asks the CA again.
    EXPECT_EQ(authenticator.decide(request_for(kClientsDomain, key), 1, kNow).kind,
              Verdict::Kind::AskCa);
}

TEST(AuthenticatorTest, ARevocationNoticeEndsTheCacheAndRefusesRequestsAtOnce) {
    Authenticator authenticator({});
    auto alice_key = generate_curve_keys().public_key;
    auto bob_key = generate_curve_keys().public_key;
    ASSERT_EQ(authenticator.registered(alice_key, "alice", false, kNextYear, 0, kNow).kind,
              Verdict::Kind::Admit);
    ASSERT_EQ(authenticator.registered(bob_key, "bob", false, kNextYear, 0, kNow).kind,
              Verdict::Kind::Admit);
    EXPECT_TRUE(authenticator.check_user("alice", kNow));
    authenticator.revoke("alice");
    // Requests on connections already open, and the cached key, are refused now, not after
    // the cache time.
    EXPECT_EQ(authenticator.check_user("alice", kNow).error().code, ErrorCode::REVOKED);
    EXPECT_EQ(authenticator.decide(request_for(kClientsDomain, alice_key), 1, kNow).kind,
              Verdict::Kind::AskCa);
    EXPECT_EQ(authenticator.registered(alice_key, "alice", false, kNextYear, 2, kNow).kind,
              Verdict::Kind::Refuse);
    // Nobody else is touched.
    EXPECT_TRUE(authenticator.check_user("bob", kNow));
    EXPECT_EQ(authenticator.decide(request_for(kClientsDomain, bob_key), 1, kNow).kind,
              Verdict::Kind::Admit);
}

TEST(AuthenticatorTest, ACachedUserWhoseCertificateEndsIsRefusedPerRequestAndAtZap) {
    Authenticator authenticator({});
    auto key = generate_curve_keys().public_key;
    ASSERT_EQ(authenticator.registered(key, "alice", false, kNow + 5, 0, kNow).kind,
              Verdict::Kind::Admit);
    EXPECT_TRUE(authenticator.check_user("alice", kNow + 4));
    EXPECT_EQ(authenticator.check_user("alice", kNow + 5).error().code, ErrorCode::EXPIRED);
    // At ZAP the CA is asked again (it may have reissued the certificate); it has not, and
    // its answer with the same end is refused.
    EXPECT_EQ(authenticator.decide(request_for(kClientsDomain, key), 1000, kNow + 5).kind,
              Verdict::Kind::AskCa);
    auto verdict = authenticator.registered(key, "alice", false, kNow + 5, 1000, kNow + 5);
    EXPECT_EQ(verdict.kind, Verdict::Kind::Refuse);
    EXPECT_EQ(verdict.reason, "certificate expired");
    EXPECT_EQ(verdict.refusal, ErrorCode::EXPIRED);
    EXPECT_EQ(authenticator.check_user("alice", kNow + 5).error().code, ErrorCode::EXPIRED);
}

// imgshare-ca reissue: the CA holds a new certificate for the same key. A user the broker
// cached (for kIdentityCacheMs) under the old end is asked for again, not refused from the
// cache, and admitted at once; so are the requests on her open connections.
TEST(AuthenticatorTest, AReissuedUserIsAdmittedAtOnceNotAfterTheCache) {
    Authenticator authenticator({});
    auto key = generate_curve_keys().public_key;
    ASSERT_EQ(authenticator.registered(key, "alice", false, kNow + 5, 0, kNow).kind,
              Verdict::Kind::Admit);
    const std::int64_t within_the_cache_ms = 1000;
    ASSERT_LT(within_the_cache_ms, kIdentityCacheMs);
    EXPECT_EQ(authenticator.decide(request_for(kClientsDomain, key), within_the_cache_ms, kNow + 6)
                  .kind,
              Verdict::Kind::AskCa);
    auto reissued =
        authenticator.registered(key, "alice", false, kNextYear, within_the_cache_ms, kNow + 6);
    EXPECT_EQ(reissued.kind, Verdict::Kind::Admit);
    EXPECT_EQ(reissued.peer, PeerIdentity{UserPeer{"alice"}});
    EXPECT_TRUE(authenticator.check_user("alice", kNow + 6));
    // Cached again, under the new end.
    EXPECT_EQ(authenticator.decide(request_for(kClientsDomain, key), within_the_cache_ms + 1,
                                   kNow + 7)
                  .kind,
              Verdict::Kind::Admit);
}

TEST(AuthenticatorTest, ARenewalMovesTheEndOfTheCertificate) {
    Authenticator authenticator({});
    auto key = generate_curve_keys().public_key;
    ASSERT_EQ(authenticator.registered(key, "alice", false, kNow + 5, 0, kNow).kind,
              Verdict::Kind::Admit);
    authenticator.renewed("alice", kNow + 100);
    EXPECT_TRUE(authenticator.check_user("alice", kNow + 50));
    EXPECT_EQ(authenticator.decide(request_for(kClientsDomain, key), 1000, kNow + 50).kind,
              Verdict::Kind::Admit);
    EXPECT_EQ(authenticator.check_user("alice", kNow + 100).error().code, ErrorCode::EXPIRED);
}

TEST(AuthenticatorTest, ANameTheUsernameRuleRefusesIsNeverAnIdentity) {
    // It would be the User-Id of a connection every service refuses to serve.
    Authenticator authenticator({});
    auto key = generate_curve_keys().public_key;
    for (auto name : {"", "Alice", "anon:x", "broker:"}) {
        EXPECT_EQ(authenticator.registered(key, name, false, kNextYear, 0, kNow).kind,
                  Verdict::Kind::Refuse)
            << name;
    }
    EXPECT_EQ(authenticator.decide(request_for(kClientsDomain, key), 1, kNow).kind,
              Verdict::Kind::AskCa);
}

// imgshare-ca release: the revoked name is free for a new holder, the old key refused for good,
// also on a connection it opened before (whose User-Id is the same name).
TEST(AuthenticatorTest, AReleasedNamesOldKeyIsRefusedWhileItsNewHolderIsAdmitted) {
    Authenticator authenticator({});
    auto old_key = generate_curve_keys().public_key;
    auto new_key = generate_curve_keys().public_key;
    ASSERT_EQ(authenticator.registered(old_key, "alice", false, kNextYear, 0, kNow).kind,
              Verdict::Kind::Admit);
    authenticator.revoke("alice");
    // Before the release a new key under the name is refused too: revocation is by name.
    EXPECT_EQ(authenticator.registered(new_key, "alice", false, kNextYear, 0, kNow).refusal,
              ErrorCode::REVOKED);

    authenticator.released("alice", old_key);
    EXPECT_TRUE(authenticator.check_user("alice", kNow));
    auto admitted = authenticator.registered(new_key, "alice", false, kNextYear, 0, kNow);
    EXPECT_EQ(admitted.kind, Verdict::Kind::Admit);
    EXPECT_EQ(admitted.peer, PeerIdentity{UserPeer{"alice"}});
    EXPECT_TRUE(authenticator.check_connection(z85_encode(new_key)));
    // The old key: never from the cache, and refused on the connections it has open.
    EXPECT_EQ(authenticator.decide_client(old_key, 1, kNow).kind, Verdict::Kind::AskCa);
    auto old_connection = authenticator.check_connection(z85_encode(old_key));
    ASSERT_FALSE(old_connection);
    EXPECT_EQ(old_connection.error().code, ErrorCode::REVOKED);
    // A lookup of the old key the CA answered before the release: refused, and the name
    // stays its new holder's.
    EXPECT_EQ(authenticator.registered(old_key, "alice", true, kNextYear, 2, kNow).refusal,
              ErrorCode::REVOKED);
    EXPECT_TRUE(authenticator.check_user("alice", kNow));
}

// The broker asks again for the requests of a connection ZAP admitted unconfirmed: the same
// decision as at a handshake, so a refused key stays refused, with the error a request gets.
TEST(AuthenticatorTest, AskingAgainForAClientKeyDecidesAsZapWould) {
    Authenticator authenticator({});
    auto alice_key = generate_curve_keys().public_key;
    auto mallory_key = generate_curve_keys().public_key;
    auto carol_key = generate_curve_keys().public_key;
    EXPECT_EQ(authenticator.decide_client(alice_key, 0, kNow).kind, Verdict::Kind::AskCa);
    ASSERT_EQ(authenticator.registered(alice_key, "alice", false, kNow + 5, 0, kNow).kind,
              Verdict::Kind::Admit);
    auto cached = authenticator.decide_client(alice_key, 1000, kNow);
    EXPECT_EQ(cached.kind, Verdict::Kind::Admit);
    EXPECT_EQ(cached.peer, PeerIdentity{UserPeer{"alice"}});

    // Her certificate ended: the CA is asked again (it may have been reissued), and its
    // answer with the same end is refused as at a handshake.
    EXPECT_EQ(authenticator.decide_client(alice_key, 1000, kNow + 5).kind, Verdict::Kind::AskCa);
    auto expired = authenticator.registered(alice_key, "alice", false, kNow + 5, 1000, kNow + 5);
    EXPECT_EQ(expired.kind, Verdict::Kind::Refuse);
    EXPECT_EQ(expired.refusal, ErrorCode::EXPIRED);

    auto revoked = authenticator.registered(mallory_key, "mallory", true, kNextYear, 0, kNow);
    EXPECT_EQ(revoked.refusal, ErrorCode::REVOKED);
    ASSERT_EQ(authenticator.registered(carol_key, "carol", false, kNextYear, 0, kNow).kind,
              Verdict::Kind::Admit);
    authenticator.revoke("carol");
    // Not from the cache, and not when the CA's answer comes: a notice is final.
    EXPECT_EQ(authenticator.decide_client(carol_key, 1000, kNow).kind, Verdict::Kind::AskCa);
    auto answered = authenticator.registered(carol_key, "carol", false, kNextYear, 1000, kNow);
    EXPECT_EQ(answered.kind, Verdict::Kind::Refuse);
    EXPECT_EQ(answered.refusal, ErrorCode::REVOKED);
}

TEST(AuthenticatorTest, AnUnconfirmedSendersRequestIsWorthTryingAgain) {
    EXPECT_EQ(unconfirmed_sender(), (Error{ErrorCode::SERVICE_UNAVAILABLE,
                                           "the CA could not confirm who you are; try again"}));
}

TEST(AuthenticatorTest, AUserNothingIsKnownAboutMaySend) {
    Authenticator authenticator({});
    EXPECT_TRUE(authenticator.check_user("carol", kNow));
}

}  // namespace
}  // namespace imgshare::broker
