// The storage backend on one node's embedded RocksDB (storage_backend.h states
// the promises; this is how RocksDB keeps them). The default, and what a
// single-machine install uses.
//
// One database (image_store.h), the column families of storage_keys.h. A
// commit or share is one WriteBatch, so its parts are visible together;
// written without sync, made durable by sync() (SyncWAL, once per burst of
// commits: the group commit). Feed seqs come from a counter in memory, read
// at open from `meta/last_seq` and the feed's last key: this node is the
// database's only writer (RocksDB locks it).
//
// Only here: the chunks of an upload of at least kUnloggedUploadBytes skip the
// write-ahead log (Durability::Unlogged: written once, at the flush, instead of
// twice), its session is written synced, and chunks_durable() flushes the
// chunks family before its commit; a discard compacts the upload's key range
// so its blob files are deleted; a full disk stops writes until
// resume_writes() (DB::Resume) succeeds.
//
// The owners' usage index (storage_keys.h, `owner/`) is written in the batches of
// commit() and remove(); a store written before the index existed has it built once,
// from the images family, when it is opened.
#pragma once

#include <cstdint>
#include <filesystem>
#include <utility>

#include "storage-node/image_store.h"
#include "storage-node/storage_backend.h"

namespace imgshare::storage {

// Uploads of at least this many (padded) bytes write their chunks unlogged:
// the chunks memtable's size, so the flush at their commit comes no more
// often than the memtable's own.
constexpr std::uint64_t kUnloggedUploadBytes = 4u << 20;

class RocksDbBackend final : public StorageBackend {
  public:
    // Opens (creating if missing) the database in `dir`, building the usage index
    // if the store has none yet. IO_ERROR when RocksDB refuses (locked by another
    // process, unreadable); INTERNAL when the feed's counter or an image record
    // the index is built from does not decode.
    [[nodiscard]] static Result<RocksDbBackend> open(const std::filesystem::path& dir,
                                                     const StoreOptions& options = {});

    RocksDbBackend(RocksDbBackend&&) noexcept = default;
    RocksDbBackend& operator=(RocksDbBackend&&) noexcept = default;

    // The database itself: for tests of what only RocksDB does (blob files, the log).
    [[nodiscard]] ImageStore& store() { return store_; }

    [[nodiscard]] Result<std::optional<ImageRecord>> image(std::string_view name) const override;
    [[nodiscard]] Result<bool> has_image(std::string_view name) const override;
    [[nodiscard]] Result<std::optional<std::string>> committed_name(
        const UploadId& upload) const override;
    [[nodiscard]] Result<std::optional<Bytes>> grant(std::string_view name,
                                                     std::string_view recipient) const override;
    [[nodiscard]] Result<std::optional<Bytes>> chunk(const UploadId& upload,
                                                     std::uint32_t index) const override;
    [[nodiscard]] std::uint64_t feed_head() const override { return last_seq_; }
    [[nodiscard]] Result<void> visit_feed(std::uint64_t first,
                                          const FeedVisitor& visit) const override;
    [[nodiscard]] Result<ImageRecord> commit(const CommitRecord& commit) override;
    [[nodiscard]] Result<ImageRecord> share(const ShareUpdate& update) override;
    [[nodiscard]] Result<std::uint64_t> remove(const ImageRecord& record) override;
    // The service's worker is this backend's only writer: a read and a write of the count
    // cannot interleave with another's.
    [[nodiscard]] Result<std::uint32_t> count_download(const ImageRecord& record) override;
    [[nodiscard]] Result<std::uint32_t> downloads(const ImageRecord& record) const override;
    [[nodiscard]] Result<void> visit_expiring(std::int64_t until,
                                              const ExpiryVisitor& visit) const override;
    [[nodiscard]] Result<void> forget_expiry(std::string_view name,
                                             std::int64_t expires_at) override;
    [[nodiscard]] Result<OwnerUsage> usage(std::string_view owner) const override;
    [[nodiscard]] Result<void> sync() override;

    [[nodiscard]] Result<std::optional<UploadSession>> session(
        const UploadId& upload) const override;
    [[nodiscard]] Result<void> begin_session(const UploadId& upload, const UploadSession& session,
                                             std::uint64_t padded_size) override;
    [[nodiscard]] Result<void> update_session(const UploadId& upload,
                                              const UploadSession& session) override;
    [[nodiscard]] Result<void> visit_sessions(const SessionVisitor& visit) const override;
    [[nodiscard]] Result<void> store_chunk(const UploadId& upload, std::uint32_t index,
                                           ByteView ciphertext, std::int64_t arrived_at,
                                           std::uint64_t padded_size) override;
    [[nodiscard]] Result<void> chunks_durable(const UploadId& upload,
                                              std::uint64_t padded_size) override;
    [[nodiscard]] Result<bool> has_chunk_note(const UploadId& upload,
                                              std::uint32_t index) const override;
    [[nodiscard]] Result<void> visit_chunk_notes(const UploadId& upload,
                                                 const NoteVisitor& visit) const override;
    [[nodiscard]] Result<void> visit_chunks(const UploadId& upload,
                                            const ChunkVisitor& visit) const override;
    [[nodiscard]] Result<void> repair_chunk_notes(const UploadId& upload,
                                                  const std::vector<std::uint32_t>& add,
                                                  const std::vector<std::uint32_t>& drop,
                                                  std::int64_t noted_at) override;
    [[nodiscard]] Result<void> discard_upload(const UploadId& upload) override;

    // Compacts the chunk ranges of the images removed since the last call, so that their
    // blob files can go (a restart forgets the list: RocksDB's own compactions do it then).
    void reclaim_space() override;
    [[nodiscard]] bool resume_writes() override { return store_.resume_writes(); }

  private:
    RocksDbBackend(ImageStore store, std::uint64_t last_seq)
        : store_(std::move(store)), last_seq_(last_seq) {}

    ImageStore store_;
    std::uint64_t last_seq_;  // the feed's head: the seq of the newest entry written
    std::vector<UploadId> removed_;  // uploads whose chunks remove() deleted, not yet compacted
};

}  // namespace imgshare::storage
