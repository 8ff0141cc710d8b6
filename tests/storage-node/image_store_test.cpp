#include "storage-node/image_store.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "storage-node/storage_keys.h"
#include "tests/common/scratch_dir.h"

namespace imgshare::storage {
namespace {

class ImageStoreTest : public ::testing::Test {
  protected:
    ImageStore open(const StoreOptions& options = {}) {
        auto store = ImageStore::open(dir_ / "db", options);
        EXPECT_TRUE(store.has_value()) << describe(store.error());
        return std::move(store.value());
    }

    std::vector<std::string> keys(const ImageStore& store, Family family) {
        std::vector<std::string> found;
        auto scanned = store.scan(family, "", "", [&](std::string_view key, ByteView) {
            found.emplace_back(key);
            return true;
        });
        EXPECT_TRUE(scanned.has_value());
        return found;
    }

    imgshare::testing::ScratchDir dir_;
};

TEST_F(ImageStoreTest, WritesAreVisibleInTheirFamilyOnlyAndSurviveAReopen) {
    {
        auto store = open();
        auto batch = store.batch();
        batch.put(Family::images, "cat", std::string_view("record"));
        batch.put(Family::chunks, "cat", Bytes(10'000, 9));  // a blob
        ASSERT_TRUE(store.write(std::move(batch), Durability::Synced));
        EXPECT_EQ(store.get(Family::images, "cat").value(), to_bytes("record"));
        EXPECT_EQ(store.get(Family::grants, "cat").value(), std::nullopt);
        EXPECT_TRUE(store.contains(Family::images, "cat").value());
        EXPECT_FALSE(store.contains(Family::feed, "cat").value());
    }
    auto store = open();
    EXPECT_EQ(store.get(Family::images, "cat").value(), to_bytes("record"));
    EXPECT_EQ(store.get(Family::chunks, "cat").value(), Bytes(10'000, 9));
}

TEST_F(ImageStoreTest, ScanWalksARangeInOrderAndStopsWhenAsked) {
    auto store = open();
    auto batch = store.batch();
    for (std::uint64_t seq : {3, 1, 256, 2})
        batch.put(Family::feed, feed_key(seq), std::to_string(seq));
    ASSERT_TRUE(store.write(std::move(batch), Durability::Buffered));
    std::vector<std::string> values;
    auto scanned =
        store.scan(Family::feed, feed_key(2), feed_key(256), [&](std::string_view, ByteView value) {
            values.emplace_back(as_string(value));
            return true;
        });
    ASSERT_TRUE(scanned.has_value());
    EXPECT_EQ(values, (std::vector<std::string>{"2", "3"}));
    values.clear();
    ASSERT_TRUE(store.scan(Family::feed, "", "", [&](std::string_view, ByteView value) {
        values.emplace_back(as_string(value));
        return values.size() < 2;
    }));
    EXPECT_EQ(values, (std::vector<std::string>{"1", "2"}));
    EXPECT_EQ(store.last_key(Family::feed).value(), feed_key(256));
    EXPECT_EQ(store.last_key(Family::grants).value(), std::nullopt);
}

TEST_F(ImageStoreTest, ErasePrefixRemovesExactlyThatPrefix) {
    auto store = open();
    auto mine = UploadId::of(to_bytes("a"), to_bytes("b"));
    auto other = UploadId::of(to_bytes("c"), to_bytes("d"));
    auto batch = store.batch();
    for (std::uint32_t index = 0; index < 5; ++index) {
        batch.put(Family::chunks, chunk_key(mine, index), Bytes(5000, 1));
        batch.put(Family::chunks, chunk_key(other, index), Bytes(5000, 2));
    }
    ASSERT_TRUE(store.write(std::move(batch), Durability::Buffered));
    auto erase = store.batch();
    erase.erase_prefix(Family::chunks, mine.key());
    ASSERT_TRUE(store.write(std::move(erase), Durability::Buffered));
    auto left = keys(store, Family::chunks);
    ASSERT_EQ(left.size(), 5u);
    for (const auto& key : left)
        EXPECT_TRUE(key.starts_with(other.key()));
}

// What StoreOptions::on_pages_released heard: whole pages of the WAL only.
struct ReleasedPages {
    std::uint64_t bytes = 0;
    std::vector<std::string> files;

    void watch(StoreOptions& options) {
        options.on_pages_released = [this](const std::string& file, std::uint64_t begin,
                                           std::uint64_t end) {
            files.push_back(file);
            bytes += end - begin;
        };
    }
};

// A record of 64 KiB: more than a page of WAL.
void put_64_kib(ImageStore& store, const std::string& key, Durability durability) {
    auto batch = store.batch();
    batch.put(Family::images, key, Bytes(64 * 1024, 1));
    ASSERT_TRUE(store.write(std::move(batch), durability).has_value());
}

TEST_F(ImageStoreTest, ReleasesTheCachedPagesOfItsLogOnceSynced) {
    StoreOptions options;
    ReleasedPages released;
    released.watch(options);
    auto store = open(options);

    put_64_kib(store, "buffered", Durability::Buffered);
    EXPECT_EQ(released.bytes, 0u) << "released before any sync";

    ASSERT_TRUE(store.sync().has_value());
    EXPECT_GE(released.bytes, 60u * 1024);

    const std::uint64_t after_sync = released.bytes;
    put_64_kib(store, "synced", Durability::Synced);
    EXPECT_GE(released.bytes - after_sync, 60u * 1024);

    ASSERT_FALSE(released.files.empty());
    for (const auto& file : released.files) {
        EXPECT_TRUE(file.ends_with(".log")) << file;
    }
}

TEST_F(ImageStoreTest, KeepsTheCachedPagesWhenToldTo) {
    StoreOptions options;
    options.release_synced_pages = false;
    ReleasedPages released;
    released.watch(options);
    auto store = open(options);

    put_64_kib(store, "synced", Durability::Synced);
    ASSERT_TRUE(store.sync().has_value());
    EXPECT_EQ(released.bytes, 0u);
    EXPECT_TRUE(released.files.empty());
}

TEST_F(ImageStoreTest, ASecondOpenOfTheSameDatabaseIsAnIoError) {
    auto store = open();
    auto second = ImageStore::open(dir_ / "db");
    ASSERT_FALSE(second.has_value());
    EXPECT_EQ(second.error().code, ErrorCode::IO_ERROR);
}

}  // namespace
}  // namespace imgshare::storage
