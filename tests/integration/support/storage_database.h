// A stopped storage node's RocksDB opened directly: the compromised storage
// node of the attack tests. A test reads and rewrites image records, chunks
// and the feed behind the node's back, then starts the node again and watches
// what readers make of it. Open it only while the node is stopped.
#pragma once

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/bytes.h"
#include "storage-node/records.h"
#include "tests/integration/support/cluster.h"

namespace imgshare::testing {

class StorageDatabase {
  public:
    // The node's database directory (DATA_DIR/db); throws if it does not open.
    explicit StorageDatabase(const std::filesystem::path& db_dir);
    ~StorageDatabase();
    StorageDatabase(const StorageDatabase&) = delete;
    StorageDatabase& operator=(const StorageDatabase&) = delete;

    // The record stored under `name`; throws if there is none or it does not decode.
    [[nodiscard]] storage::ImageRecord image(const std::string& name) const;
    // Stores `record` under `key` (normally record.name), as the node would.
    void put_image(std::string_view key, const storage::ImageRecord& record);
    // Adds a feed entry for `name` after the last one (and moves last_seq), so LIST and
    // watchers see it; returns its seq (a record's own `seq` should say the same).
    std::uint64_t append_to_feed(std::string_view name);

    [[nodiscard]] Bytes chunk(const storage::ImageRecord& record, std::uint32_t index) const;
    void put_chunk(const storage::ImageRecord& record, std::uint32_t index, ByteView bytes);

    // Every key and value of a column family ("images", "chunks", "uploads", ...).
    [[nodiscard]] std::vector<std::pair<std::string, std::string>> entries(
        std::string_view family) const;
    // Raw bytes under `key` in `family`, as the node stored them; nullopt if none.
    [[nodiscard]] std::optional<std::string> get(std::string_view family,
                                                 std::string_view key) const;
    void put(std::string_view family, std::string_view key, std::string_view value);

  private:
    [[nodiscard]] rocksdb::ColumnFamilyHandle* family(std::string_view name) const;

    std::unique_ptr<rocksdb::DB> db_;
    std::map<std::string, rocksdb::ColumnFamilyHandle*, std::less<>> families_;
};

// The key of chunk `index` in the chunks family: upload id · u32 big-endian index.
std::string chunk_key_of(const Bytes& upload, std::uint32_t index);

// Stops the cluster's storage node, runs `change` on its database, then starts the node
// again and waits until the broker has its READY.
[[nodiscard]] ::testing::AssertionResult rewrite_storage(
    Cluster& cluster, const std::function<void(StorageDatabase&)>& change);

// Stops the cluster's storage node, flips one bit in the middle of chunk 0 of image `name`
// on its disk (the chunk no longer authenticates), and starts the node again.
[[nodiscard]] ::testing::AssertionResult corrupt_first_chunk(Cluster& cluster,
                                                            const std::string& name);

}  // namespace imgshare::testing
