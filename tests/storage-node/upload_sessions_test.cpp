// Pending uploads across a restart of the node (upload_sessions.h): the
// time-out counts from the last activity stored, never from the start-up.
#include <gtest/gtest.h>

#include "tests/storage-node/storage_test_support.h"

namespace imgshare::storage::testing {
namespace {

class UploadSessionsTest : public StorageTest {
  protected:
    // A restart: the new process's monotonic clock starts anywhere; wall time goes on.
    void restart() {
        close();
        clock_.advance_ms(987'654);
        open();
    }

    bool pending(const std::string& upload) {
        auto listed = service().uploads(UploadsRequest{}, as_user("alice"));
        EXPECT_TRUE(listed.has_value()) << describe(listed.error());
        if (!listed) return false;
        return std::ranges::any_of(listed->uploads,
                                   [&](const auto& item) { return item.upload == upload; });
    }

    void expire_after_seconds(std::int64_t seconds) {
        clock_.advance_seconds(seconds);
        service().expire_uploads();
    }

    TestUser alice_ = user("alice");
};

TEST_P(UploadSessionsTest, ARestartDoesNotExtendTheTimeOutOfAnUploadBegunBeforeIt) {
    auto cat = image(alice_);
    auto begun = service().post_begin(cat.begin, as_user("alice")).value();
    clock_.advance_seconds(40);
    restart();
    expire_after_seconds(19);
    EXPECT_TRUE(pending(begun.upload)) << "expired early";
    expire_after_seconds(1);  // 60 s since the POST_BEGIN
    EXPECT_FALSE(pending(begun.upload)) << "the restart gave it a fresh time-out";
    expect_error(send_chunk(alice_, begun.upload, 0, cat.chunks[0]), ErrorCode::NOT_FOUND);
}

TEST_P(UploadSessionsTest, AfterARestartTheTimeOutCountsFromTheLastChunkStored) {
    auto cat = image(alice_);
    auto begun = service().post_begin(cat.begin, as_user("alice")).value();
    clock_.advance_seconds(30);
    ASSERT_TRUE(send_chunk(alice_, begun.upload, 0, cat.chunks[0]));
    clock_.advance_seconds(20);
    restart();
    expire_after_seconds(39);
    EXPECT_TRUE(pending(begun.upload));
    expire_after_seconds(1);  // 60 s since the chunk
    EXPECT_FALSE(pending(begun.upload));
}

TEST_P(UploadSessionsTest, AfterARestartTheTimeOutCountsFromTheLastPostBegin) {
    auto cat = image(alice_);
    auto begun = service().post_begin(cat.begin, as_user("alice")).value();
    clock_.advance_seconds(30);
    ASSERT_TRUE(service().post_begin(cat.begin, as_user("alice")));  // a resume
    clock_.advance_seconds(20);
    restart();
    expire_after_seconds(39);
    EXPECT_TRUE(pending(begun.upload)) << "counted from the first POST_BEGIN";
    expire_after_seconds(1);  // 60 s since the resume
    EXPECT_FALSE(pending(begun.upload));
}

TEST_P(UploadSessionsTest, AnUploadIdleForTheWholeTimeOutWhileTheNodeWasDownExpiresAtOnce) {
    auto cat = image(alice_);
    auto begun = service().post_begin(cat.begin, as_user("alice")).value();
    close();
    clock_.advance_seconds(3600);
    open();
    expire_after_seconds(0);
    EXPECT_FALSE(pending(begun.upload));
}

TEST_P(UploadSessionsTest, TheDeadlineListedIsTheOneKeptAcrossARestart) {
    auto cat = image(alice_);
    auto begun = service().post_begin(cat.begin, as_user("alice")).value();
    const auto deadline = clock_.now_seconds() + 60;
    auto listed = service().uploads(UploadsRequest{}, as_user("alice")).value();
    ASSERT_EQ(listed.uploads.size(), 1u);
    EXPECT_EQ(listed.uploads[0].expires_at, deadline);
    clock_.advance_seconds(10);
    restart();
    listed = service().uploads(UploadsRequest{}, as_user("alice")).value();
    ASSERT_EQ(listed.uploads.size(), 1u);
    EXPECT_EQ(listed.uploads[0].upload, begun.upload);
    EXPECT_EQ(listed.uploads[0].expires_at, deadline);
}

// Several nodes share one store: an upload begun on a node that then died is picked up
// from the store by another, resumed from the chunk it lacks, and committed there.
TEST_P(UploadSessionsTest, AnUploadBegunOnAnotherNodeIsResumedAndCommittedHere) {
    auto cat = image(alice_);
    std::string upload;
    {
        auto other = another_node();
        upload = other.post_begin(cat.begin, as_user("alice")).value().upload;
        ASSERT_TRUE(send_chunk_to(other, alice_, upload, 0, cat.chunks[0]));
    }  // that node is gone
    auto resumed = service().post_begin(cat.begin, as_user("alice"));
    ASSERT_TRUE(resumed.has_value()) << describe(resumed.error());
    EXPECT_EQ(*resumed, (PostBeginReply{upload, 1}));
    EXPECT_TRUE(pending(upload));
    for (std::uint32_t index = 1; index < cat.chunks.size(); ++index)
        ASSERT_TRUE(send_chunk(alice_, upload, index, cat.chunks[index]));
    auto committed = service().post_commit(PostCommitRequest{upload}, as_user("alice"));
    ASSERT_TRUE(committed.has_value()) << describe(committed.error());
    EXPECT_EQ(committed->name, "cat");
}

// ... and it expires here too, its time-out counted from its last activity.
TEST_P(UploadSessionsTest, AnUploadBegunOnAnotherNodeExpiresHereWhenIdle) {
    auto cat = image(alice_);
    std::string upload;
    {
        auto other = another_node();
        upload = other.post_begin(cat.begin, as_user("alice")).value().upload;
    }
    ASSERT_TRUE(service().post_begin(cat.begin, as_user("alice")));
    expire_after_seconds(59);
    EXPECT_TRUE(pending(upload));
    expire_after_seconds(1);
    EXPECT_FALSE(pending(upload)) << "an upload begun elsewhere never expires here";
    EXPECT_EQ(probe().upload_state(), 0u);
    EXPECT_EQ(probe().chunks(), 0u);
}

// The broker spreads one upload's chunks over the nodes, in any order: chunk 2 is stored by
// the other node before chunk 1 arrives here, where the upload is met for the first time.
// Reconciling its notes then must not take chunk 2 for a crash's leftover.
// What a failed sync leaves: chunks hashed as they came that the store may not hold as they
// came (a chunk write the backend began and the cluster refused). From then on the commit's
// digest is of the chunks as stored (UploadSessions::forget_received), never as received.
TEST_P(UploadSessionsTest, AfterAFailedSyncTheDigestIsOfTheChunksAsStoredNotAsReceived) {
    auto cat = image(alice_);
    const auto envelope = decode_envelope(cat.begin.envelope).value();
    const auto upload = UploadId::of(cat.begin.envelope, cat.begin.signature);
    auto sessions = UploadSessions::load(*backend_, clock_, config_.upload_timeout_ms).value();
    ASSERT_TRUE(sessions.begin(upload, UploadSession{"alice", cat.begin.certificate,
                                                     cat.begin.envelope, cat.begin.signature,
                                                     cat.begin.wrapped_key, {},
                                                     clock_.now_seconds(), envelope.chunk_count}));
    for (std::uint32_t index = 0; index < cat.chunks.size(); ++index)
        ASSERT_TRUE(sessions.store_chunk(upload, index, cat.chunks[index]));
    ASSERT_TRUE(backend_->sync());
    // The store's chunk 1 is not the one received: a stand-in for one that never landed.
    Bytes other = cat.chunks[1];
    other[0] ^= 1;
    ASSERT_TRUE(backend_->store_chunk(upload, 1, other, clock_.now_seconds(), 0));
    ASSERT_TRUE(backend_->sync());
    EXPECT_EQ(sessions.ciphertext_digest(upload, envelope).value(), envelope.ciphertext_sha256)
        << "hashed as received";
    sessions.forget_received();
    ASSERT_TRUE(sessions.recover(upload));
    EXPECT_NE(sessions.ciphertext_digest(upload, envelope).value(), envelope.ciphertext_sha256)
        << "a failed sync must send the commit's digest back to the store";
}

TEST_P(UploadSessionsTest, ChunksOfOneUploadStoredThroughTwoNodesInAnyOrderAllCount) {
    auto cat = image(alice_);
    auto other = another_node();
    const auto upload = other.post_begin(cat.begin, as_user("alice")).value().upload;
    ASSERT_TRUE(send_chunk_to(other, alice_, upload, 0, cat.chunks[0]));
    ASSERT_TRUE(send_chunk_to(other, alice_, upload, 2, cat.chunks[2]));
    ASSERT_TRUE(send_chunk(alice_, upload, 1, cat.chunks[1]));
    auto committed = service().post_commit(PostCommitRequest{upload}, as_user("alice"));
    ASSERT_TRUE(committed.has_value()) << describe(committed.error());
    EXPECT_EQ(committed->name, "cat");
}

// An upload this node met, committed through another node: no longer pending here (it would
// count against its owner's --max-pending-uploads until it expired).
TEST_P(UploadSessionsTest, AnUploadCommittedOnAnotherNodeIsNoLongerPendingHere) {
    auto cat = image(alice_);
    auto other = another_node();
    const auto upload = other.post_begin(cat.begin, as_user("alice")).value().upload;
    ASSERT_TRUE(send_chunk(alice_, upload, 0, cat.chunks[0]));
    EXPECT_TRUE(pending(upload));
    for (std::uint32_t index = 1; index < cat.chunks.size(); ++index)
        ASSERT_TRUE(send_chunk_to(other, alice_, upload, index, cat.chunks[index]));
    auto committed = other.post_commit(PostCommitRequest{upload}, as_user("alice"));
    ASSERT_TRUE(committed.has_value()) << describe(committed.error());
    EXPECT_FALSE(pending(upload)) << "committed on the other node, still pending here";
}

INSTANTIATE_TEST_SUITE_P(Backends, UploadSessionsTest, on_every_backend(), backend_name);

}  // namespace
}  // namespace imgshare::storage::testing
