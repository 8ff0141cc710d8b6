// DELETE: only the owner, only with a statement signed by the key the image was posted with,
// only for the post it names; afterwards nobody reads the image through any request, on this
// node or another, and the name may be posted again.
#include <gtest/gtest.h>

#include "common/deletion.h"
#include "tests/storage-node/storage_test_support.h"

namespace imgshare::storage::testing {
namespace {

class DeletingTest : public StorageTest {
  protected:
    void SetUp() override {
        StorageTest::SetUp();
        cat_ = image(alice_);
        post(alice_, cat_);
    }

    // `signer`'s statement that `owner`'s image `image` is to be deleted, dated `at`
    // (default: now).
    Bytes statement(const TestImage& image, const TestUser& signer,
                    std::optional<std::int64_t> at = std::nullopt,
                    const std::string& owner = "alice") {
        return make_deletion(image.envelope.name, owner, image.begin.envelope,
                             at.value_or(clock_.now_seconds()), signer.sign.secret_key);
    }

    Result<DeleteReply> erase(const TestImage& image, const std::string& sender, Bytes signed_,
                              StorageService* node = nullptr) {
        return (node ? *node : service())
            .delete_image(DeleteRequest{image.envelope.name, std::move(signed_)},
                          as_user(sender));
    }

    std::vector<std::string> listed(const std::string& user, StorageService* node = nullptr) {
        auto page = (node ? *node : service()).list(ListRequest{0, 100}, as_user(user));
        EXPECT_TRUE(page.has_value()) << describe(page.error());
        std::vector<std::string> names;
        if (page) {
            for (const auto& item : page->items)
                names.push_back(item.name);
        }
        return names;
    }

    void expect_unreadable(const std::string& name, const std::string& reader,
                           StorageService* node = nullptr) {
        auto& on = node ? *node : service();
        expect_error(on.download(DownloadRequest{name}, as_user(reader)), ErrorCode::NOT_FOUND);
        expect_error(on.download_with_first_chunk(DownloadRequest{name}, as_user(reader)),
                     ErrorCode::NOT_FOUND);
        for (std::uint32_t index = 0; index < 3; ++index) {
            expect_error(on.get_chunk(GetChunkRequest{name, index}, as_user(reader)),
                         ErrorCode::NOT_FOUND);
        }
    }

    TestUser alice_ = user("alice");
    TestUser bob_ = user("bob");
    TestUser carol_ = user("carol");
    TestImage cat_;
};

TEST_P(DeletingTest, TheOwnerDeletesAnImageAndNobodyReadsItAfter) {
    ASSERT_TRUE(service().make_durable());
    auto deleted = erase(cat_, "alice", statement(cat_, alice_));
    ASSERT_TRUE(deleted.has_value()) << describe(deleted.error());
    EXPECT_EQ(*deleted, (DeleteReply{{"cat", "alice", 2, cat_.envelope.padded_size,
                                      cat_.envelope.created_at, std::string(kEscrowMode), {}}}));
    EXPECT_TRUE(service().has_unsynced_writes()) << "durable before the reply, as a commit";
    EXPECT_EQ(listed("bob"), std::vector<std::string>{});
    EXPECT_EQ(listed("alice"), std::vector<std::string>{});
    expect_unreadable("cat", "bob");
    expect_unreadable("cat", "alice");
    service().housekeeping();
    EXPECT_EQ(probe().chunks(), 0u);
    EXPECT_EQ(probe().images(), 0u);
    // A repeat finds nothing: it is gone, not deleted twice.
    expect_error(erase(cat_, "alice", statement(cat_, alice_)), ErrorCode::NOT_FOUND);
}

TEST_P(DeletingTest, AnEndToEndImagesDeletionNamesEveryReaderAndIsHiddenFromOthers) {
    auto secret = image(alice_, shared_with("secret", {&bob_}));
    post(alice_, secret);
    // Carol may not see it: the same answer as for a missing name, before any check.
    auto hidden = erase(secret, "carol", statement(secret, carol_, std::nullopt, "carol"));
    expect_error(hidden, ErrorCode::NOT_FOUND);
    auto deleted = erase(secret, "alice", statement(secret, alice_));
    ASSERT_TRUE(deleted.has_value()) << describe(deleted.error());
    EXPECT_EQ(deleted->mode, kEndToEndMode);
    EXPECT_EQ(deleted->recipients, (std::vector<std::string>{"alice", "bob"}));
    expect_unreadable("secret", "bob");
    EXPECT_EQ(listed("bob"), std::vector<std::string>{"cat"});
}

TEST_P(DeletingTest, NoOneButTheOwnerDeletes) {
    // Bob, with his own statement or with the owner's: he is not the owner.
    expect_error(erase(cat_, "bob", statement(cat_, bob_, std::nullopt, "bob")),
                 ErrorCode::FORBIDDEN);
    expect_error(erase(cat_, "bob", statement(cat_, alice_)), ErrorCode::FORBIDDEN);
    // A broker stamping the owner's name on a statement she did not sign.
    expect_error(erase(cat_, "alice", statement(cat_, bob_)), ErrorCode::BAD_SIGNATURE);
    expect_error(erase(cat_, "alice", {}), ErrorCode::BAD_REQUEST);
    expect_error(erase(cat_, "alice", to_bytes("delete it, please")), ErrorCode::BAD_REQUEST);
    for (const auto& peer : not_users()) {
        expect_error(service().delete_image(DeleteRequest{"cat", statement(cat_, alice_)},
                                            service::RequestContext{peer, {}}),
                     ErrorCode::NOT_REGISTERED);
    }
    EXPECT_EQ(listed("bob"), std::vector<std::string>{"cat"});
}

TEST_P(DeletingTest, AStatementDeletesOnlyThePostItNamesAndOnlyNearTheNodesClock) {
    const auto stated = statement(cat_, alice_);
    expect_error(erase(cat_, "alice", statement(cat_, alice_, clock_.now_seconds() - 301)),
                 ErrorCode::STALE);
    expect_error(erase(cat_, "alice", statement(cat_, alice_, clock_.now_seconds() + 301)),
                 ErrorCode::STALE);
    ASSERT_TRUE(erase(cat_, "alice", stated));
    // The name posted again: the first post's statement, replayed, does not delete it.
    auto again = image(alice_);
    post(alice_, again);
    expect_error(erase(again, "alice", stated), ErrorCode::BAD_SIGNATURE);
    EXPECT_EQ(listed("bob"), std::vector<std::string>{"cat"});
    auto download = service().download(DownloadRequest{"cat"}, as_user("bob"));
    ASSERT_TRUE(download.has_value()) << describe(download.error());
    EXPECT_EQ(download->envelope, again.begin.envelope);
}

TEST_P(DeletingTest, TheDeletionSurvivesARestartAndTheNameIsPostedAgain) {
    ASSERT_TRUE(erase(cat_, "alice", statement(cat_, alice_)));
    ASSERT_TRUE(service().make_durable());
    reopen();
    EXPECT_EQ(listed("bob"), std::vector<std::string>{});
    expect_unreadable("cat", "bob");
    auto again = image(alice_);
    auto committed = post(alice_, again);
    EXPECT_EQ(committed.seq, 3u);
    auto page = service().list(ListRequest{0, 100}, as_user("bob")).value();
    ASSERT_EQ(page.items.size(), 1u);
    EXPECT_EQ(page.items[0].seq, 3u);
}

TEST_P(DeletingTest, ALateRetryOfTheDeletedPostsUploadLearnsItWasDeleted) {
    auto first = upload_all(alice_, cat_);  // the same upload again: it answers as committed
    ASSERT_TRUE(erase(cat_, "alice", statement(cat_, alice_)));
    auto again = image(alice_);
    post(alice_, again);
    // Not the later post's answer: that is another upload's image.
    auto retried = service().post_commit(PostCommitRequest{first}, as_user("alice"));
    expect_error(retried, ErrorCode::NOT_FOUND);
}

TEST_P(DeletingTest, AnotherNodeForgetsWhatItHadReadOfTheImage) {
    auto other = another_node();
    EXPECT_EQ(listed("bob", &other), std::vector<std::string>{"cat"});
    ASSERT_TRUE(other.download_with_first_chunk(DownloadRequest{"cat"}, as_user("bob")));
    ASSERT_TRUE(erase(cat_, "alice", statement(cat_, alice_)));
    expect_unreadable("cat", "bob", &other);
    EXPECT_EQ(listed("bob", &other), std::vector<std::string>{});
}

INSTANTIATE_TEST_SUITE_P(Backends, DeletingTest, on_every_backend(), backend_name);

}  // namespace
}  // namespace imgshare::storage::testing
