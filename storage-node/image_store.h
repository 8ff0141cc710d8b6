// The storage node's RocksDB database: its column families, its memory budget
// and its three write durabilities, behind a small interface that never throws
// and never exposes RocksDB types.
//
// Promises: a Batch is applied entirely or not at all. Durability::Synced
// returns only once the batch is on stable storage (it survives power loss);
// Durability::Buffered survives a crash of this process but not of the
// machine. Durability::Unlogged skips the write-ahead log and survives
// nothing until its family is flushed (flush()), or flushes itself when its
// memtable fills. A failed write is never a silent success: a full disk is
// STORAGE_FULL, another I/O failure IO_ERROR, anything else INTERNAL, with a
// message that names no server file (store_errors.h; the operational log has
// the details). Values read back are bytes from a file: callers decode them
// as untrusted input.
//
// A full disk (or a failing device) stops every write until resume_writes()
// succeeds; reads go on meanwhile. The stop and its end are logged once each
// (write_stop_monitor.h). Resuming flushes what waits in memory to new files
// first, so every write that succeeded before the stop is kept.
//
// Memory: memtables are capped in total (StoreOptions::total_write_buffer_bytes)
// and the block cache is fixed, so resident memory does not grow with the
// amount of data stored or streamed. Chunks are kept in blob files (BlobDB),
// so compactions do not rewrite image data.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/error.h"
#include "storage-node/pages_released.h"

namespace rocksdb {
class WriteBatch;
}

namespace imgshare::storage {

enum class Family { images, chunks, grants, uploads, feed, meta };

// Whether a write must reach stable storage before write() returns, and
// whether it goes through the write-ahead log at all (Unlogged: written once,
// at the flush, instead of twice; for bulk data whose loss in a crash the
// caller can see and repair).
enum class Durability { Buffered, Synced, Unlogged };

// How a scan reads: Small for a few short values, Bulk for streaming many
// large ones (bypasses the block cache, reads ahead).
enum class ScanMode { Small, Bulk };

struct StoreOptions {
    std::size_t chunks_write_buffer_bytes = 4u << 20;  // per memtable of `chunks`, at most 2
    std::size_t other_write_buffer_bytes = 1u << 20;   // per memtable of every other family
    std::size_t total_write_buffer_bytes = 16u << 20;  // all memtables together
    std::size_t block_cache_bytes = 8u << 20;
    std::size_t min_blob_bytes = 4096;  // chunk values at least this large go to blob files
    // Hands the page cache's copy of WAL and blob files back to the kernel once
    // they are synced (page_releasing_file_system.h). Pays off on a VM that
    // returns free memory to its host; costs downloads a disk read on hardware
    // with memory to spare.
    bool release_synced_pages = true;
    // Told of each release (file, byte range): for tests.
    PagesReleased on_pages_released;
};

class ImageStore;

// Changes applied together by ImageStore::write.
class Batch {
  public:
    Batch(Batch&&) noexcept;
    Batch& operator=(Batch&&) noexcept;
    ~Batch();

    void put(Family family, std::string_view key, ByteView value);
    void put(Family family, std::string_view key, std::string_view value);
    void erase(Family family, std::string_view key);
    // Every key in [begin, end).
    void erase_range(Family family, std::string_view begin, std::string_view end);
    // Every key that starts with `prefix`.
    void erase_prefix(Family family, std::string_view prefix);

  private:
    friend class ImageStore;
    explicit Batch(const ImageStore& store);
    const ImageStore* store_;
    std::unique_ptr<rocksdb::WriteBatch> batch_;
};

class ImageStore {
  public:
    // Opens (creating if missing) the database in `dir` with every family.
    // IO_ERROR naming the directory when RocksDB refuses (locked by another
    // process, unreadable, corrupt).
    [[nodiscard]] static Result<ImageStore> open(const std::filesystem::path& dir,
                                                 const StoreOptions& options = {});

    ImageStore(ImageStore&&) noexcept;
    ImageStore& operator=(ImageStore&&) noexcept;
    ImageStore(const ImageStore&) = delete;
    ImageStore& operator=(const ImageStore&) = delete;
    // Closes the database; a Batch must not outlive its store.
    ~ImageStore();

    [[nodiscard]] Batch batch() const;
    [[nodiscard]] Result<void> write(Batch batch, Durability durability);
    // Makes every write before it durable, as if each had been Synced: one
    // fsync for many buffered batches (group commit). Unlike a Synced write,
    // a buffered batch is visible to readers before sync() returns.
    [[nodiscard]] Result<void> sync();
    // Makes every write to `family` so far durable, Unlogged ones included:
    // flushes its memtables to table and blob files and syncs them. Costs a
    // flush (milliseconds, and files to compact later): once per large
    // upload, not per request.
    [[nodiscard]] Result<void> flush(Family family);

    // Compacts the keys of `family` in [begin, end) down to the last level, so
    // that deleted values there stop taking space (for `chunks`: a blob file is
    // deleted once no table file refers to it). Takes as long as rewriting the
    // table files that overlap the range: call it for rare deletions only.
    [[nodiscard]] Result<void> compact(Family family, std::string_view begin, std::string_view end);

    // While writes are stopped (a full disk), tries once to make the database
    // writable again (RocksDB's DB::Resume). Whether writes are accepted now;
    // costs nothing when they never stopped. Call it about once a second: it is
    // the only way a stop ends without a restart.
    [[nodiscard]] bool resume_writes();

    // The value of `key`, or nullopt when there is none.
    [[nodiscard]] Result<std::optional<Bytes>> get(Family family, std::string_view key) const;
    // Whether `key` has a value. Reads the value: do not use it on `chunks`.
    [[nodiscard]] Result<bool> contains(Family family, std::string_view key) const;

    // Calls `visit` on each entry with begin <= key < end (no upper bound when
    // `end` is empty), in key order, until it returns false. The views are
    // valid during the call only.
    using Visitor = std::function<bool(std::string_view key, ByteView value)>;
    [[nodiscard]] Result<void> scan(Family family, std::string_view begin, std::string_view end,
                                    const Visitor& visit, ScanMode mode = ScanMode::Small) const;
    // The greatest key in the family, or nullopt when it is empty.
    [[nodiscard]] Result<std::optional<std::string>> last_key(Family family) const;

  private:
    friend class Batch;
    struct Impl;
    explicit ImageStore(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace imgshare::storage
