// UPLOADS and ABANDON through the handlers: a user sees and ends their own
// pending uploads, which frees their place among the pending and their space.
// (POST_BEGIN, POST_CHUNK and POST_COMMIT: posting_test.cpp.)
#include <gtest/gtest.h>

#include "tests/storage-node/storage_test_support.h"

namespace imgshare::storage::testing {
namespace {

class UploadHandlersTest : public StorageTest {
  protected:
    std::string begin(const TestUser& owner, const TestImage& image) {
        auto begun = service().post_begin(image.begin, as_user(owner.name));
        EXPECT_TRUE(begun.has_value()) << describe(begun.error());
        return begun ? begun->upload : std::string();
    }

    UploadsReply uploads_of(const std::string& user) {
        auto listed = service().uploads(UploadsRequest{}, as_user(user));
        EXPECT_TRUE(listed.has_value()) << describe(listed.error());
        return listed.value_or(UploadsReply{});
    }

    TestUser alice_ = user("alice");
    TestUser bob_ = user("bob");
};

TEST_P(UploadHandlersTest, UploadsListsTheSendersOwnPendingUploadsOldestFirst) {
    auto cat = image(alice_, named("cat"));
    auto cat_upload = begin(alice_, cat);
    ASSERT_TRUE(send_chunk(alice_, cat_upload, 0, cat.chunks[0]));
    ASSERT_TRUE(send_chunk(alice_, cat_upload, 1, cat.chunks[1]));
    clock_.advance_seconds(5);
    auto dog = image(alice_, shared_with("dog", {&bob_}));
    auto dog_upload = begin(alice_, dog);
    begin(bob_, image(bob_, named("owl")));
    post(alice_, image(alice_, named("committed")));

    auto listed = uploads_of("alice");
    ASSERT_EQ(listed.uploads.size(), 2u);
    const auto now = clock_.now_seconds();
    EXPECT_EQ(listed.uploads[0],
              (PendingUpload{cat_upload, "cat", std::string(kEscrowMode), 3000,
                             cat.envelope.chunk_count, 2, now - 5, now - 5 + 60}));
    EXPECT_EQ(listed.uploads[1],
              (PendingUpload{dog_upload, "dog", std::string(kEndToEndMode), 3000,
                             dog.envelope.chunk_count, 0, now, now + 60}));
    EXPECT_EQ(uploads_of("bob").uploads.size(), 1u);
    EXPECT_TRUE(uploads_of("carol").uploads.empty());
    for (const auto& peer : not_users()) {
        expect_error(service().uploads(UploadsRequest{}, service::RequestContext{peer, {}}),
                     ErrorCode::NOT_REGISTERED);
    }
}

TEST_P(UploadHandlersTest, AbandonEndsTheUploadWithItsChunksAndFreesItsPlace) {
    config_.max_pending_uploads_per_user = 2;
    reopen();
    auto cat = image(alice_, named("cat"));
    auto cat_upload = begin(alice_, cat);
    ASSERT_TRUE(send_chunk(alice_, cat_upload, 0, cat.chunks[0]));
    begin(alice_, image(alice_, named("dog")));
    auto owl = image(alice_, named("owl"));
    expect_error(service().post_begin(owl.begin, as_user("alice")), ErrorCode::RATE_LIMITED);

    auto abandoned = service().abandon(AbandonRequest{cat_upload}, as_user("alice"));
    ASSERT_TRUE(abandoned.has_value()) << describe(abandoned.error());
    EXPECT_EQ(*abandoned, (AbandonReply{cat_upload, "cat", 1}));
    const auto id = UploadId::parse(cat_upload).value();
    EXPECT_EQ(probe().upload_state(id), 0u);
    EXPECT_EQ(probe().chunks(id), 0u);
    EXPECT_TRUE(service().post_begin(owl.begin, as_user("alice")));
    // It is gone: its chunks and commit are refused, and the same envelope begins anew.
    expect_error(send_chunk(alice_, cat_upload, 1, cat.chunks[1]), ErrorCode::NOT_FOUND);
    expect_error(service().post_commit(PostCommitRequest{cat_upload}, as_user("alice")),
                 ErrorCode::NOT_FOUND);
    expect_error(service().abandon(AbandonRequest{cat_upload}, as_user("alice")),
                 ErrorCode::NOT_FOUND);
}

TEST_P(UploadHandlersTest, OnlyTheOwnerMayAbandonAPendingUploadAndNeverACommittedOne) {
    auto cat = image(alice_);
    auto cat_upload = begin(alice_, cat);
    expect_error(service().abandon(AbandonRequest{cat_upload}, as_user("bob")),
                 ErrorCode::NOT_FOUND);
    expect_error(service().abandon(AbandonRequest{std::string(32, '7')}, as_user("alice")),
                 ErrorCode::NOT_FOUND);
    expect_error(service().abandon(AbandonRequest{"not-an-upload"}, as_user("alice")),
                 ErrorCode::BAD_REQUEST);
    for (const auto& peer : not_users()) {
        expect_error(service().abandon(AbandonRequest{cat_upload}, service::RequestContext{peer, {}}),
                     ErrorCode::NOT_REGISTERED);
    }
    EXPECT_EQ(uploads_of("alice").uploads.size(), 1u);

    auto dog = image(alice_, named("dog"));
    auto committed = post(alice_, dog);
    auto dog_upload = UploadId::of(dog.begin.envelope, dog.begin.signature).text();
    auto refused = service().abandon(AbandonRequest{dog_upload}, as_user("alice"));
    expect_error(refused, ErrorCode::BAD_REQUEST);
    EXPECT_NE(refused.error().message.find("committed as 'dog'"), std::string::npos);
    EXPECT_TRUE(service().download(DownloadRequest{"dog"}, as_user("bob")));
    EXPECT_EQ(committed.name, "dog");
}

INSTANTIATE_TEST_SUITE_P(Backends, UploadHandlersTest, on_every_backend(), backend_name);

}  // namespace
}  // namespace imgshare::storage::testing
