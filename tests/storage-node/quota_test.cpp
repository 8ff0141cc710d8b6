// Quotas (StorageConfig::quota_bytes_per_user) and USAGE: a post that would take its owner
// past the quota, counting their committed images and pending uploads at their padded
// sizes, is QUOTA_EXCEEDED with the figures at POST_BEGIN (or POST_IMAGE), and nothing is
// stored; exactly the quota is accepted; a retry of a pending upload is answered as before;
// deleting or abandoning frees room; only the sender's own images count, on every node
// sharing the store and after a restart.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "common/deletion.h"
#include "tests/storage-node/storage_test_support.h"

namespace imgshare::storage::testing {
namespace {

// Each test image's padded size (ImageSpec's default): quotas below are multiples of it.
constexpr std::uint64_t kTestImageBytes = 3000;

class QuotaTest : public StorageTest {
  protected:
    void SetUp() override {
        config_.quota_bytes_per_user = 3 * kTestImageBytes;
        StorageTest::SetUp();
    }

    Result<PostBeginReply> begin_post(const TestUser& owner, const TestImage& image) {
        return service().post_begin(image.begin, as_user(owner.name));
    }

    UsageReply usage_of(const std::string& user, StorageService* node = nullptr) {
        auto usage = (node ? *node : service()).usage(UsageRequest{}, as_user(user));
        EXPECT_TRUE(usage.has_value()) << describe(usage.error());
        return usage.value_or(UsageReply{});
    }

    // QUOTA_EXCEEDED, saying what is used, the quota and what the image needs.
    template <class T>
    void expect_over_quota(const Result<T>& refused, std::uint64_t used, std::uint64_t needs) {
        expect_error(refused, ErrorCode::QUOTA_EXCEEDED);
        if (refused) return;
        EXPECT_EQ(refused.error().message.find(fmt::format(
                      "you use {} of your {} bytes; this image needs {} more", used,
                      config_.quota_bytes_per_user, needs)),
                  0u)
            << refused.error().message;
    }

    TestUser alice_ = user("alice");
    TestUser bob_ = user("bob");
};

TEST_P(QuotaTest, ExactlyTheQuotaIsAcceptedAndAByteMoreIsRefusedWithTheFiguresStoringNothing) {
    post(alice_, image(alice_, named("cat")));
    post(alice_, image(alice_, named("dog")));
    post(alice_, image(alice_, named("owl")));  // 9000 of 9000
    EXPECT_EQ(usage_of("alice"), (UsageReply{9000, 3, 0, 0, 9000}));

    ImageSpec small = named("fish");
    small.padded_size = 1;
    auto fish = image(alice_, small);
    const auto entries = probe().feed_entries();
    expect_over_quota(begin_post(alice_, fish), 9000, 1);
    const auto fish_upload = UploadId::of(fish.begin.envelope, fish.begin.signature);
    EXPECT_EQ(probe().upload_state(fish_upload), 0u) << "no session was begun";
    // POST_IMAGE (an image of one chunk in one request) likewise, its chunk not stored.
    expect_over_quota(service().post_image(PostImageRequest{fish.begin},
                                           as_user("alice", fish.chunks[0])),
                      9000, 1);
    EXPECT_EQ(probe().chunks(fish_upload), 0u);
    EXPECT_EQ(probe().images(), 3u);
    EXPECT_EQ(probe().feed_entries(), entries);
    EXPECT_EQ(usage_of("alice"), (UsageReply{9000, 3, 0, 0, 9000}));
    // Bob's room is his own.
    post(bob_, image(bob_, named("fish")));
    EXPECT_EQ(usage_of("bob"), (UsageReply{3000, 1, 0, 0, 9000}));
}

TEST_P(QuotaTest, PendingUploadsCountAndARetryOfOneIsAnsweredAsBefore) {
    auto cat = image(alice_, named("cat"));
    auto cat_upload = begin_post(alice_, cat);
    ASSERT_TRUE(cat_upload.has_value()) << describe(cat_upload.error());
    ASSERT_TRUE(send_chunk(alice_, cat_upload->upload, 0, cat.chunks[0]));
    post(alice_, image(alice_, named("dog")));
    auto owl = image(alice_, named("owl"));
    ASSERT_TRUE(begin_post(alice_, owl));  // 3000 committed + 6000 pending: the quota
    EXPECT_EQ(usage_of("alice"), (UsageReply{3000, 1, 6000, 2, 9000}));
    expect_over_quota(begin_post(alice_, image(alice_, named("fish"))), 9000, 3000);

    // A retried POST_BEGIN of a pending upload is not refused by its own bytes, even with
    // the quota lowered since (a restart with a smaller --quota-bytes-per-user).
    config_.quota_bytes_per_user = 2 * kTestImageBytes;
    reopen();
    auto resumed = begin_post(alice_, cat);
    ASSERT_TRUE(resumed.has_value()) << describe(resumed.error());
    EXPECT_EQ(*resumed, (PostBeginReply{cat_upload->upload, 1}));
    ASSERT_TRUE(begin_post(alice_, owl));
    // ... and it commits: its bytes were counted when it began.
    for (std::uint32_t index = 1; index < cat.chunks.size(); ++index)
        ASSERT_TRUE(send_chunk(alice_, cat_upload->upload, index, cat.chunks[index]));
    ASSERT_TRUE(service().post_commit(PostCommitRequest{cat_upload->upload}, as_user("alice")));
    EXPECT_EQ(usage_of("alice"), (UsageReply{6000, 2, 3000, 1, 6000}));
}

TEST_P(QuotaTest, DeletingAnImageOrAbandoningAnUploadFreesItsRoom) {
    auto cat = image(alice_, named("cat"));
    post(alice_, cat);
    post(alice_, image(alice_, named("dog")));
    auto owl = image(alice_, named("owl"));
    auto owl_upload = begin_post(alice_, owl);
    ASSERT_TRUE(owl_upload.has_value()) << describe(owl_upload.error());
    auto fish = image(alice_, named("fish"));
    expect_over_quota(begin_post(alice_, fish), 9000, 3000);

    ASSERT_TRUE(service().abandon(AbandonRequest{owl_upload->upload}, as_user("alice")));
    EXPECT_EQ(usage_of("alice"), (UsageReply{6000, 2, 0, 0, 9000}));
    post(alice_, fish);
    expect_over_quota(begin_post(alice_, owl), 9000, 3000);

    auto deleted = service().delete_image(
        DeleteRequest{"cat", make_deletion("cat", "alice", cat.begin.envelope,
                                           clock_.now_seconds(), alice_.sign.secret_key)},
        as_user("alice"));
    ASSERT_TRUE(deleted.has_value()) << describe(deleted.error());
    EXPECT_EQ(usage_of("alice"), (UsageReply{6000, 2, 0, 0, 9000}));
    post(alice_, owl);
    EXPECT_EQ(usage_of("alice"), (UsageReply{9000, 3, 0, 0, 9000}));
}

TEST_P(QuotaTest, OnlyTheSendersOwnImagesCountOnEveryNodeAndAfterARestart) {
    post(alice_, image(alice_, named("cat")));
    auto owl = image(alice_, named("owl"));
    {
        auto other = another_node();
        post(alice_, image(alice_, named("dog")), &other);
        // Bob sending alice's post is refused as not his (the sender is the broker's word,
        // never the envelope's), and counts against nobody.
        expect_error(begin_post(bob_, owl), ErrorCode::FORBIDDEN);
        EXPECT_EQ(usage_of("bob"), (UsageReply{0, 0, 0, 0, 9000}));
        EXPECT_EQ(usage_of("alice"), (UsageReply{6000, 2, 0, 0, 9000}));
        EXPECT_EQ(usage_of("alice", &other), (UsageReply{6000, 2, 0, 0, 9000}));
        for (const auto& peer : not_users()) {
            expect_error(service().usage(UsageRequest{}, service::RequestContext{peer, {}}),
                         ErrorCode::NOT_REGISTERED);
        }
        ASSERT_TRUE(service().make_durable());
        ASSERT_TRUE(other.make_durable());
    }
    reopen();
    EXPECT_EQ(usage_of("alice"), (UsageReply{6000, 2, 0, 0, 9000}));
    ASSERT_TRUE(begin_post(alice_, owl));
    expect_over_quota(begin_post(alice_, image(alice_, named("fish"))), 9000, 3000);
}

TEST_P(QuotaTest, NoQuotaRefusesNothingAndUsageSaysSo) {
    config_.quota_bytes_per_user = 0;
    reopen();
    for (const auto* name : {"cat", "dog", "owl", "fish"})
        post(alice_, image(alice_, named(name)));
    EXPECT_EQ(usage_of("alice"), (UsageReply{12000, 4, 0, 0, 0}));
}

INSTANTIATE_TEST_SUITE_P(Backends, QuotaTest, on_every_backend(), backend_name);

}  // namespace
}  // namespace imgshare::storage::testing
