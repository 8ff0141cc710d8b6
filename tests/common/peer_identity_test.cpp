#include "common/protocol/peer_identity.h"

#include <gtest/gtest.h>

#include "common/crypto/keys.h"

namespace imgshare {
namespace {

const Bytes kKey = generate_curve_keys().public_key;

std::vector<PeerIdentity> every_kind() {
    return {UserPeer{"alice"},       AnonymousPeer{kKey},          UnconfirmedPeer{kKey},
            ServicePeer{"ca", kKey}, ServicePeer{"storage", kKey}, BrokerPeer{}};
}

TEST(PeerIdentityTest, EachKindHasOneEncoding) {
    auto z85 = z85_encode(kKey);
    EXPECT_EQ(PeerIdentity{UserPeer{"alice"}}.encode(), "alice");
    EXPECT_EQ(PeerIdentity{AnonymousPeer{kKey}}.encode(), "anon:" + z85);
    EXPECT_EQ(PeerIdentity{UnconfirmedPeer{kKey}}.encode(), "unknown:" + z85);
    EXPECT_EQ((PeerIdentity{ServicePeer{"ca", kKey}}.encode()), "service:ca:" + z85);
    EXPECT_EQ(PeerIdentity{BrokerPeer{}}.encode(), "broker:");
}

TEST(PeerIdentityTest, EveryKindParsesBackToItself) {
    for (const auto& peer : every_kind()) {
        auto parsed = PeerIdentity::parse(peer.encode());
        ASSERT_TRUE(parsed) << peer.encode() << ": " << parsed.error().message;
        EXPECT_EQ(*parsed, peer) << peer.encode();
    }
}

TEST(PeerIdentityTest, AUserMayBeNamedLikeAKindWithoutItsColon) {
    // "broker:" is the broker; "broker" is whoever registered the name.
    EXPECT_EQ(PeerIdentity::parse("broker").value(), PeerIdentity{UserPeer{"broker"}});
    EXPECT_EQ(PeerIdentity::parse("anon").value(), PeerIdentity{UserPeer{"anon"}});
}

TEST(PeerIdentityTest, OnlyAUserHasAUsername) {
    EXPECT_EQ(*PeerIdentity{UserPeer{"alice"}}.username(), "alice");
    for (const auto& peer : every_kind()) {
        if (!peer.is<UserPeer>()) {
            EXPECT_EQ(peer.username(), nullptr) << peer.encode();
        }
    }
}

// Every malformed identity, with the exact refusal.
TEST(PeerIdentityTest, MalformedIdentitiesAreRefusedWithTheirReason) {
    auto z85 = z85_encode(kKey);
    const std::string username_rule =
        "a username is 1 to 32 characters from a-z, 0-9, '_', '.', '-', and not '.' or '..'";
    const std::pair<std::string, std::string> cases[] = {
        {"", "peer identity '': it is empty"},
        {"Alice", "peer identity 'Alice': not a username: " + username_rule},
        {"..", "peer identity '..': not a username: " + username_rule},
        {std::string(33, 'a'),
         "peer identity '" + std::string(33, 'a') + "': not a username: " + username_rule},
        {"al ice", "peer identity 'al ice': not a username: " + username_rule},
        {"anon:", "peer identity 'anon:': its key is not 40 characters of Z85"},
        {"anon:abc", "peer identity 'anon:abc': its key is not 40 characters of Z85"},
        {"anon:" + z85 + "0",
         "peer identity 'anon:" + z85 + "0': its key is not 40 characters of Z85"},
        {"unknown:xyz", "peer identity 'unknown:xyz': its key is not 40 characters of Z85"},
        {"service:ca", "peer identity 'service:ca': a service is service:<service>:<key>"},
        {"service:x:" + z85, "peer identity 'service:x:" + z85 + "': no service is named 'x'"},
        {"service::" + z85, "peer identity 'service::" + z85 + "': no service is named ''"},
        {"service:ca:abc", "peer identity 'service:ca:abc': its key is not 40 characters of Z85"},
        {"broker:x", "peer identity 'broker:x': nothing follows 'broker:'"},
        {"user:alice", "peer identity 'user:alice': no kind of peer is written so"},
        {"ANON:" + z85, "peer identity 'ANON:" + z85 + "': no kind of peer is written so"},
        {":alice", "peer identity ':alice': no kind of peer is written so"},
    };
    for (const auto& [text, message] : cases) {
        auto parsed = PeerIdentity::parse(text);
        ASSERT_FALSE(parsed) << text << " parsed as " << parsed->encode();
        EXPECT_EQ(parsed.error().code, ErrorCode::BAD_REQUEST) << text;
        EXPECT_EQ(parsed.error().message, message) << text;
    }
}

}  // namespace
}  // namespace imgshare
