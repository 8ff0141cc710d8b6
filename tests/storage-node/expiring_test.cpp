// Expiry: an image whose signed expires_at (or the node's default) has passed is answered
// like a missing name at once, and the tick removes it and gives its space back; the node
// refuses an expiry in the past or beyond its maximum before anything is stored.
#include <gtest/gtest.h>

#include "tests/storage-node/storage_test_support.h"

namespace imgshare::storage::testing {
namespace {

class ExpiringTest : public StorageTest {
  protected:
    ImageSpec expiring(std::string name, std::int64_t in_seconds) {
        ImageSpec spec = named(std::move(name));
        spec.expires_at = clock_.now_seconds() + in_seconds;
        return spec;
    }

    std::vector<std::string> names_listed(const std::string& user) {
        auto page = service().list(ListRequest{0, 100}, as_user(user));
        EXPECT_TRUE(page.has_value()) << describe(page.error());
        std::vector<std::string> names;
        for (const auto& item : page.value_or(ListReply{}).items)
            names.push_back(item.name);
        return names;
    }

    void expect_gone(const std::string& name) {
        SCOPED_TRACE(name);
        expect_error(service().download(DownloadRequest{name}, as_user("bob")),
                     ErrorCode::NOT_FOUND);
        expect_error(service().download_with_first_chunk(DownloadRequest{name}, as_user("bob")),
                     ErrorCode::NOT_FOUND);
        expect_error(service().get_chunk(GetChunkRequest{name, 0}, as_user("bob")),
                     ErrorCode::NOT_FOUND);
    }

    TestUser alice_ = user("alice");
    TestUser bob_ = user("bob");
};

TEST_P(ExpiringTest, AnExpiredImageIsGoneAtOnceAndTheTickFreesIt) {
    const auto soon = image(alice_, expiring("soon", 60));
    post(alice_, soon);
    post(alice_, image(alice_, named("kept")));
    auto page = service().list(ListRequest{0, 100}, as_user("bob")).value();
    ASSERT_EQ(page.items.size(), 2u);
    EXPECT_EQ(page.items[0].expires_at, soon.envelope.expires_at);
    EXPECT_FALSE(page.items[1].expires_at.has_value());
    EXPECT_TRUE(service().get_chunk(GetChunkRequest{"soon", 0}, as_user("bob")).has_value());

    clock_.advance_seconds(60);
    // Before any tick: not listed, not readable.
    EXPECT_EQ(names_listed("bob"), std::vector<std::string>{"kept"});
    expect_gone("soon");
    EXPECT_EQ(probe().images(), 2u);
    service().housekeeping();
    EXPECT_EQ(probe().images(), 1u);
    EXPECT_EQ(probe().chunks(UploadId::of(soon.begin.envelope, soon.begin.signature)), 0u);
    reopen();
    expect_gone("soon");
    EXPECT_EQ(names_listed("bob"), std::vector<std::string>{"kept"});
    // The name is free again.
    post(alice_, image(alice_, named("soon")));
    EXPECT_TRUE(service().get_chunk(GetChunkRequest{"soon", 0}, as_user("bob")).has_value());
}

TEST_P(ExpiringTest, ADownloadUnderWayWhenItExpiresStopsAtItsNextChunk) {
    post(alice_, image(alice_, expiring("brief", 30)));
    ASSERT_TRUE(service().download_with_first_chunk(DownloadRequest{"brief"}, as_user("bob")));
    ASSERT_TRUE(service().get_chunk(GetChunkRequest{"brief", 1}, as_user("bob")));
    clock_.advance_seconds(30);
    expect_error(service().get_chunk(GetChunkRequest{"brief", 2}, as_user("bob")),
                 ErrorCode::NOT_FOUND);
    // And a SHARE or a DELETE of it finds nothing either.
    expect_error(service().share(ShareRequest{"brief", {}, {}, {}, {}}, as_user("alice")),
                 ErrorCode::NOT_FOUND);
}

TEST_P(ExpiringTest, AnExpiredImagesNameIsFreeBeforeAnyTick) {
    post(alice_, image(alice_, expiring("soon", 60)));
    // Begun while the image lives: the name is taken.
    const auto racing = image(alice_, named("soon"));
    expect_error(service().post_begin(racing.begin, as_user("alice")), ErrorCode::NAME_TAKEN);
    clock_.advance_seconds(60);
    // Expired and not yet swept: the name is free for POST_BEGIN ... (no housekeeping())
    post(alice_, image(alice_, named("soon")));
    EXPECT_EQ(probe().images(), 1u);
    // ... and for a POST_IMAGE or a POST_COMMIT that meets one at the commit.
    auto brief = image(alice_, expiring("brief", 30));
    post(alice_, brief);
    auto small = image(alice_, [] {
        ImageSpec spec = named("brief");
        spec.padded_size = 1000;  // one chunk
        return spec;
    }());
    clock_.advance_seconds(30);
    auto posted = service().post_image(PostImageRequest{small.begin},
                                       as_user("alice", small.chunks[0]));
    ASSERT_TRUE(posted.has_value()) << describe(posted.error());
    EXPECT_TRUE(service().get_chunk(GetChunkRequest{"brief", 0}, as_user("bob")).has_value());
}

TEST_P(ExpiringTest, TheTickLeavesImagesThatHaveNotExpiredAndTheirNamesTakenAgain) {
    post(alice_, image(alice_, expiring("later", 3600)));
    service().housekeeping();
    EXPECT_EQ(probe().images(), 1u);
    // Many at once are all removed, a bounded number per tick.
    for (int i = 0; i < 70; ++i)
        post(alice_, image(alice_, expiring("batch" + std::to_string(i), 10)));
    clock_.advance_seconds(10);
    for (int tick = 0; tick < 3; ++tick)
        service().housekeeping();
    EXPECT_EQ(probe().images(), 1u);
    EXPECT_EQ(names_listed("bob"), std::vector<std::string>{"later"});
}

TEST_P(ExpiringTest, TheNodeRefusesAnExpiryInThePastOrBeyondItsMaximum) {
    config_.max_expiry_seconds = 3600;
    reopen();
    struct Case {
        std::string what;
        std::int64_t in_seconds;
        ErrorCode code;
    };
    for (const auto& c : {Case{"in the past", -1, ErrorCode::BAD_REQUEST},
                          Case{"now", 0, ErrorCode::BAD_REQUEST},
                          Case{"beyond the maximum and the grace", 3600 + 61,
                               ErrorCode::TOO_LARGE}}) {
        SCOPED_TRACE(c.what);
        auto refused = image(alice_, expiring("refused", c.in_seconds));
        expect_error(service().post_begin(refused.begin, as_user("alice")), c.code);
        expect_error(service().post_image(PostImageRequest{refused.begin},
                                          as_user("alice", refused.chunks[0])),
                     c.code);
    }
    EXPECT_EQ(probe().upload_state(), 0u);
    // At the maximum it is taken.
    post(alice_, image(alice_, expiring("longest", 3600)));
    EXPECT_EQ(probe().images(), 1u);
}

TEST_P(ExpiringTest, AnImagePostedWithoutAnExpiryGetsTheNodesDefault) {
    config_.default_expiry_seconds = 600;
    config_.max_expiry_seconds = 3600;
    reopen();
    post(alice_, image(alice_, named("plain")));
    auto page = service().list(ListRequest{0, 100}, as_user("bob")).value();
    ASSERT_EQ(page.items.size(), 1u);
    EXPECT_EQ(page.items[0].expires_at, clock_.now_seconds() + 600);
    clock_.advance_seconds(600);
    service().housekeeping();
    EXPECT_EQ(probe().images(), 0u);

    // With only a maximum, that is how long an image without one is kept.
    config_.default_expiry_seconds = 0;
    reopen();
    post(alice_, image(alice_, named("bounded")));
    page = service().list(ListRequest{0, 100}, as_user("bob")).value();
    ASSERT_EQ(page.items.size(), 1u);
    EXPECT_EQ(page.items[0].expires_at, clock_.now_seconds() + 3600);
}

INSTANTIATE_TEST_SUITE_P(Backends, ExpiringTest, on_every_backend(), backend_name);

}  // namespace
}  // namespace imgshare::storage::testing
