// What only the RocksDB backend does (rocksdb_backend.h), through the handlers: a small
// upload's chunks go through the write-ahead log, a large one's skip it and are flushed
// before its commit, an abandoned upload's blob files are deleted, and a store from before
// the usage index has it built when opened. What every backend
// must do is in the parameterised suites (storage_backend_test.cpp and the handler suites).
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "tests/storage-node/storage_test_support.h"

namespace imgshare::storage::testing {
namespace {

class RocksDbBackendTest : public StorageFixture {
  protected:
    RocksDbBackendTest() : StorageFixture(rocksdb_under_test()) {}

    RocksDbBackend& rocksdb() { return static_cast<RocksDbBackend&>(*backend_); }

    // Bytes in the database's files ending in `extension`: ".log" for the
    // write-ahead log, ".blob" for the blob files that hold chunks.
    std::uintmax_t bytes_in_files(std::string_view extension) const {
        std::uintmax_t total = 0;
        for (const auto& entry : std::filesystem::directory_iterator(dir_.path() / "db")) {
            if (entry.path().extension() == extension) total += entry.file_size();
        }
        return total;
    }

    TestUser alice_ = user("alice");
};

ImageSpec unlogged_image() {
    ImageSpec spec;
    spec.padded_size = kUnloggedUploadBytes;  // the smallest upload that skips the log
    spec.chunk_size = 256 * 1024;
    return spec;
}

std::uintmax_t ciphertext_bytes(const TestImage& image) {
    std::uintmax_t total = 0;
    for (const auto& chunk : image.chunks)
        total += chunk.size();
    return total;
}

TEST_F(RocksDbBackendTest, ASmallUploadsChunksGoThroughTheWriteAheadLog) {
    auto cat = image(alice_);
    upload_all(alice_, cat);
    EXPECT_GE(bytes_in_files(".log"), ciphertext_bytes(cat));
}

TEST_F(RocksDbBackendTest, ALargeUploadsChunksSkipTheWriteAheadLogAndAreFlushedBeforeItsCommit) {
    auto big = image(alice_, unlogged_image());
    auto upload = upload_all(alice_, big);
    EXPECT_LT(bytes_in_files(".log"), 64u * 1024) << "the chunks were written to the log";
    // Before the commit some chunks are only in the memtable: a crash would lose them.
    EXPECT_LT(bytes_in_files(".blob"), ciphertext_bytes(big));
    ASSERT_TRUE(service().post_commit(PostCommitRequest{upload}, as_user("alice")));
    EXPECT_GE(bytes_in_files(".blob"), ciphertext_bytes(big));
}

TEST_F(RocksDbBackendTest, AbandonGivesTheDiskSpaceOfItsChunksBack) {
    ImageSpec spec;
    spec.name = "big";
    spec.padded_size = 3 * kUnloggedUploadBytes;  // several memtables: in blob files
    spec.chunk_size = 256 * 1024;
    auto big = image(alice_, spec);
    auto begun = service().post_begin(big.begin, as_user("alice"));
    ASSERT_TRUE(begun.has_value()) << describe(begun.error());
    for (std::uint32_t index = 0; index < big.chunks.size(); ++index)
        ASSERT_TRUE(send_chunk(alice_, begun->upload, index, big.chunks[index]));
    ASSERT_TRUE(rocksdb().store().flush(Family::chunks));
    ASSERT_GE(bytes_in_files(".blob"), 3 * kUnloggedUploadBytes);

    ASSERT_TRUE(service().abandon(AbandonRequest{begun->upload}, as_user("alice")));
    // The compaction is done when abandon returns; RocksDB deletes the blob files it made
    // obsolete from a background thread (under load, a moment later).
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (bytes_in_files(".blob") >= 64u * 1024 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_LT(bytes_in_files(".blob"), 64u * 1024) << "the abandoned chunks keep their space";
}

TEST_F(RocksDbBackendTest, AStoreWrittenBeforeTheUsageIndexHasItBuiltWhenOpened) {
    auto bob = user("bob");
    post(alice_, image(alice_, named("cat")));
    ImageSpec big = named("dog");
    big.padded_size = 5000;
    post(alice_, image(alice_, big));
    post(bob, image(bob, named("bird")));
    ASSERT_TRUE(service().make_durable());
    // What an older version left: the same images, no index and no mark that it was built.
    auto& store = rocksdb().store();
    auto batch = store.batch();
    std::size_t indexed = 0;
    ASSERT_TRUE(store.scan(Family::meta, "owner", prefix_end("owner"),
                           [&](std::string_view key, ByteView) {
                               batch.erase(Family::meta, key);
                               ++indexed;
                               return true;
                           }));
    ASSERT_EQ(indexed, 4u) << "three images and the mark";
    ASSERT_TRUE(store.write(std::move(batch), Durability::Synced));
    EXPECT_EQ(backend_->usage("alice").value(), (OwnerUsage{0, 0}));

    reopen();
    EXPECT_EQ(backend_->usage("alice").value(), (OwnerUsage{8000, 2}));
    EXPECT_EQ(backend_->usage("bob").value(), (OwnerUsage{3000, 1}));
    auto usage = service().usage(UsageRequest{}, as_user("alice"));
    ASSERT_TRUE(usage.has_value()) << describe(usage.error());
    EXPECT_EQ(usage->used_bytes, 8000u);
    EXPECT_EQ(usage->images, 2u);
    // Built once: what follows is kept by the commits and deletions themselves.
    post(alice_, image(alice_, named("owl")));
    reopen();
    EXPECT_EQ(backend_->usage("alice").value(), (OwnerUsage{11000, 3}));
}

}  // namespace
}  // namespace imgshare::storage::testing
