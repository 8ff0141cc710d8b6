// Download limits: an image posted with max_downloads N serves its last chunk N times at
// most, whoever asks and on whichever node; the download that reaches N removes it. DOWNLOAD
// of such an image carries no chunk, so reading its record (a share, a thumbnail) counts
// nothing.
#include <gtest/gtest.h>

#include "tests/storage-node/storage_test_support.h"

namespace imgshare::storage::testing {
namespace {

class DownloadLimitTest : public StorageTest {
  protected:
    ImageSpec limited(std::string name, std::uint32_t downloads) {
        ImageSpec spec = named(std::move(name));
        spec.max_downloads = downloads;
        return spec;
    }

    // Every chunk of `name` for `reader`, as a client asks for them: DOWNLOAD, then GET_CHUNK
    // for each chunk it did not carry.
    Result<void> read_whole(const std::string& name, const std::string& reader,
                            StorageService* node = nullptr) {
        auto& on = node ? *node : service();
        auto record = on.download_with_first_chunk(DownloadRequest{name}, as_user(reader));
        if (!record) return std::unexpected(record.error());
        auto envelope = decode_envelope(record->reply.envelope).value();
        for (std::uint32_t index = record->payload.empty() ? 0 : 1; index < envelope.chunk_count;
             ++index) {
            auto chunk = on.get_chunk(GetChunkRequest{name, index}, as_user(reader));
            if (!chunk) return std::unexpected(chunk.error());
            if (chunk->payload.empty()) return fail(ErrorCode::INTERNAL, "an empty chunk");
        }
        return {};
    }

    std::optional<std::uint32_t> downloads_left(const std::string& name) {
        auto page = service().list(ListRequest{0, 100}, as_user("bob")).value();
        for (const auto& item : page.items) {
            if (item.name == name) return item.downloads_left;
        }
        return std::nullopt;
    }

    TestUser alice_ = user("alice");
    TestUser bob_ = user("bob");
};

TEST_P(DownloadLimitTest, NCompleteDownloadsAreServedThenTheImageIsGone) {
    const auto twice = image(alice_, limited("twice", 2));
    post(alice_, twice);
    EXPECT_EQ(downloads_left("twice"), 2u);
    // Reading the record and the first chunks counts nothing; only the last chunk does.
    for (int i = 0; i < 3; ++i) {
        auto record = service().download_with_first_chunk(DownloadRequest{"twice"}, as_user("bob"));
        ASSERT_TRUE(record.has_value()) << describe(record.error());
        EXPECT_TRUE(record->payload.empty());
        EXPECT_TRUE(service().get_chunk(GetChunkRequest{"twice", 0}, as_user("bob")));
    }
    EXPECT_EQ(downloads_left("twice"), 2u);
    ASSERT_TRUE(read_whole("twice", "bob"));
    EXPECT_EQ(downloads_left("twice"), 1u);
    reopen();  // the count is stored
    EXPECT_EQ(downloads_left("twice"), 1u);
    ASSERT_TRUE(read_whole("twice", "alice"));  // the owner's own count too
    // Gone for everyone, the owner included, and its space freed.
    expect_error(read_whole("twice", "bob"), ErrorCode::NOT_FOUND);
    expect_error(read_whole("twice", "alice"), ErrorCode::NOT_FOUND);
    EXPECT_EQ(downloads_left("twice"), std::nullopt);
    EXPECT_EQ(probe().images(), 0u);
    service().housekeeping();  // where the store removes chunks apart (RADOS)
    EXPECT_EQ(probe().chunks(UploadId::of(twice.begin.envelope, twice.begin.signature)), 0u);
    // Images without a limit are not counted and keep their first chunk in DOWNLOAD.
    post(alice_, image(alice_, named("free")));
    auto record = service().download_with_first_chunk(DownloadRequest{"free"}, as_user("bob"));
    ASSERT_TRUE(record.has_value());
    EXPECT_FALSE(record->payload.empty());
    EXPECT_EQ(downloads_left("free"), std::nullopt);
}

TEST_P(DownloadLimitTest, ReadersRacingOverTwoNodesGetNoMoreThanTheLimit) {
    // Every reader has chunks 0 and 1 before any asks for the last: the count alone decides.
    post(alice_, image(alice_, limited("three", 3)));
    auto other = another_node();
    std::vector<StorageService*> nodes{&service(), &other};
    for (int reader = 0; reader < 8; ++reader) {
        auto* node = nodes[reader % 2];
        ASSERT_TRUE(node->download_with_first_chunk(DownloadRequest{"three"}, as_user("bob")));
        ASSERT_TRUE(node->get_chunk(GetChunkRequest{"three", 0}, as_user("bob")));
        ASSERT_TRUE(node->get_chunk(GetChunkRequest{"three", 1}, as_user("bob")));
    }
    int served = 0;
    for (int reader = 0; reader < 8; ++reader) {
        auto last = nodes[reader % 2]->get_chunk(GetChunkRequest{"three", 2}, as_user("bob"));
        if (last) {
            ++served;
        } else {
            EXPECT_EQ(last.error().code, ErrorCode::NOT_FOUND) << describe(last.error());
        }
    }
    EXPECT_EQ(served, 3);
    EXPECT_EQ(probe().images(), 0u);
}

TEST_P(DownloadLimitTest, TheCountBelongsToOnePostOfTheName) {
    post(alice_, image(alice_, limited("once", 1)));
    ASSERT_TRUE(read_whole("once", "bob"));
    expect_error(read_whole("once", "bob"), ErrorCode::NOT_FOUND);
    // Posted again under the same name: a fresh count.
    post(alice_, image(alice_, limited("once", 1)));
    EXPECT_EQ(downloads_left("once"), 1u);
    ASSERT_TRUE(read_whole("once", "bob"));
}

INSTANTIATE_TEST_SUITE_P(Backends, DownloadLimitTest, on_every_backend(), backend_name);

}  // namespace
}  // namespace imgshare::storage::testing
