// POST_BEGIN, POST_CHUNK, POST_COMMIT and upload expiry, through the handlers.
#include <gtest/gtest.h>

#include "tests/storage-node/storage_test_support.h"

namespace imgshare::storage::testing {
namespace {

class PostingTest : public StorageTest {
  protected:
    TestUser alice_ = user("alice");
    TestUser bob_ = user("bob");
};

TEST_P(PostingTest, CommitAnswersWithTheImageAndItsFeedSeq) {
    auto cat = image(alice_);
    auto committed = post(alice_, cat);
    EXPECT_EQ(committed,
              (PostCommitReply{
                  "cat", "alice", 1, 3000, clock_.now_seconds(), std::string(kEscrowMode), {}}));
    auto dog = post(alice_, image(alice_, named("dog")));
    EXPECT_EQ(dog.seq, 2u);
    // A commit ends its upload: neither session nor any chunk's note is left behind,
    // and the chunks stay as the image's.
    EXPECT_EQ(probe().upload_state(), 0u);
    EXPECT_EQ(probe().chunks(), 2u * cat.chunks.size());
}

TEST_P(PostingTest, AnyoneButARegisteredUserIsNotRegistered) {
    auto cat = image(alice_);
    for (const auto& peer : not_users()) {
        const service::RequestContext context{peer, {}};
        expect_error(service().post_begin(cat.begin, context), ErrorCode::NOT_REGISTERED);
        expect_error(service().post_chunk(PostChunkRequest{std::string(32, '0'), 0}, context),
                     ErrorCode::NOT_REGISTERED);
        expect_error(service().post_commit(PostCommitRequest{std::string(32, '0')}, context),
                     ErrorCode::NOT_REGISTERED);
    }
}

TEST_P(PostingTest, AnotherUsersCertificateIsForbidden) {
    // Bob replays Alice's complete, validly signed request under his own connection.
    auto cat = image(alice_);
    expect_error(service().post_begin(cat.begin, as_user("bob")), ErrorCode::FORBIDDEN);
}

TEST_P(PostingTest, EnvelopeSignedByAnotherUserIsRefused) {
    // Bob's certificate, but the envelope names and is signed by Alice.
    auto cat = image(alice_);
    cat.begin.certificate = bob_.encoded_certificate;
    expect_error(service().post_begin(cat.begin, as_user("bob")), ErrorCode::BAD_SIGNATURE);
    // An envelope naming Bob, signed with Alice's key.
    auto forged = image(bob_);
    forged.begin.signature = sign_envelope(forged.begin.envelope, alice_.sign.secret_key);
    expect_error(service().post_begin(forged.begin, as_user("bob")), ErrorCode::BAD_SIGNATURE);
}

TEST_P(PostingTest, CertificateFromAnotherCaIsRefused) {
    TestCa rogue;
    auto mallory = rogue.issue("alice", clock_.now_seconds());
    auto cat = image(mallory);
    expect_error(service().post_begin(cat.begin, as_user("alice")), ErrorCode::BAD_SIGNATURE);
}

TEST_P(PostingTest, ExpiredCertificateIsRefused) {
    auto cat = image(alice_);
    clock_.advance_seconds(2 * 3600);
    expect_error(service().post_begin(cat.begin, as_user("alice")), ErrorCode::EXPIRED);
}

TEST_P(PostingTest, TakenNameIsRefusedAndTheFirstImageIsUnchanged) {
    auto first = image(alice_);
    post(alice_, first);
    auto second = image(bob_);  // also named "cat"
    expect_error(service().post_begin(second.begin, as_user("bob")), ErrorCode::NAME_TAKEN);
    auto download = service().download(DownloadRequest{"cat"}, as_user("bob"));
    ASSERT_TRUE(download.has_value()) << describe(download.error());
    EXPECT_EQ(download->envelope, first.begin.envelope);
    EXPECT_EQ(download->certificate, alice_.encoded_certificate);
}

TEST_P(PostingTest, NameTakenWhileUploadingIsRefusedAtCommitAndTheUploadDiscarded) {
    auto mine = image(alice_);
    auto theirs = image(bob_);
    auto my_upload = upload_all(alice_, mine);
    auto their_upload = upload_all(bob_, theirs);
    ASSERT_TRUE(service().post_commit(PostCommitRequest{their_upload}, as_user("bob")));
    expect_error(service().post_commit(PostCommitRequest{my_upload}, as_user("alice")),
                 ErrorCode::NAME_TAKEN);
    auto upload_id = UploadId::parse(my_upload).value();
    EXPECT_EQ(probe().chunks(upload_id), 0u);
    EXPECT_EQ(probe().upload_state(upload_id), 0u);
    auto download = service().download(DownloadRequest{"cat"}, as_user("alice"));
    ASSERT_TRUE(download.has_value());
    EXPECT_EQ(download->envelope, theirs.begin.envelope);
}

TEST_P(PostingTest, RepeatedRequestsChangeNothingAndAnswerAsTheFirst) {
    auto cat = image(alice_);
    auto begun = service().post_begin(cat.begin, as_user("alice"));
    ASSERT_TRUE(begun.has_value());
    EXPECT_EQ(begun->next_index, 0u);
    ASSERT_TRUE(send_chunk(alice_, begun->upload, 0, cat.chunks[0]));
    // A retried POST_BEGIN resumes: same upload, the first chunk still missing.
    auto resumed = service().post_begin(cat.begin, as_user("alice"));
    ASSERT_TRUE(resumed.has_value());
    EXPECT_EQ(*resumed, (PostBeginReply{begun->upload, 1}));
    // A repeated chunk, even with other bytes, keeps the first copy.
    Bytes altered = cat.chunks[0];
    altered[5] ^= 1;
    auto repeated = send_chunk(alice_, begun->upload, 0, altered);
    ASSERT_TRUE(repeated.has_value());
    EXPECT_EQ(repeated->index, 0u);
    for (std::uint32_t index = 1; index < cat.chunks.size(); ++index)
        ASSERT_TRUE(send_chunk(alice_, begun->upload, index, cat.chunks[index]));

    auto committed = service().post_commit(PostCommitRequest{begun->upload}, as_user("alice"));
    ASSERT_TRUE(committed.has_value()) << describe(committed.error());
    auto again = service().post_commit(PostCommitRequest{begun->upload}, as_user("alice"));
    ASSERT_TRUE(again.has_value()) << describe(again.error());
    EXPECT_EQ(*again, *committed);
    // Late retries of the begin and of a chunk get the answers they would have had.
    auto late_begin = service().post_begin(cat.begin, as_user("alice"));
    ASSERT_TRUE(late_begin.has_value());
    EXPECT_EQ(*late_begin, (PostBeginReply{begun->upload, cat.envelope.chunk_count}));
    auto late_chunk = send_chunk(alice_, begun->upload, 2, cat.chunks[2]);
    ASSERT_TRUE(late_chunk.has_value()) << describe(late_chunk.error());
    EXPECT_EQ(late_chunk->index, 2u);
    // One image, one feed entry.
    EXPECT_EQ(probe().feed_entries(), 1u);
    EXPECT_EQ(probe().images(), 1u);
    auto listed = service().list(ListRequest{0, 100}, as_user("alice"));
    ASSERT_TRUE(listed.has_value());
    EXPECT_EQ(listed->items.size(), 1u);
    // Nobody else can replay the commit of Alice's upload.
    expect_error(service().post_commit(PostCommitRequest{begun->upload}, as_user("bob")),
                 ErrorCode::NOT_FOUND);
}

TEST_P(PostingTest, CommitWithAMissingChunkIsRefused) {
    auto cat = image(alice_);
    auto begun = service().post_begin(cat.begin, as_user("alice")).value();
    ASSERT_TRUE(send_chunk(alice_, begun.upload, 0, cat.chunks[0]));
    ASSERT_TRUE(send_chunk(alice_, begun.upload, 2, cat.chunks[2]));
    auto refused = service().post_commit(PostCommitRequest{begun.upload}, as_user("alice"));
    expect_error(refused, ErrorCode::BAD_REQUEST);
    EXPECT_EQ(refused.error().message, "missing chunk 1");
    EXPECT_EQ(probe().images(), 0u);
    // Still pending: the missing chunk completes it.
    ASSERT_TRUE(send_chunk(alice_, begun.upload, 1, cat.chunks[1]));
    EXPECT_TRUE(service().post_commit(PostCommitRequest{begun.upload}, as_user("alice")));
}

TEST_P(PostingTest, ChunkOfTheWrongSizeOrIndexIsRefused) {
    auto cat = image(alice_);
    auto begun = service().post_begin(cat.begin, as_user("alice")).value();
    Bytes short_chunk(cat.chunks[0].begin(), cat.chunks[0].end() - 1);
    expect_error(send_chunk(alice_, begun.upload, 0, short_chunk), ErrorCode::BAD_REQUEST);
    Bytes long_chunk = cat.chunks[0];
    long_chunk.push_back(0);
    expect_error(send_chunk(alice_, begun.upload, 0, long_chunk), ErrorCode::TOO_LARGE);
    // The last chunk is shorter: a full-size chunk does not fit there.
    expect_error(send_chunk(alice_, begun.upload, 2, cat.chunks[0]), ErrorCode::TOO_LARGE);
    expect_error(send_chunk(alice_, begun.upload, 3, cat.chunks[2]), ErrorCode::BAD_REQUEST);
    EXPECT_EQ(probe().chunks(), 0u);
}

TEST_P(PostingTest, CorruptedChunkIsAnIntegrityErrorAtCommitAndDiscardsTheUpload) {
    auto cat = image(alice_);
    auto begun = service().post_begin(cat.begin, as_user("alice")).value();
    Bytes flipped = cat.chunks[1];
    flipped[flipped.size() / 2] ^= 0x40;
    ASSERT_TRUE(send_chunk(alice_, begun.upload, 0, cat.chunks[0]));
    ASSERT_TRUE(send_chunk(alice_, begun.upload, 1, flipped));
    ASSERT_TRUE(send_chunk(alice_, begun.upload, 2, cat.chunks[2]));
    expect_error(service().post_commit(PostCommitRequest{begun.upload}, as_user("alice")),
                 ErrorCode::INTEGRITY);
    EXPECT_EQ(probe().images(), 0u);
    EXPECT_EQ(probe().feed_entries(), 0u);
    EXPECT_EQ(probe().chunks(), 0u);
    // The owner can post the same image again from the start.
    auto again = service().post_begin(cat.begin, as_user("alice"));
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(*again, (PostBeginReply{begun.upload, 0}));
}

TEST_P(PostingTest, ChunksOutOfOrderOrAcrossARestartAreCheckedAgainstTheDigestToo) {
    // Chunks that arrive in order are hashed as they come; these are read back.
    auto cat = image(alice_, named("cat"));
    auto begun = service().post_begin(cat.begin, as_user("alice")).value();
    ASSERT_TRUE(send_chunk(alice_, begun.upload, 1, cat.chunks[1]));
    ASSERT_TRUE(send_chunk(alice_, begun.upload, 0, cat.chunks[0]));
    ASSERT_TRUE(send_chunk(alice_, begun.upload, 2, cat.chunks[2]));
    ASSERT_TRUE(service().post_commit(PostCommitRequest{begun.upload}, as_user("alice")));

    auto dog = image(alice_, named("dog"));
    auto dog_upload = service().post_begin(dog.begin, as_user("alice")).value().upload;
    Bytes flipped = dog.chunks[0];
    flipped[7] ^= 0x01;
    ASSERT_TRUE(send_chunk(alice_, dog_upload, 2, dog.chunks[2]));
    ASSERT_TRUE(send_chunk(alice_, dog_upload, 0, flipped));
    ASSERT_TRUE(send_chunk(alice_, dog_upload, 1, dog.chunks[1]));
    expect_error(service().post_commit(PostCommitRequest{dog_upload}, as_user("alice")),
                 ErrorCode::INTEGRITY);

    auto owl = image(alice_, named("owl"));
    auto owl_upload = service().post_begin(owl.begin, as_user("alice")).value().upload;
    Bytes owl_flipped = owl.chunks[0];
    owl_flipped[7] ^= 0x01;
    ASSERT_TRUE(send_chunk(alice_, owl_upload, 0, owl_flipped));
    reopen();
    ASSERT_TRUE(send_chunk(alice_, owl_upload, 1, owl.chunks[1]));
    ASSERT_TRUE(send_chunk(alice_, owl_upload, 2, owl.chunks[2]));
    expect_error(service().post_commit(PostCommitRequest{owl_upload}, as_user("alice")),
                 ErrorCode::INTEGRITY);
}

TEST_P(PostingTest, SomeoneElsesUploadIsNotFound) {
    auto cat = image(alice_);
    auto begun = service().post_begin(cat.begin, as_user("alice")).value();
    expect_error(send_chunk(bob_, begun.upload, 0, cat.chunks[0]), ErrorCode::NOT_FOUND);
    expect_error(service().post_commit(PostCommitRequest{begun.upload}, as_user("bob")),
                 ErrorCode::NOT_FOUND);
    expect_error(send_chunk(alice_, std::string(32, 'a'), 0, cat.chunks[0]), ErrorCode::NOT_FOUND);
    expect_error(send_chunk(alice_, "../etc/passwd", 0, cat.chunks[0]), ErrorCode::BAD_REQUEST);
}

TEST_P(PostingTest, IdleUploadExpiresWithItsChunks) {
    auto cat = image(alice_);
    auto begun = service().post_begin(cat.begin, as_user("alice")).value();
    auto upload_id = UploadId::parse(begun.upload).value();
    clock_.advance_ms(50'000);
    ASSERT_TRUE(send_chunk(alice_, begun.upload, 0, cat.chunks[0]));
    clock_.advance_ms(50'000);  // 100 s since begin, 50 s since the last chunk
    service().expire_uploads();
    ASSERT_TRUE(send_chunk(alice_, begun.upload, 1, cat.chunks[1]));
    EXPECT_EQ(probe().chunks(upload_id), 2u);

    clock_.advance_ms(60'000);
    service().expire_uploads();
    EXPECT_EQ(probe().chunks(upload_id), 0u);
    EXPECT_EQ(probe().upload_state(upload_id), 0u);
    expect_error(send_chunk(alice_, begun.upload, 2, cat.chunks[2]), ErrorCode::NOT_FOUND);
    expect_error(service().post_commit(PostCommitRequest{begun.upload}, as_user("alice")),
                 ErrorCode::NOT_FOUND);
}

TEST_P(PostingTest, PendingUploadsSurviveARestartAndStillExpire) {
    auto cat = image(alice_);
    auto begun = service().post_begin(cat.begin, as_user("alice")).value();
    ASSERT_TRUE(send_chunk(alice_, begun.upload, 0, cat.chunks[0]));
    reopen();
    auto resumed = service().post_begin(cat.begin, as_user("alice"));
    ASSERT_TRUE(resumed.has_value());
    EXPECT_EQ(resumed->next_index, 1u);
    clock_.advance_ms(60'000);
    service().expire_uploads();
    expect_error(send_chunk(alice_, begun.upload, 1, cat.chunks[1]), ErrorCode::NOT_FOUND);
    EXPECT_EQ(probe().chunks(), 0u);
}

// An upload RocksDB writes apart from its log (kUnloggedUploadBytes): what a crash does to
// such chunks, any backend must survive.
ImageSpec large_image() {
    ImageSpec spec;
    spec.padded_size = 4u << 20;
    spec.chunk_size = 256 * 1024;
    return spec;
}

TEST_P(PostingTest, ALargeUploadResumesFromTheFirstChunkACrashLostAfterARestart) {
    // A crash may lose a chunk and keep its note, or keep the chunk and lose its note (RocksDB
    // writes a large upload's chunks apart from its log; RADOS keeps them in other objects):
    // after a restart the notes are made to match the chunks from 0 on.
    auto big = image(alice_, large_image());
    auto begun = service().post_begin(big.begin, as_user("alice")).value();
    for (std::uint32_t index = 0; index < 4; ++index)
        ASSERT_TRUE(send_chunk(alice_, begun.upload, index, big.chunks[index]));
    // What such a crash leaves: chunk 2 gone with its note kept; chunk 1 kept, its note gone.
    const auto id = UploadId::parse(begun.upload).value();
    probe().lose_chunk(id, 2);
    probe().lose_chunk_note(id, 1);
    // A small upload beside it keeps its progress.
    auto cat = image(bob_);
    auto small = service().post_begin(cat.begin, as_user("bob")).value();
    ASSERT_TRUE(send_chunk(bob_, small.upload, 0, cat.chunks[0]));
    reopen();
    auto resumed = service().post_begin(big.begin, as_user("alice"));
    ASSERT_TRUE(resumed.has_value()) << describe(resumed.error());
    EXPECT_EQ(resumed->upload, begun.upload);
    EXPECT_EQ(resumed->next_index, 2u);
    // Chunk 1 is noted again, chunk 2 no longer (its chunk is gone); chunk 3, past the gap
    // but stored whole, keeps its note (on a shared store, other nodes store chunks past a
    // gap all the time).
    EXPECT_EQ(probe().upload_state(id), 1u + 3u);
    EXPECT_EQ(service().post_begin(cat.begin, as_user("bob")).value().next_index, 1u);
    for (std::uint32_t index = resumed->next_index; index < big.chunks.size(); ++index)
        ASSERT_TRUE(send_chunk(alice_, begun.upload, index, big.chunks[index]));
    auto committed = service().post_commit(PostCommitRequest{begun.upload}, as_user("alice"));
    ASSERT_TRUE(committed.has_value()) << describe(committed.error());
    EXPECT_EQ(committed->size, large_image().padded_size);
}

TEST_P(PostingTest, KeysMustFitTheMode) {
    auto escrow = image(alice_);
    escrow.begin.wrapped_key.clear();
    expect_error(service().post_begin(escrow.begin, as_user("alice")), ErrorCode::BAD_REQUEST);
    escrow = image(alice_);
    escrow.begin.grants.push_back(Grant{"alice", Bytes(kSealedContentKeySize, 1)});
    expect_error(service().post_begin(escrow.begin, as_user("alice")), ErrorCode::BAD_REQUEST);

    ImageSpec shared = shared_with("shared", {&bob_});
    auto e2e = image(alice_, shared);
    e2e.begin.wrapped_key = Bytes(kSealedContentKeySize, 1);
    expect_error(service().post_begin(e2e.begin, as_user("alice")), ErrorCode::BAD_REQUEST);
    e2e = image(alice_, shared);
    e2e.begin.grants.pop_back();  // one recipient without a grant
    expect_error(service().post_begin(e2e.begin, as_user("alice")), ErrorCode::BAD_REQUEST);
    e2e = image(alice_, shared);
    e2e.begin.grants.push_back(Grant{"mallory", Bytes(kSealedContentKeySize, 1)});
    expect_error(service().post_begin(e2e.begin, as_user("alice")), ErrorCode::BAD_REQUEST);
    e2e = image(alice_, shared);
    e2e.begin.grants[0].sealed_key.pop_back();
    expect_error(service().post_begin(e2e.begin, as_user("alice")), ErrorCode::BAD_REQUEST);
    EXPECT_EQ(probe().upload_state(), 0u);
}

TEST_P(PostingTest, ImageOverTheSizeLimitIsTooLarge) {
    config_.max_image_bytes = 2999;
    reopen();
    expect_error(service().post_begin(image(alice_).begin, as_user("alice")), ErrorCode::TOO_LARGE);
}

TEST_P(PostingTest, PendingUploadsPerUserAreCapped) {
    config_.max_pending_uploads_per_user = 2;
    reopen();
    ASSERT_TRUE(service().post_begin(image(alice_, named("a")).begin, as_user("alice")));
    ASSERT_TRUE(service().post_begin(image(alice_, named("b")).begin, as_user("alice")));
    expect_error(service().post_begin(image(alice_, named("c")).begin, as_user("alice")),
                 ErrorCode::RATE_LIMITED);
    EXPECT_TRUE(service().post_begin(image(bob_, named("c")).begin, as_user("bob")));
}

INSTANTIATE_TEST_SUITE_P(Backends, PostingTest, on_every_backend(), backend_name);

}  // namespace
}  // namespace imgshare::storage::testing
