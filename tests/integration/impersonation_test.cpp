// Claiming to be someone else, end to end through the broker: registering
// another's key (no proof of possession, or a CURVE key other than the
// connection's), naming another user in a request's fields, sending the
// broker's internal requests, subscribing to another user's events. Who a
// sender is comes from its CURVE key alone; every claim is refused or ignored.
#include <gtest/gtest.h>

#include "common/crypto/sealed_box.h"
#include "common/protocol/event.h"
#include "common/registration.h"
#include "tests/integration/support/cluster_fixture.h"
#include "tests/integration/support/raw_client.h"
#include "tests/integration/support/signed_requests.h"
#include "tests/integration/support/subscriber.h"

namespace imgshare::testing {
namespace {

using namespace std::chrono_literals;

class ImpersonationTest : public ClusterTest {
  protected:
    void SetUp() override {
        alice_ = register_user(cluster_, "alice");
        bob_ = register_user(cluster_, "bob");
        carol_ = register_user(cluster_, "carol");
        wrap_key_ = wrap_public_key(cluster_);
    }

    RawClient connect_as(const TestUser& user) {
        return RawClient(cluster_.client_endpoint(), cluster_.broker_public_key(), user.keys.curve);
    }

    // Whether `username` is registered, as bob's GET_CERT sees it.
    bool registered(const std::string& username) {
        auto bob = connect_as(bob_);
        return !code_of(bob.call(encode(GetCertRequest{username}, 1)));
    }

    void post(const TestUser& owner, const HandMadeImage& image) {
        auto client = connect_as(owner);
        auto exchange = post_image(client, image);
        ASSERT_TRUE(exchange.replies.back().has_value());
        ASSERT_FALSE(error_code_of(*exchange.replies.back()));
        ASSERT_EQ(exchange.requests.size(), image.chunks.size() + 2);
    }

    TestUser alice_, bob_, carol_;
    Bytes wrap_key_;
};

TEST_F(ImpersonationTest, RegistrationWithAProofByAnotherKeyIsBadSignatureAndTheNameStaysFree) {
    auto mallory = generate_user_keys();
    RawClient connection(cluster_.client_endpoint(), cluster_.broker_public_key(), mallory.curve);
    // Alice's signing key under a new name: mallory cannot sign for it.
    auto claims_alices_key = registration_of(mallory, "alice2");
    claims_alices_key.sign_pk = alice_.certificate.sign_pk;
    EXPECT_EQ(code_of(connection.call(encode(claims_alices_key, 1))), ErrorCode::BAD_SIGNATURE);
    // A proof made for another name does not carry over.
    auto other_name = registration_of(mallory, "mallory");
    other_name.username = "alice2";
    EXPECT_EQ(code_of(connection.call(encode(other_name, 2))), ErrorCode::BAD_SIGNATURE);
    // Alice's own proof, copied (her keys, her name), is for her curve key, not this one.
    EXPECT_EQ(code_of(connection.call(encode(registration_of(alice_.keys, "alice"), 3))),
              ErrorCode::FORBIDDEN);

    EXPECT_FALSE(registered("alice2"));
    EXPECT_NO_THROW(register_user(cluster_, "alice2"));  // the name was never taken
}

TEST_F(ImpersonationTest, RegistrationOfACurveKeyOtherThanTheConnectionsIsForbidden) {
    auto mallory = generate_user_keys();
    RawClient connection(cluster_.client_endpoint(), cluster_.broker_public_key(), mallory.curve);
    // Mallory signs a valid proof over alice's CURVE key: whoever holds that key at the
    // broker would be "mallory2". The CA accepts only the key the request arrived with.
    auto keys_with_alices_curve = generate_user_keys();
    keys_with_alices_curve.curve.public_key = alice_.certificate.curve_pk;
    EXPECT_EQ(
        code_of(connection.call(encode(registration_of(keys_with_alices_curve, "mallory2"), 1))),
        ErrorCode::FORBIDDEN);
    auto keys_with_fresh_curve = generate_user_keys();
    EXPECT_EQ(
        code_of(connection.call(encode(registration_of(keys_with_fresh_curve, "mallory3"), 2))),
        ErrorCode::FORBIDDEN);
    EXPECT_FALSE(registered("mallory2"));
    EXPECT_FALSE(registered("mallory3"));
}

TEST_F(ImpersonationTest, ARequesterClaimInDownloadIsIgnoredAndTheKeyIsWrappedForTheSender) {
    auto image = escrow_image(alice_, "shared", wrap_key_);
    post(alice_, image);
    auto bob = connect_as(bob_);
    auto claimed = with_extra_fields(encode(DownloadRequest{"shared"}, 1),
                                     {{"requester", "carol"}, {"user", "carol"}});
    auto reply = bob.call(claimed);
    ASSERT_TRUE(reply.has_value());
    auto download = decode_reply<DownloadReply>(*reply);
    ASSERT_TRUE(download.has_value()) << download.error().message;
    auto for_bob = unseal(download->wrapped_key, bob_.keys.box);
    ASSERT_TRUE(for_bob.has_value()) << "the key must be sealed to the sender, bob";
    EXPECT_TRUE(for_bob->equals(image.content_key));
    EXPECT_FALSE(unseal(download->wrapped_key, carol_.keys.box).has_value());
}

TEST_F(ImpersonationTest, ClaimsOfARecipientsNameDoNotReachAnEndToEndImage) {
    auto image = end_to_end_image(alice_, "for-carol", {carol_.certificate});
    post(alice_, image);
    auto bob = connect_as(bob_);
    const std::vector<std::pair<std::string, std::string>> claims{
        {"user", "carol"}, {"requester", "carol"}, {"owner", "alice"}};

    auto listed =
        decode_reply<ListReply>(*bob.call(with_extra_fields(encode(ListRequest{}, 1), claims)));
    ASSERT_TRUE(listed.has_value()) << listed.error().message;
    EXPECT_TRUE(listed->items.empty());
    EXPECT_EQ(code_of(bob.call(with_extra_fields(encode(DownloadRequest{"for-carol"}, 2), claims))),
              ErrorCode::NOT_FOUND);
    EXPECT_EQ(
        code_of(bob.call(with_extra_fields(encode(GetChunkRequest{"for-carol", 0}, 3), claims))),
        ErrorCode::NOT_FOUND);

    // The control: carol herself gets her own grant.
    auto carol = connect_as(carol_);
    auto download =
        decode_reply<DownloadReply>(*carol.call(encode(DownloadRequest{"for-carol"}, 4)));
    ASSERT_TRUE(download.has_value()) << download.error().message;
    auto key = unseal(download->wrapped_key, carol_.keys.box);
    ASSERT_TRUE(key.has_value());
    EXPECT_TRUE(key->equals(image.content_key));
}

TEST_F(ImpersonationTest, AnOwnerClaimInPostBeginIsIgnored) {
    auto bob = connect_as(bob_);
    auto image = escrow_image(bob_, "bobs-own", wrap_key_);
    auto begun = decode_reply<PostBeginReply>(*bob.call(with_extra_fields(
        encode(image.begin, 1), {{"owner", "alice"}, {"user", "alice"}, {"requester", "alice"}})));
    ASSERT_TRUE(begun.has_value()) << begun.error().message;
    ASSERT_FALSE(error_code_of(
        *bob.call(encode(PostChunkRequest{begun->upload, 0}, 2, {}, image.chunks[0]))));
    auto committed = decode_reply<PostCommitReply>(*bob.call(
        with_extra_fields(encode(PostCommitRequest{begun->upload}, 3), {{"owner", "alice"}})));
    ASSERT_TRUE(committed.has_value()) << committed.error().message;
    EXPECT_EQ(committed->owner, "bob");
}

TEST_F(ImpersonationTest, ARegisteredClientCannotSendTheBrokersInternalRequests) {
    // A real key sealed to the server: REWRAP would hand it to anyone who may ask.
    auto image = escrow_image(alice_, "escrowed", wrap_key_);
    post(alice_, image);
    auto bob = connect_as(bob_);
    EXPECT_EQ(code_of(bob.call(encode(RewrapRequest{image.begin.wrapped_key, "bob"}, 1))),
              ErrorCode::BAD_REQUEST);
    EXPECT_EQ(code_of(bob.call(encode(LookupCurveKeyRequest{alice_.certificate.curve_pk}, 2))),
              ErrorCode::BAD_REQUEST);
    EXPECT_EQ(code_of(bob.call(encode(ReadyMessage{"storage", "rogue"}, 3))),
              ErrorCode::BAD_REQUEST);
    EXPECT_EQ(code_of(bob.call(encode(HeartbeatMessage{}, 4))), ErrorCode::BAD_REQUEST);
    // None of them reached the CA: its log has no REWRAP at all (nobody downloaded).
    EXPECT_EQ(read_text(cluster_.ca_dir() / "protocol.log").find("REWRAP"), std::string::npos);
}

TEST_F(ImpersonationTest, SubscribingToAnotherUsersTopicHearsNothingOfTheirImages) {
    Subscriber carol(cluster_, carol_.keys.curve, {user_topic("carol")});
    // Bob asks for carol's topic in every spelling, then for escrow images.
    Subscriber bob(
        cluster_, bob_.keys.curve,
        {user_topic("carol"), "user.carol", "user.", "user", "", std::string(kImageTopic)});
    ASSERT_TRUE(carol.wait_until_decided("carol"));
    ASSERT_TRUE(bob.wait_until_decided("bob"));
    post(alice_, escrow_image(alice_, "public", wrap_key_));
    ASSERT_TRUE(bob.next(15s).has_value()) << "bob never heard an escrow event";
    post(alice_, end_to_end_image(alice_, "private", {carol_.certificate}));
    auto carol_heard = carol.next(15s);
    ASSERT_TRUE(carol_heard.has_value()) << "carol never heard of her image";
    EXPECT_EQ(carol_heard->event.owner, "alice");

    // Bob hears escrow events at most; never one about carol's images.
    while (auto event = bob.next(1500ms)) {
        EXPECT_EQ(event->event.mode, kEscrowMode) << event->event.name;
        EXPECT_EQ(event->event.name.find("private"), std::string::npos);
    }
}

}  // namespace
}  // namespace imgshare::testing
