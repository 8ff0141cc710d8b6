// POST_IMAGE: an image of one chunk posted in one request, through the handler. It must
// refuse everything POST_BEGIN and POST_COMMIT refuse, store nothing when it refuses, and
// answer a retry as it answered the first time.
#include <gtest/gtest.h>

#include "tests/storage-node/storage_test_support.h"

namespace imgshare::storage::testing {
namespace {

class PostImageTest : public StorageTest {
  protected:
    TestUser alice_ = user("alice");
    TestUser bob_ = user("bob");

    // An image that fits one chunk.
    TestImage small(const TestUser& owner, ImageSpec spec = {}) {
        spec.padded_size = 1000;
        spec.chunk_size = 1024;
        return image(owner, spec);
    }

    Result<PostCommitReply> post_image(const TestUser& sender, const TestImage& image,
                                       std::optional<Bytes> chunk = std::nullopt) {
        const Bytes& bytes = chunk ? *chunk : image.chunks.at(0);
        return service().post_image(PostImageRequest{image.begin}, as_user(sender.name, bytes));
    }

    // The commit a POST_IMAGE of `image` makes (its escrow record, as the handler builds it).
    CommitRecord commit_of_post_image(const TestImage& image) {
        const auto upload = UploadId::of(image.begin.envelope, image.begin.signature);
        ImageRecord record;
        record.name = image.envelope.name;
        record.owner = image.envelope.owner;
        record.upload = Bytes(as_bytes(upload.key()).begin(), as_bytes(upload.key()).end());
        record.certificate = image.begin.certificate;
        record.envelope = image.begin.envelope;
        record.signature = image.begin.signature;
        record.mode = image.envelope.mode;
        record.wrapped_key = image.begin.wrapped_key;
        record.created_at = image.envelope.created_at;
        record.size = image.envelope.padded_size;
        record.chunk_count = 1;
        record.committed_at = clock_.now_seconds();
        return CommitRecord{std::move(record), {}, ByteView(image.chunks.at(0))};
    }

    void expect_nothing_stored() {
        EXPECT_EQ(probe().images(), 0u);
        EXPECT_EQ(probe().chunks(), 0u);
        EXPECT_EQ(probe().feed_entries(), 0u);
        EXPECT_EQ(probe().upload_state(), 0u);
    }
};

TEST_P(PostImageTest, OneRequestCommitsTheImageDurablyAndReadersGetItsChunk) {
    auto cat = small(alice_);
    auto committed = post_image(alice_, cat);
    ASSERT_TRUE(committed.has_value()) << describe(committed.error());
    EXPECT_EQ(*committed,
              (PostCommitReply{
                  "cat", "alice", 1, 1000, clock_.now_seconds(), std::string(kEscrowMode), {}}));
    // Acknowledged only after the group commit's sync, like POST_COMMIT.
    EXPECT_TRUE(service().has_unsynced_writes());
    ASSERT_TRUE(service().make_durable());
    // No upload session was ever needed.
    EXPECT_EQ(probe().upload_state(), 0u);
    auto download = service().download(DownloadRequest{"cat"}, as_user("bob"));
    ASSERT_TRUE(download.has_value()) << describe(download.error());
    EXPECT_EQ(download->envelope, cat.begin.envelope);
    EXPECT_EQ(download->wrapped_key, cat.begin.wrapped_key);
    auto chunk = service().get_chunk(GetChunkRequest{"cat", 0}, as_user("bob"));
    ASSERT_TRUE(chunk.has_value()) << describe(chunk.error());
    EXPECT_EQ(chunk->payload, cat.chunks[0]);
}

TEST_P(PostImageTest, ARetryAnswersAsTheFirstAndAddsNothing) {
    auto cat = small(alice_);
    auto first = post_image(alice_, cat);
    ASSERT_TRUE(first.has_value()) << describe(first.error());
    auto again = post_image(alice_, cat);
    ASSERT_TRUE(again.has_value()) << describe(again.error());
    EXPECT_EQ(*again, *first);
    EXPECT_EQ(probe().feed_entries(), 1u);
    EXPECT_EQ(probe().images(), 1u);
    // And across a restart.
    reopen();
    auto after_restart = post_image(alice_, cat);
    ASSERT_TRUE(after_restart.has_value()) << describe(after_restart.error());
    EXPECT_EQ(*after_restart, *first);
    // A retry with other bytes is still the image first stored.
    Bytes altered = cat.chunks[0];
    altered[7] ^= 1;
    ASSERT_TRUE(post_image(alice_, cat, altered));
    auto chunk = service().get_chunk(GetChunkRequest{"cat", 0}, as_user("alice"));
    ASSERT_TRUE(chunk.has_value());
    EXPECT_EQ(chunk->payload, cat.chunks[0]);
}

TEST_P(PostImageTest, ATamperedChunkIsAnIntegrityErrorAndNothingIsStored) {
    auto cat = small(alice_);
    Bytes tampered = cat.chunks[0];
    tampered[tampered.size() / 2] ^= 0x40;
    expect_error(post_image(alice_, cat, tampered), ErrorCode::INTEGRITY);
    expect_nothing_stored();
    expect_error(service().download(DownloadRequest{"cat"}, as_user("alice")),
                 ErrorCode::NOT_FOUND);
}

TEST_P(PostImageTest, AChunkOfTheWrongSizeOrAnImageOfMoreChunksIsRefused) {
    auto cat = small(alice_);
    Bytes shorter(cat.chunks[0].begin(), cat.chunks[0].end() - 1);
    expect_error(post_image(alice_, cat, shorter), ErrorCode::BAD_REQUEST);
    Bytes longer = cat.chunks[0];
    longer.push_back(0);
    expect_error(post_image(alice_, cat, longer), ErrorCode::TOO_LARGE);
    expect_error(post_image(alice_, cat, Bytes{}), ErrorCode::BAD_REQUEST);
    auto three_chunks = image(alice_, named("big"));
    ASSERT_EQ(three_chunks.chunks.size(), 3u);
    auto refused = post_image(alice_, three_chunks);
    expect_error(refused, ErrorCode::BAD_REQUEST);
    EXPECT_NE(refused.error().message.find("POST_BEGIN"), std::string::npos);
    expect_nothing_stored();
}

TEST_P(PostImageTest, WhoMayPostIsCheckedAsForPostBegin) {
    auto cat = small(alice_);
    for (const auto& peer : not_users()) {
        expect_error(service().post_image(PostImageRequest{cat.begin},
                                          service::RequestContext{peer, cat.chunks[0]}),
                     ErrorCode::NOT_REGISTERED);
    }
    // Bob replays Alice's whole request on his own connection.
    expect_error(post_image(bob_, cat), ErrorCode::FORBIDDEN);
    // Bob's certificate on an envelope Alice signed; an envelope naming Bob signed by Alice.
    auto borrowed = small(alice_);
    borrowed.begin.certificate = bob_.encoded_certificate;
    expect_error(post_image(bob_, borrowed), ErrorCode::BAD_SIGNATURE);
    auto forged = small(bob_);
    forged.begin.signature = sign_envelope(forged.begin.envelope, alice_.sign.secret_key);
    expect_error(post_image(bob_, forged), ErrorCode::BAD_SIGNATURE);
    // A certificate from another CA.
    TestCa rogue;
    auto impostor = rogue.issue("alice", clock_.now_seconds());
    expect_error(post_image(alice_, small(impostor)), ErrorCode::BAD_SIGNATURE);
    expect_nothing_stored();
}

TEST_P(PostImageTest, ATakenNameIsRefusedAndTheFirstImageIsUnchanged) {
    auto first = small(alice_);
    ASSERT_TRUE(post_image(alice_, first));
    expect_error(post_image(bob_, small(bob_)), ErrorCode::NAME_TAKEN);
    // Also against an image committed in three requests.
    post(alice_, image(alice_, named("dog")));
    expect_error(post_image(bob_, small(bob_, named("dog"))), ErrorCode::NAME_TAKEN);
    auto download = service().download(DownloadRequest{"cat"}, as_user("alice"));
    ASSERT_TRUE(download.has_value());
    EXPECT_EQ(download->envelope, first.begin.envelope);
    EXPECT_EQ(probe().images(), 2u);
}

TEST_P(PostImageTest, AnUploadBegunWithPostBeginIsFinishedThatWayOnly) {
    auto cat = small(alice_);
    auto begun = service().post_begin(cat.begin, as_user("alice"));
    ASSERT_TRUE(begun.has_value()) << describe(begun.error());
    // The session owns the chunk keys: committing beside it would let its expiry delete them.
    expect_error(post_image(alice_, cat), ErrorCode::BAD_REQUEST);
    ASSERT_TRUE(send_chunk(alice_, begun->upload, 0, cat.chunks[0]));
    auto committed = service().post_commit(PostCommitRequest{begun->upload}, as_user("alice"));
    ASSERT_TRUE(committed.has_value()) << describe(committed.error());
    // Once committed, POST_IMAGE of the same image is a retry.
    auto again = post_image(alice_, cat);
    ASSERT_TRUE(again.has_value()) << describe(again.error());
    EXPECT_EQ(*again, *committed);
}

TEST_P(PostImageTest, APostBeginOfAnImageWhosePostImageWasCutFindsItCommitted) {
    auto cat = small(alice_);
    // The node serving the POST_IMAGE was killed inside its commit. Where that leaves the
    // image staged (RADOS), nothing notes it in the upload's own state: the POST_BEGIN of
    // the same envelope (another client, or a client falling back) must find the image,
    // not a name "taken" by itself. Where a cut commit leaves nothing, it is a new upload.
    const bool staged = probe().cut_commit_after_staging(commit_of_post_image(cat));
    auto begun = service().post_begin(cat.begin, as_user("alice"));
    ASSERT_TRUE(begun.has_value()) << describe(begun.error());
    if (!staged) {
        EXPECT_EQ(begun->next_index, 0u);
        return;
    }
    EXPECT_EQ(begun->next_index, 1u) << "every chunk is there";
    EXPECT_EQ(probe().upload_state(), 0u) << "no session begun beside the image";
    auto download = service().download(DownloadRequest{"cat"}, as_user("bob"));
    ASSERT_TRUE(download.has_value()) << describe(download.error());
    EXPECT_EQ(download->envelope, cat.begin.envelope);
    auto chunk = service().get_chunk(GetChunkRequest{"cat", 0}, as_user("bob"));
    ASSERT_TRUE(chunk.has_value()) << describe(chunk.error());
    EXPECT_EQ(chunk->payload, cat.chunks[0]);
    // And its client's retry gets the answer the cut request would have had.
    auto retried = post_image(alice_, cat);
    ASSERT_TRUE(retried.has_value()) << describe(retried.error());
    EXPECT_EQ(retried->seq, 1u);
    EXPECT_EQ(probe().feed_entries(), 1u);
}

TEST_P(PostImageTest, AnEndToEndImageKeepsOneGrantPerReaderAndOnlyTheyListIt) {
    auto cat = small(alice_, shared_with("cat", {&bob_}));
    auto committed = post_image(alice_, cat);
    ASSERT_TRUE(committed.has_value()) << describe(committed.error());
    EXPECT_EQ(committed->mode, kEndToEndMode);
    EXPECT_EQ(committed->recipients, (std::vector<std::string>{"alice", "bob"}));
    auto download = service().download(DownloadRequest{"cat"}, as_user("bob"));
    ASSERT_TRUE(download.has_value()) << describe(download.error());
    auto key = unseal(download->wrapped_key, bob_.box);
    ASSERT_TRUE(key);
    EXPECT_TRUE(check_key_commitment(*key, cat.envelope.key_commitment));
    auto carol = user("carol");
    expect_error(service().download(DownloadRequest{"cat"}, as_user("carol")),
                 ErrorCode::NOT_FOUND);
    auto listed = service().list(ListRequest{0, 100}, as_user("carol"));
    ASSERT_TRUE(listed.has_value());
    EXPECT_TRUE(listed->items.empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, PostImageTest, on_every_backend(), backend_name);

}  // namespace
}  // namespace imgshare::storage::testing
