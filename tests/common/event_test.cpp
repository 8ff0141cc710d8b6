#include "common/protocol/event.h"

#include <gtest/gtest.h>

#include "tests/common/wire_test_support.h"

namespace imgshare {
namespace {

ImageEvent sample_event() {
    return ImageEvent{{"holiday.jpg", "alice", 41, 3'145'728, 1'718'000'000, "e2e"}, std::nullopt};
}

TEST(EventTest, RoundTripsOnBothTopics) {
    for (const std::string& topic : {std::string(kImageTopic), user_topic("bob")}) {
        auto frames = encode_event(sample_event(), topic);
        ASSERT_EQ(frames.size(), 2u);
        EXPECT_EQ(as_string(frames[0]), topic);
        auto decoded = decode_event(frames);
        ASSERT_TRUE(decoded.has_value()) << describe(decoded.error());
        EXPECT_EQ(decoded->topic, topic);
        EXPECT_EQ(decoded->event, sample_event());
    }
}

TEST(EventTest, DocumentedExampleIsExact) {
    auto frames = encode_event(ImageEvent{{"cat.png", "alice", 5, 1024, 1718000000, "e2e"}, std::nullopt},
                               user_topic("bob"));
    EXPECT_EQ(to_hex(frames[0]), "757365722e626f622f");
    EXPECT_EQ(to_hex(frames[1]),
              "86a46e616d65a76361742e706e67a56f776e6572a5616c696365a373657105a473697a65cd0400aa"
              "637265617465645f6174ce66669980a46d6f6465a3653265");
}

TEST(EventTest, ADeletionIsTheImageAsListedWithItsEventNamed) {
    ImageEvent deleted = sample_event();
    deleted.event = std::string(kImageDeletedEvent);
    auto frames = encode_event(deleted, kImageTopic);
    auto decoded = decode_event(frames);
    ASSERT_TRUE(decoded.has_value()) << describe(decoded.error());
    EXPECT_TRUE(decoded->event.is_deletion());
    EXPECT_EQ(decoded->event, deleted);
    // A NEW_IMAGE carries no `event` key: its body is a LIST item's, byte for byte.
    EXPECT_FALSE(sample_event().is_deletion());
    EXPECT_EQ(encode_event(sample_event(), kImageTopic)[1],
              encode_map(static_cast<const ImageSummary&>(sample_event())));
}

TEST(EventTest, AnEventOfAnUnknownKindIsRefused) {
    for (const char* kind : {"NEW_IMAGE", "IMAGE_UNDELETED", "", "image_deleted"}) {
        ImageEvent event = sample_event();
        event.event = std::string(kind);
        auto decoded = decode_event(encode_event(event, kImageTopic));
        ASSERT_FALSE(decoded.has_value()) << kind;
        EXPECT_EQ(decoded.error().code, ErrorCode::BAD_REQUEST) << kind;
    }
}

TEST(EventTest, UserTopicsAreTerminated) {
    EXPECT_EQ(user_topic("bob"), "user.bob/");
}

TEST(EventTest, PrefixMatchingCannotLeakAnotherUsersTopic) {
    // ZeroMQ delivers a message to every subscription that is a prefix of its
    // topic: the terminator keeps bob's subscription off bobby's events.
    std::string bob = user_topic("bob");
    std::string bobby = user_topic("bobby");
    EXPECT_FALSE(bobby.starts_with(bob));
    EXPECT_FALSE(user_topic("bob.smith").starts_with(bob));
}

TEST(EventTest, SubscriptionsAreAdmittedOnlyForOnesOwnTopic) {
    const PeerIdentity bob{UserPeer{"bob"}};
    EXPECT_TRUE(subscription_allowed("image", bob));
    EXPECT_TRUE(subscription_allowed("user.bob/", bob));
    EXPECT_FALSE(subscription_allowed("user.bobby/", bob));
    EXPECT_FALSE(subscription_allowed("user.bob", bob));  // would prefix-match user.bobby/
    EXPECT_FALSE(subscription_allowed("user.", bob));
    EXPECT_FALSE(subscription_allowed("user", bob));
    EXPECT_FALSE(subscription_allowed("", bob));  // matches everything
    EXPECT_FALSE(subscription_allowed("imag", bob));
    EXPECT_FALSE(subscription_allowed("user.a/b/", PeerIdentity{UserPeer{"a/b"}}));
}

TEST(EventTest, OnlyRegisteredUsersSubscribe) {
    Bytes key(32, 7);
    for (const PeerIdentity& peer :
         {PeerIdentity{AnonymousPeer{key}}, PeerIdentity{UnconfirmedPeer{key}},
          PeerIdentity{ServicePeer{"storage", key}}, PeerIdentity{BrokerPeer{}}}) {
        EXPECT_FALSE(subscription_allowed("image", peer)) << peer.encode();
        EXPECT_FALSE(subscription_allowed("user." + peer.encode() + "/", peer)) << peer.encode();
    }
}

TEST(EventTest, MalformedEventsAreRefused) {
    auto frames = encode_event(sample_event(), kImageTopic);
    auto code_of = [](const Frames& f) { return decode_event(f).error().code; };

    EXPECT_EQ(code_of({frames[0]}), ErrorCode::BAD_REQUEST);
    Frames three = frames;
    three.push_back(Bytes{1});
    EXPECT_EQ(code_of(three), ErrorCode::BAD_REQUEST);

    for (const char* topic : {"images", "user.bob", "user./", "user.a/b/", "", "IMAGE"}) {
        Frames bad_topic = frames;
        bad_topic[0] = to_bytes(topic);
        auto result = decode_event(bad_topic);
        ASSERT_FALSE(result.has_value()) << topic;
        EXPECT_EQ(result.error().code, ErrorCode::BAD_REQUEST) << topic;
    }

    Frames missing = frames;
    missing[1] = testing::without_key(missing[1], "seq");
    EXPECT_EQ(decode_event(missing).error().message, "event body: missing key 'seq'");
    Frames garbage = frames;
    garbage[1] = Bytes{0xdb, 0xff, 0xff, 0xff, 0xff};
    EXPECT_EQ(code_of(garbage), ErrorCode::TOO_LARGE);
}

}  // namespace
}  // namespace imgshare
