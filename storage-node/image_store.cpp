#include "storage-node/image_store.h"

#include <fmt/format.h>
#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/file_system.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>
#include <rocksdb/write_buffer_manager.h>

#include <array>
#include <vector>

#include <spdlog/spdlog.h>

#include "storage-node/database_logger.h"
#include "storage-node/page_releasing_file_system.h"
#include "storage-node/storage_keys.h"
#include "storage-node/store_errors.h"
#include "storage-node/write_stop_monitor.h"

namespace imgshare::storage {
namespace {

constexpr std::array<std::string_view, 6> kFamilyNames = {"images",  "chunks", "grants",
                                                          "uploads", "feed",   "meta"};

rocksdb::Slice slice(std::string_view bytes) {
    return {bytes.data(), bytes.size()};
}
rocksdb::Slice slice(ByteView bytes) {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}
std::string_view view(const rocksdb::Slice& slice) {
    return {slice.data(), slice.size()};
}

// A failed read or scan: the client gets no file name (store_errors.h), the operational log
// the whole status.
Error read_error(const rocksdb::Status& status, std::string_view what) {
    spdlog::error("database: a {} failed: {}", what, status.ToString());
    return client_error(status, what);
}

rocksdb::ColumnFamilyOptions family_options(Family family, const StoreOptions& options,
                                            const std::shared_ptr<rocksdb::Cache>& cache) {
    rocksdb::ColumnFamilyOptions cf;
    rocksdb::BlockBasedTableOptions table;
    table.block_cache = cache;
    // Index and filter blocks count against the fixed cache instead of growing per file.
    table.cache_index_and_filter_blocks = true;
    cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    cf.max_write_buffer_number = 2;
    cf.write_buffer_size = options.other_write_buffer_bytes;
    if (family == Family::chunks) {
        cf.write_buffer_size = options.chunks_write_buffer_bytes;
        cf.enable_blob_files = true;
        cf.min_blob_size = options.min_blob_bytes;
        cf.blob_file_size = 64u << 20;
        // No blob garbage collection: it relocates every live blob of the oldest
        // blob files at each compaction, so image data was copied again and again
        // (over a quarter of the node's CPU while posting, docs/BENCHMARKS.md). A
        // blob file is deleted once none of its chunks is referenced; the chunks
        // of abandoned uploads keep their blob file's space until then.
        cf.enable_blob_garbage_collection = false;
        // Ciphertext does not compress.
        cf.compression = rocksdb::kNoCompression;
        cf.blob_compression_type = rocksdb::kNoCompression;
    }
    return cf;
}

}  // namespace

struct ImageStore::Impl {
    std::unique_ptr<rocksdb::Env> env;  // outlives the database
    std::shared_ptr<WriteStopMonitor> stops = std::make_shared<WriteStopMonitor>();
    std::shared_ptr<rocksdb::Cache> cache;
    std::unique_ptr<rocksdb::DB> db;
    rocksdb::ColumnFamilyHandle* default_family = nullptr;
    std::array<rocksdb::ColumnFamilyHandle*, kFamilyNames.size()> families{};

    ~Impl() {
        if (!db) return;
        for (auto* handle : families)
            if (handle) (void)db->DestroyColumnFamilyHandle(handle);
        if (default_family) (void)db->DestroyColumnFamilyHandle(default_family);
        (void)db->Close();
    }

    [[nodiscard]] rocksdb::ColumnFamilyHandle* handle(Family family) const {
        return families[static_cast<std::size_t>(family)];
    }

    // The refusal of a write, sync, flush or compaction while writes are stopped. RocksDB
    // is not asked: a sync would touch the log file whose write failed, and Debian's
    // RocksDB asserts on that (database_logger.h).
    [[nodiscard]] std::optional<Error> refusal(std::string_view what) const {
        auto stop = stops->stop();
        if (!stop) return std::nullopt;
        return client_error(*stop, what);
    }

    // A failed write, sync, flush or compaction: it may be how a stop is first seen.
    [[nodiscard]] Error write_error(const rocksdb::Status& status, std::string_view what) const {
        stops->write_failed(status);
        // Every failure of a stop is the stop's: logged once, by the monitor.
        if (!stops->stop()) spdlog::error("database: a {} failed: {}", what, status.ToString());
        return client_error(status, what);
    }
};

Result<ImageStore> ImageStore::open(const std::filesystem::path& dir, const StoreOptions& options) {
    auto impl = std::make_unique<Impl>();
    impl->cache = rocksdb::NewLRUCache(options.block_cache_bytes);

    rocksdb::DBOptions db_options;
    if (options.release_synced_pages) {
        impl->env = rocksdb::NewCompositeEnv(
            page_releasing_file_system(rocksdb::FileSystem::Default(), options.on_pages_released));
        db_options.env = impl->env.get();
    }
    db_options.create_if_missing = true;
    db_options.create_missing_column_families = true;
    db_options.write_buffer_manager =
        std::make_shared<rocksdb::WriteBufferManager>(options.total_write_buffer_bytes);
    // Flush memtables before the log grows large, so a restart replays little.
    db_options.max_total_wal_size = 4 * options.total_write_buffer_bytes;
    db_options.max_background_jobs = 2;
    db_options.max_open_files = 256;
    // RocksDB's log goes to the operational log, not to a file beside the data.
    db_options.info_log = rocksdb_to_operational_log();
    // A stop (a full disk) ends only through resume_writes(): write_stop_monitor.h.
    db_options.listeners.push_back(impl->stops);
    db_options.max_bgerror_resume_count = 0;

    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName,
                             family_options(Family::meta, options, impl->cache));
    for (std::size_t i = 0; i < kFamilyNames.size(); ++i) {
        descriptors.emplace_back(std::string(kFamilyNames[i]),
                                 family_options(static_cast<Family>(i), options, impl->cache));
    }
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    auto status = rocksdb::DB::Open(db_options, dir.string(), descriptors, &handles, &raw);
    if (!status.ok()) {
        return fail(ErrorCode::IO_ERROR, fmt::format("cannot open the database in {}: {}",
                                                     dir.string(), status.ToString()));
    }
    impl->db.reset(raw);
    impl->default_family = handles[0];
    for (std::size_t i = 0; i < kFamilyNames.size(); ++i)
        impl->families[i] = handles[i + 1];
    return ImageStore(std::move(impl));
}

ImageStore::ImageStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ImageStore::ImageStore(ImageStore&&) noexcept = default;
ImageStore& ImageStore::operator=(ImageStore&&) noexcept = default;
ImageStore::~ImageStore() = default;

Batch ImageStore::batch() const {
    return Batch(*this);
}

Result<void> ImageStore::write(Batch batch, Durability durability) {
    rocksdb::WriteOptions options;
    options.sync = durability == Durability::Synced;
    options.disableWAL = durability == Durability::Unlogged;
    if (auto refused = impl_->refusal("write")) return std::unexpected(std::move(*refused));
    auto status = impl_->db->Write(options, batch.batch_.get());
    if (!status.ok()) return std::unexpected(impl_->write_error(status, "write"));
    return {};
}

Result<void> ImageStore::sync() {
    if (auto refused = impl_->refusal("sync")) return std::unexpected(std::move(*refused));
    auto status = impl_->db->SyncWAL();
    if (!status.ok()) return std::unexpected(impl_->write_error(status, "sync"));
    return {};
}

Result<void> ImageStore::flush(Family family) {
    rocksdb::FlushOptions options;
    options.wait = true;
    if (auto refused = impl_->refusal("flush")) return std::unexpected(std::move(*refused));
    auto status = impl_->db->Flush(options, impl_->handle(family));
    if (!status.ok()) return std::unexpected(impl_->write_error(status, "flush"));
    return {};
}

Result<void> ImageStore::compact(Family family, std::string_view begin, std::string_view end) {
    rocksdb::CompactRangeOptions options;
    // Other compactions may go on meanwhile; this one only has to drop the deleted keys.
    options.exclusive_manual_compaction = false;
    options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    auto first = slice(begin);
    auto last = slice(end);
    if (auto refused = impl_->refusal("compaction")) return std::unexpected(std::move(*refused));
    auto status = impl_->db->CompactRange(options, impl_->handle(family), &first, &last);
    if (!status.ok()) return std::unexpected(impl_->write_error(status, "compaction"));
    return {};
}

bool ImageStore::resume_writes() {
    if (!impl_->stops->stop()) return true;
    auto status = impl_->db->Resume();
    if (!status.ok()) {
        impl_->stops->resume_failed(status);
        return false;
    }
    impl_->stops->resumed();
    return true;
}

Result<std::optional<Bytes>> ImageStore::get(Family family, std::string_view key) const {
    rocksdb::ReadOptions options;
    if (family == Family::chunks) {
        // Chunks are ciphertext that every reader authenticates (secretstream MACs, the
        // signed envelope's digest). Debian's portable RocksDB checks its own CRC32C in
        // software at ~1 GB/s: a third of the node's CPU serving downloads, to repeat
        // a check the reader makes anyway. Damage at rest still fails the download.
        options.verify_checksums = false;
        options.fill_cache = false;
    }
    rocksdb::PinnableSlice value;
    auto status = impl_->db->Get(options, impl_->handle(family), slice(key), &value);
    if (status.IsNotFound()) return std::optional<Bytes>();
    if (!status.ok()) return std::unexpected(read_error(status, "read"));
    const auto* data = reinterpret_cast<const std::uint8_t*>(value.data());
    return std::optional<Bytes>(Bytes(data, data + value.size()));
}

Result<bool> ImageStore::contains(Family family, std::string_view key) const {
    rocksdb::PinnableSlice value;
    auto status = impl_->db->Get(rocksdb::ReadOptions(), impl_->handle(family), slice(key), &value);
    if (status.IsNotFound()) return false;
    if (!status.ok()) return std::unexpected(read_error(status, "read"));
    return true;
}

Result<void> ImageStore::scan(Family family, std::string_view begin, std::string_view end,
                              const Visitor& visit, ScanMode mode) const {
    rocksdb::ReadOptions options;
    rocksdb::Slice upper_bound = slice(end);
    if (!end.empty()) options.iterate_upper_bound = &upper_bound;
    if (mode == ScanMode::Bulk) {
        options.fill_cache = false;
        options.readahead_size = 1u << 20;
    }
    std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(options, impl_->handle(family)));
    for (it->Seek(slice(begin)); it->Valid(); it->Next()) {
        auto value = it->value();
        ByteView bytes(reinterpret_cast<const std::uint8_t*>(value.data()), value.size());
        if (!visit(view(it->key()), bytes)) break;
    }
    if (!it->status().ok()) return std::unexpected(read_error(it->status(), "scan"));
    return {};
}

Result<std::optional<std::string>> ImageStore::last_key(Family family) const {
    std::unique_ptr<rocksdb::Iterator> it(
        impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->handle(family)));
    it->SeekToLast();
    if (!it->status().ok()) return std::unexpected(read_error(it->status(), "scan"));
    if (!it->Valid()) return std::optional<std::string>();
    return std::optional<std::string>(it->key().ToString());
}

Batch::Batch(const ImageStore& store)
    : store_(&store), batch_(std::make_unique<rocksdb::WriteBatch>()) {}
Batch::Batch(Batch&&) noexcept = default;
Batch& Batch::operator=(Batch&&) noexcept = default;
Batch::~Batch() = default;

// A WriteBatch refuses an operation only beyond 4 GiB per key or value, far
// above the protocol's limits; write() would then fail on the malformed batch.
void Batch::put(Family family, std::string_view key, ByteView value) {
    (void)batch_->Put(store_->impl_->handle(family), slice(key), slice(value));
}

void Batch::put(Family family, std::string_view key, std::string_view value) {
    (void)batch_->Put(store_->impl_->handle(family), slice(key), slice(value));
}

void Batch::erase(Family family, std::string_view key) {
    (void)batch_->Delete(store_->impl_->handle(family), slice(key));
}

void Batch::erase_range(Family family, std::string_view begin, std::string_view end) {
    (void)batch_->DeleteRange(store_->impl_->handle(family), slice(begin), slice(end));
}

void Batch::erase_prefix(Family family, std::string_view prefix) {
    auto end = prefix_end(prefix);
    // Only a prefix of 0xff bytes has no end (an upload id, with odds of 2^-128):
    // then cover every key of up to 8 bytes more, beyond any layout in storage_keys.h.
    if (end.empty()) end.assign(prefix.size() + 8, '\xff');
    erase_range(family, prefix, end);
}

}  // namespace imgshare::storage
