// Captured requests replayed later on a new connection: by the user who sent
// them, by another user, by a stranger. For its sender every request is
// idempotent (the same answer, nothing changes); for anyone else it is
// worthless. Nothing is posted twice, nobody registers again, the feed and the
// registry stay as they were.
#include <gtest/gtest.h>

#include "common/standing.h"
#include "tests/integration/support/cluster_fixture.h"
#include "tests/integration/support/raw_client.h"
#include "tests/integration/support/signed_requests.h"

namespace imgshare::testing {
namespace {

class ReplayTest : public ClusterTest {
  protected:
    void SetUp() override {
        alice_ = register_user(cluster_, "alice");
        bob_ = register_user(cluster_, "bob");
        wrap_key_ = wrap_public_key(cluster_);
    }

    ListReply list_as(const TestUser& user) {
        RawClient client(cluster_.client_endpoint(), cluster_.broker_public_key(), user.keys.curve);
        auto reply = client.call(encode(ListRequest{}, 1));
        if (!reply) throw std::runtime_error("LIST: no reply");
        auto listed = decode_reply<ListReply>(*reply);
        if (!listed) throw std::runtime_error("LIST: " + listed.error().message);
        return *listed;
    }

    TestUser alice_, bob_;
    Bytes wrap_key_;
};

TEST_F(ReplayTest, PostReplayedByItsSenderAnswersAsBeforeAndPostsNothingTwice) {
    auto image = escrow_image(alice_, "holiday", wrap_key_, 3);
    RawClient first(cluster_.client_endpoint(), cluster_.broker_public_key(), alice_.keys.curve);
    auto original = post_image(first, image);
    ASSERT_EQ(original.requests.size(), 5u);
    auto committed = decode_reply<PostCommitReply>(*original.replies.back());
    ASSERT_TRUE(committed.has_value()) << committed.error().message;
    auto before = list_as(bob_);

    RawClient later(cluster_.client_endpoint(), cluster_.broker_public_key(), alice_.keys.curve);
    auto begun = later.call(original.requests[0]);
    ASSERT_TRUE(begun.has_value());
    auto resumed = decode_reply<PostBeginReply>(*begun);
    ASSERT_TRUE(resumed.has_value()) << resumed.error().message;
    EXPECT_EQ(resumed->upload, decode_reply<PostBeginReply>(*original.replies[0])->upload);
    EXPECT_EQ(resumed->next_index, 3u) << "the upload is complete: nothing more is taken";
    // Chunks and the commit answer byte for byte as the first time.
    for (std::size_t i = 1; i < original.requests.size(); ++i) {
        auto again = later.call(original.requests[i]);
        ASSERT_TRUE(again.has_value()) << "request " << i;
        EXPECT_EQ(*again, *original.replies[i]) << "request " << i;
    }

    auto after = list_as(bob_);
    ASSERT_EQ(after.items.size(), 1u);
    EXPECT_EQ(after.items, before.items);
    EXPECT_EQ(after.last_seq, committed->seq);
}

TEST_F(ReplayTest, PostReplayedFromAnotherUsersConnectionIsRefusedAndChangesNothing) {
    // One upload committed, one still in progress (two of its three chunks sent).
    RawClient alice(cluster_.client_endpoint(), cluster_.broker_public_key(), alice_.keys.curve);
    auto done = post_image(alice, escrow_image(alice_, "done", wrap_key_, 2));
    ASSERT_EQ(done.requests.size(), 4u);
    ASSERT_FALSE(error_code_of(*done.replies.back()));
    auto pending_image = escrow_image(alice_, "pending", wrap_key_, 3);
    auto begun = alice.call(encode(pending_image.begin, 100));
    auto upload = decode_reply<PostBeginReply>(*begun)->upload;
    Frames pending_chunk = encode(PostChunkRequest{upload, 0}, 101, {}, pending_image.chunks[0]);
    ASSERT_FALSE(error_code_of(*alice.call(pending_chunk)));
    Frames pending_commit = encode(PostCommitRequest{upload}, 102);

    RawClient bob(cluster_.client_endpoint(), cluster_.broker_public_key(), bob_.keys.curve);
    EXPECT_EQ(code_of(bob.call(done.requests[0])), ErrorCode::FORBIDDEN);  // not bob's certificate
    EXPECT_EQ(code_of(bob.call(done.requests[1])), ErrorCode::NOT_FOUND);  // not bob's upload
    EXPECT_EQ(code_of(bob.call(done.requests.back())), ErrorCode::NOT_FOUND);
    EXPECT_EQ(code_of(bob.call(encode(pending_image.begin, 100))), ErrorCode::FORBIDDEN);
    EXPECT_EQ(code_of(bob.call(pending_chunk)), ErrorCode::NOT_FOUND);
    EXPECT_EQ(code_of(bob.call(pending_commit)), ErrorCode::NOT_FOUND);

    RawClient stranger(cluster_.client_endpoint(), cluster_.broker_public_key());
    for (const auto& request : {done.requests[0], done.requests[1], pending_commit}) {
        EXPECT_EQ(code_of(stranger.call(request)), ErrorCode::NOT_REGISTERED);
    }

    // Alice's pending upload is untouched: she finishes it, and the feed holds her two images.
    for (std::uint32_t index = 1; index < 3; ++index) {
        auto stored = alice.call(
            encode(PostChunkRequest{upload, index}, 110 + index, {}, pending_image.chunks[index]));
        ASSERT_TRUE(stored.has_value());
        EXPECT_FALSE(error_code_of(*stored));
    }
    auto finished = decode_reply<PostCommitReply>(*alice.call(pending_commit));
    ASSERT_TRUE(finished.has_value()) << finished.error().message;
    EXPECT_EQ(finished->owner, "alice");
    auto listed = list_as(alice_);
    ASSERT_EQ(listed.items.size(), 2u);
    EXPECT_EQ(listed.items[0].name, "done");
    EXPECT_EQ(listed.items[1].name, "pending");
    for (const auto& item : listed.items)
        EXPECT_EQ(item.owner, "alice");
}

TEST_F(ReplayTest, RegisterReplayedNeitherRegistersAgainNorChangesTheRegistry) {
    auto carol_keys = generate_user_keys();
    Frames request = encode(registration_of(carol_keys, "carol"), 1);
    RawClient carol(cluster_.client_endpoint(), cluster_.broker_public_key(), carol_keys.curve);
    auto first = carol.call(request);
    ASSERT_TRUE(first.has_value());
    auto issued = decode_reply<RegisterReply>(*first);
    ASSERT_TRUE(issued.has_value()) << issued.error().message;
    auto certificate = decode_certificate(issued->certificate);
    ASSERT_TRUE(certificate.has_value());

    // A retry on the same (still anonymous) connection: the same certificate, nothing new.
    auto retried = carol.call(request);
    ASSERT_TRUE(retried.has_value());
    EXPECT_EQ(*retried, *first);
    // On a new connection carol's key is registered: the retry of a client that refused the
    // first answer (e.g. its log head not yet witnessed) gets the same certificate, and nobody
    // registers twice.
    RawClient carol_later(cluster_.client_endpoint(), cluster_.broker_public_key(),
                          carol_keys.curve);
    auto again = carol_later.call(request);
    ASSERT_TRUE(again.has_value());
    auto reissued = decode_reply<RegisterReply>(*again);
    ASSERT_TRUE(reissued.has_value()) << reissued.error().message;
    EXPECT_EQ(reissued->certificate, issued->certificate);
    // Anyone else holds another CURVE key than the one the proof names.
    RawClient stranger(cluster_.client_endpoint(), cluster_.broker_public_key());
    EXPECT_EQ(code_of(stranger.call(request)), ErrorCode::FORBIDDEN);

    // The registry still holds carol's first certificate, and the serial counter moved once.
    RawClient bob(cluster_.client_endpoint(), cluster_.broker_public_key(), bob_.keys.curve);
    auto looked_up = decode_reply<GetCertReply>(*bob.call(encode(GetCertRequest{"carol"}, 2)));
    ASSERT_TRUE(looked_up.has_value()) << looked_up.error().message;
    EXPECT_EQ(looked_up->certificate, issued->certificate);
    EXPECT_FALSE(decode_standing(looked_up->standing).value().revoked);
    auto dave = register_user(cluster_, "dave");
    EXPECT_EQ(dave.certificate.serial, certificate->serial + 1);
}

}  // namespace
}  // namespace imgshare::testing
