// LIST, DOWNLOAD and GET_CHUNK, visibility of e2e images, and durability
// across a reopen.
#include <gtest/gtest.h>

#include "common/crypto/sealed_box.h"
#include "tests/storage-node/storage_test_support.h"

namespace imgshare::storage::testing {
namespace {

class ReadingTest : public StorageTest {
  protected:
    std::vector<std::string> listed_names(const std::string& user, std::uint64_t after = 0) {
        auto listed = service().list(ListRequest{after, 100}, as_user(user));
        EXPECT_TRUE(listed.has_value()) << describe(listed.error());
        std::vector<std::string> names;
        if (listed) {
            for (const auto& item : listed->items)
                names.push_back(item.name);
        }
        return names;
    }

    TestUser alice_ = user("alice");
    TestUser bob_ = user("bob");
    TestUser carol_ = user("carol");
};

TEST_P(ReadingTest, PostedImageIsListedDownloadedAndFetchedChunkByChunk) {
    auto cat = image(alice_);
    post(alice_, cat);

    auto listed = service().list(ListRequest{0, 100}, as_user("bob"));
    ASSERT_TRUE(listed.has_value());
    EXPECT_EQ(*listed, (ListReply{{ImageSummary{"cat", "alice", 1, 3000, clock_.now_seconds(),
                                                std::string(kEscrowMode)}},
                                  1,
                                  false}));

    auto download = service().download(DownloadRequest{"cat"}, as_user("bob"));
    ASSERT_TRUE(download.has_value()) << describe(download.error());
    EXPECT_EQ(*download,
              (DownloadReply{alice_.encoded_certificate, cat.begin.envelope, cat.begin.signature,
                             cat.begin.wrapped_key, std::string(kEscrowMode)}));
    // The escrowed key opens with the server's wrap key only (the CA re-wraps it).
    auto key = unseal(download->wrapped_key, server_wrap_);
    ASSERT_TRUE(key.has_value());
    EXPECT_TRUE(key->equals(cat.content_key));

    for (std::uint32_t index = 0; index < cat.chunks.size(); ++index) {
        auto chunk = service().get_chunk(GetChunkRequest{"cat", index}, as_user("bob"));
        ASSERT_TRUE(chunk.has_value()) << describe(chunk.error());
        EXPECT_EQ(chunk->reply.index, index);
        EXPECT_EQ(chunk->payload, cat.chunks[index]);
    }
    expect_error(service().get_chunk(GetChunkRequest{"cat", 3}, as_user("bob")),
                 ErrorCode::BAD_REQUEST);
}

TEST_P(ReadingTest, OnlyRegisteredUsersRead) {
    post(alice_, image(alice_));
    for (const auto& peer : not_users()) {
        const service::RequestContext context{peer, {}};
        expect_error(service().list(ListRequest{}, context), ErrorCode::NOT_REGISTERED);
        expect_error(service().download(DownloadRequest{"cat"}, context),
                     ErrorCode::NOT_REGISTERED);
        expect_error(service().get_chunk(GetChunkRequest{"cat", 0}, context),
                     ErrorCode::NOT_REGISTERED);
    }
}

TEST_P(ReadingTest, EndToEndImageIsInvisibleToOthersExactlyLikeAMissingName) {
    auto secret = image(alice_, shared_with("secret", {&bob_}));
    auto committed = post(alice_, secret);
    EXPECT_EQ(committed.recipients, (std::vector<std::string>{"alice", "bob"}));

    auto hidden = service().download(DownloadRequest{"secret"}, as_user("carol"));
    auto missing = service().download(DownloadRequest{"no-such"}, as_user("carol"));
    expect_error(hidden, ErrorCode::NOT_FOUND);
    expect_error(missing, ErrorCode::NOT_FOUND);
    EXPECT_EQ(hidden.error(), missing.error());
    auto hidden_chunk = service().get_chunk(GetChunkRequest{"secret", 0}, as_user("carol"));
    auto missing_chunk = service().get_chunk(GetChunkRequest{"no-such", 0}, as_user("carol"));
    expect_error(hidden_chunk, ErrorCode::NOT_FOUND);
    EXPECT_EQ(hidden_chunk.error(), missing_chunk.error());
    EXPECT_TRUE(listed_names("carol").empty());

    EXPECT_EQ(listed_names("bob"), std::vector<std::string>{"secret"});
    EXPECT_EQ(listed_names("alice"), std::vector<std::string>{"secret"});
    // Each holder receives their own grant, which opens with their own key only.
    for (const TestUser* reader : {&alice_, &bob_}) {
        auto download = service().download(DownloadRequest{"secret"}, as_user(reader->name));
        ASSERT_TRUE(download.has_value()) << describe(download.error());
        EXPECT_EQ(download->mode, kEndToEndMode);
        auto key = unseal(download->wrapped_key, reader->box);
        ASSERT_TRUE(key.has_value()) << reader->name;
        EXPECT_TRUE(key->equals(secret.content_key));
        const TestUser* other = reader == &alice_ ? &bob_ : &alice_;
        expect_error(unseal(download->wrapped_key, other->box), ErrorCode::INTEGRITY);
    }
    auto chunk = service().get_chunk(GetChunkRequest{"secret", 1}, as_user("bob"));
    ASSERT_TRUE(chunk.has_value());
    EXPECT_EQ(chunk->payload, secret.chunks[1]);
}

TEST_P(ReadingTest, CommittedImagesSurviveAReopenAndSeqsContinue) {
    auto cat = image(alice_);
    post(alice_, cat);
    reopen();
    auto download = service().download(DownloadRequest{"cat"}, as_user("bob"));
    ASSERT_TRUE(download.has_value()) << describe(download.error());
    EXPECT_EQ(download->envelope, cat.begin.envelope);
    auto chunk = service().get_chunk(GetChunkRequest{"cat", 2}, as_user("bob"));
    ASSERT_TRUE(chunk.has_value());
    EXPECT_EQ(chunk->payload, cat.chunks[2]);
    EXPECT_EQ(post(alice_, image(alice_, named("dog"))).seq, 2u);
    expect_error(service().post_begin(image(bob_).begin, as_user("bob")), ErrorCode::NAME_TAKEN);
}

TEST_P(ReadingTest, ListPagesWithAfterSeqLimitAndMore) {
    for (const char* name : {"a", "b", "c", "d", "e"})
        post(alice_, image(alice_, named(name)));
    auto page = [&](std::uint64_t after, std::uint32_t limit) {
        return service().list(ListRequest{after, limit}, as_user("bob")).value();
    };
    auto first = page(0, 2);
    ASSERT_EQ(first.items.size(), 2u);
    EXPECT_EQ(first.items[0].seq, 1u);
    EXPECT_EQ(first.items[1].name, "b");
    EXPECT_EQ(first.last_seq, 2u);
    EXPECT_TRUE(first.more);
    auto second = page(first.last_seq, 2);
    EXPECT_EQ(second.items.size(), 2u);
    EXPECT_EQ(second.last_seq, 4u);
    EXPECT_TRUE(second.more);
    auto third = page(second.last_seq, 2);
    ASSERT_EQ(third.items.size(), 1u);
    EXPECT_EQ(third.items[0].name, "e");
    EXPECT_EQ(third.last_seq, 5u);
    EXPECT_FALSE(third.more);
    auto past_the_end = page(5, 2);
    EXPECT_EQ(past_the_end, (ListReply{{}, 5, false}));
    auto exact = page(3, 2);  // the page ends with the feed: nothing more
    EXPECT_EQ(exact.items.size(), 2u);
    EXPECT_FALSE(exact.more);
    // Limits outside 1..kMaxListLimit are refused, not clamped (PROTOCOL.md, LIST).
    expect_error(service().list(ListRequest{0, 0}, as_user("bob")), ErrorCode::BAD_REQUEST);
    expect_error(service().list(ListRequest{0, kMaxListLimit + 1}, as_user("bob")),
                 ErrorCode::TOO_LARGE);
    EXPECT_EQ(page(0, kMaxListLimit).items.size(), 5u);
    EXPECT_EQ(page(UINT64_MAX, 10), (ListReply{{}, UINT64_MAX, false}));
}

TEST_P(ReadingTest, ListSkipsInvisibleEntriesWithoutScanningThemAgain) {
    config_.list_scan_budget = 3;
    reopen();
    post(alice_, image(alice_, named("public1")));
    for (const char* name : {"private1", "private2", "private3"}) {
        post(alice_, image(alice_, shared_with(name, {&bob_})));
    }
    post(alice_, image(alice_, named("public2")));
    // Carol sees seq 1 and 5. Three entries examined per page at most (the budget
    // is never below the limit, so a page of visible entries can always fill).
    auto first = service().list(ListRequest{0, 2}, as_user("carol")).value();
    ASSERT_EQ(first.items.size(), 1u);
    EXPECT_EQ(first.items[0].name, "public1");
    EXPECT_EQ(first.last_seq, 3u);
    EXPECT_TRUE(first.more);
    auto second = service().list(ListRequest{first.last_seq, 2}, as_user("carol")).value();
    ASSERT_EQ(second.items.size(), 1u);
    EXPECT_EQ(second.items[0].name, "public2");
    EXPECT_EQ(second.last_seq, 5u);
    EXPECT_FALSE(second.more);
    EXPECT_EQ(listed_names("bob").size(), 5u);
}

TEST_P(ReadingTest, DamagedRecordIsAnInternalErrorNotACrash) {
    post(alice_, image(alice_));
    probe().damage_image("cat", std::string_view("\x81\xa4name\xc0", 7));
    // The node keeps the records it committed decoded in memory; it reads the
    // damaged one when it starts again.
    reopen();
    expect_error(service().download(DownloadRequest{"cat"}, as_user("bob")), ErrorCode::INTERNAL);
    expect_error(service().list(ListRequest{}, as_user("bob")), ErrorCode::INTERNAL);
}

// Several nodes share one store (a RADOS pool): what another node commits is listed and
// read here at once, although this node's feed tail in memory never saw it.
TEST_P(ReadingTest, ImagesCommittedByAnotherNodeOnTheSameStoreAreListedAndRead) {
    post(alice_, image(alice_, named("first")));
    ASSERT_EQ(listed_names("bob"), (std::vector<std::string>{"first"}));  // from the tail
    auto other = another_node();
    auto cat = image(alice_, named("second"));
    EXPECT_EQ(post(alice_, cat, &other).seq, 2u);
    EXPECT_EQ(listed_names("bob"), (std::vector<std::string>{"first", "second"}));
    EXPECT_EQ(listed_names("bob", 1), (std::vector<std::string>{"second"}));
    auto chunk = service().get_chunk(GetChunkRequest{"second", 2}, as_user("bob"));
    ASSERT_TRUE(chunk.has_value()) << describe(chunk.error());
    EXPECT_EQ(chunk->payload, cat.chunks[2]);
    // And this node numbers its next commit after the other's.
    EXPECT_EQ(post(alice_, image(alice_, named("third"))).seq, 3u);
    EXPECT_EQ(listed_names("bob", 2), (std::vector<std::string>{"third"}));
}

INSTANTIATE_TEST_SUITE_P(Backends, ReadingTest, on_every_backend(), backend_name);

}  // namespace
}  // namespace imgshare::storage::testing
