#include "storage-node/rocksdb_backend.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace imgshare::storage {
namespace {

bool writes_unlogged(std::uint64_t padded_size) {
    return padded_size >= kUnloggedUploadBytes;
}

// The feed's head as stored: the counter and the feed are written in one batch; trust
// neither alone.
Result<std::uint64_t> stored_last_seq(const ImageStore& store) {
    auto counter = store.get(Family::meta, kLastSeqKey);
    if (!counter) return std::unexpected(std::move(counter.error()));
    std::uint64_t last_seq = 0;
    if (*counter) {
        auto value = decode_u64(as_string(**counter));
        if (!value) return fail(ErrorCode::INTERNAL, "stored last_seq is unreadable");
        last_seq = *value;
    }
    auto last_entry = store.last_key(Family::feed);
    if (!last_entry) return std::unexpected(std::move(last_entry.error()));
    if (*last_entry) {
        auto seq = seq_of_feed_key(**last_entry);
        if (!seq) return fail(ErrorCode::INTERNAL, "stored feed key is unreadable");
        last_seq = std::max(last_seq, *seq);
    }
    return last_seq;
}

// The key range of everything stored under `upload` in the chunks or uploads family.
struct UploadRange {
    std::string begin;
    std::string end;
};
UploadRange range_of(const UploadId& upload) {
    return {chunk_key(upload, 0), prefix_end(upload.key())};
}

// Builds the owners' usage index of a store written before it had one (storage_keys.h):
// once, from the images family, in one batch with the marker that it was built. Images
// are few next to their chunks (a record per image), so one batch holds them.
Result<void> build_owner_index(ImageStore& store) {
    auto built = store.contains(Family::meta, kOwnerIndexBuiltKey);
    if (!built) return std::unexpected(std::move(built.error()));
    if (*built) return {};
    auto batch = store.batch();
    std::optional<Error> problem;
    std::uint64_t images = 0;
    auto scanned = store.scan(Family::images, "", "", [&](std::string_view, ByteView value) {
        auto record = decode_image_record(value);
        if (!record) {
            problem = std::move(record.error());
            return false;
        }
        batch.put(Family::meta, owner_usage_key(record->owner, record->name),
                  encode_u64(record->size));
        ++images;
        return true;
    });
    if (!scanned) return scanned;
    if (problem) return std::unexpected(std::move(*problem));
    batch.put(Family::meta, kOwnerIndexBuiltKey, std::string_view("1"));
    if (auto written = store.write(std::move(batch), Durability::Synced); !written) {
        return written;
    }
    if (images > 0) spdlog::info("built the owners' usage index of {} images", images);
    return {};
}

}  // namespace

Result<RocksDbBackend> RocksDbBackend::open(const std::filesystem::path& dir,
                                            const StoreOptions& options) {
    auto store = ImageStore::open(dir, options);
    if (!store) return std::unexpected(std::move(store.error()));
    auto last_seq = stored_last_seq(*store);
    if (!last_seq) return std::unexpected(std::move(last_seq.error()));
    if (auto indexed = build_owner_index(*store); !indexed) {
        return std::unexpected(std::move(indexed.error()));
    }
    return RocksDbBackend(std::move(*store), *last_seq);
}

Result<std::optional<ImageRecord>> RocksDbBackend::image(std::string_view name) const {
    auto stored = store_.get(Family::images, name);
    if (!stored) return std::unexpected(std::move(stored.error()));
    if (!*stored) return std::optional<ImageRecord>();
    auto record = decode_image_record(**stored);
    if (!record) return std::unexpected(std::move(record.error()));
    return std::optional<ImageRecord>(std::move(*record));
}

Result<bool> RocksDbBackend::has_image(std::string_view name) const {
    return store_.contains(Family::images, name);
}

Result<std::optional<std::string>> RocksDbBackend::committed_name(const UploadId& upload) const {
    auto stored = store_.get(Family::meta, committed_upload_key(upload));
    if (!stored) return std::unexpected(std::move(stored.error()));
    if (!*stored) return std::optional<std::string>();
    return std::optional<std::string>(std::string(as_string(**stored)));
}

Result<std::optional<Bytes>> RocksDbBackend::grant(std::string_view name,
                                                   std::string_view recipient) const {
    return store_.get(Family::grants, grant_key(name, recipient));
}

Result<std::optional<Bytes>> RocksDbBackend::chunk(const UploadId& upload,
                                                   std::uint32_t index) const {
    return store_.get(Family::chunks, chunk_key(upload, index));
}

Result<void> RocksDbBackend::visit_feed(std::uint64_t first, const FeedVisitor& visit) const {
    std::optional<Error> problem;
    auto scanned =
        store_.scan(Family::feed, feed_key(first), "", [&](std::string_view key, ByteView value) {
            auto seq = seq_of_feed_key(key);
            if (!seq) {
                problem = Error{ErrorCode::INTERNAL, "stored feed key is unreadable"};
                return false;
            }
            return visit(*seq, as_string(value));
        });
    if (!scanned) return scanned;
    if (problem) return std::unexpected(std::move(*problem));
    return {};
}

Result<ImageRecord> RocksDbBackend::commit(const CommitRecord& commit) {
    const auto& name = commit.record.name;
    auto upload = UploadId::from_key(as_string(commit.record.upload));
    if (!upload) return fail(ErrorCode::INTERNAL, "a commit names no upload");
    auto held = store_.get(Family::images, name);
    if (!held) return std::unexpected(std::move(held.error()));
    if (*held) {
        // A retry of this upload's commit finds it; anyone else finds the name taken.
        auto stored = decode_image_record(**held);
        if (stored && stored->upload == commit.record.upload) return std::move(*stored);
        return fail(ErrorCode::NAME_TAKEN, fmt::format("the name '{}' is taken", name));
    }
    ImageRecord record = commit.record;
    record.seq = last_seq_ + 1;
    auto batch = store_.batch();
    if (commit.only_chunk) batch.put(Family::chunks, chunk_key(*upload, 0), *commit.only_chunk);
    batch.put(Family::images, name, encode_record(record));
    for (const auto& grant : commit.grants) {
        batch.put(Family::grants, grant_key(name, grant.recipient), grant.sealed_key);
    }
    batch.put(Family::feed, feed_key(record.seq), name);
    batch.put(Family::meta, kLastSeqKey, encode_u64(record.seq));
    batch.put(Family::meta, committed_upload_key(*upload), name);
    if (record.expires_at != 0) {
        batch.put(Family::meta, expiry_key(record.expires_at, name), std::string_view());
    }
    batch.put(Family::meta, owner_usage_key(record.owner, name), encode_u64(record.size));
    if (!commit.only_chunk) {
        // The session and its notes end with the commit. Point deletions, not a range:
        // every read of a memtable holding range tombstones rebuilds their list, which
        // with one per commit was a tenth of the node's CPU on small posts.
        batch.erase(Family::uploads, upload->key());
        for (std::uint32_t index = 0; index < record.chunk_count; ++index)
            batch.erase(Family::uploads, chunk_key(*upload, index));
    }
    if (auto written = store_.write(std::move(batch), Durability::Buffered); !written) {
        return std::unexpected(std::move(written.error()));
    }
    last_seq_ = record.seq;
    return record;
}

Result<std::uint64_t> RocksDbBackend::remove(const ImageRecord& record) {
    const auto& name = record.name;
    auto upload = UploadId::from_key(as_string(record.upload));
    if (!upload) return fail(ErrorCode::INTERNAL, "a deletion names no upload");
    auto held = image(name);
    if (!held) return std::unexpected(std::move(held.error()));
    if (!*held || (*held)->upload != record.upload) {
        return fail(ErrorCode::NOT_FOUND, fmt::format("no image '{}'", name));
    }
    const auto& stored = **held;
    const auto seq = last_seq_ + 1;
    auto batch = store_.batch();
    batch.erase(Family::images, name);
    batch.erase(Family::meta, owner_usage_key(stored.owner, name));
    for (const auto& recipient : stored.recipients)
        batch.erase(Family::grants, grant_key(name, recipient));
    // Point deletions, as at commit: range tombstones cost every later read of the memtable.
    for (std::uint32_t index = 0; index < stored.chunk_count; ++index)
        batch.erase(Family::chunks, chunk_key(*upload, index));
    if (stored.expires_at != 0) batch.erase(Family::meta, expiry_key(stored.expires_at, name));
    batch.erase(Family::meta, downloads_key(*upload));
    batch.put(Family::feed, feed_key(seq), name);
    batch.put(Family::meta, kLastSeqKey, encode_u64(seq));
    if (auto written = store_.write(std::move(batch), Durability::Buffered); !written) {
        return std::unexpected(std::move(written.error()));
    }
    last_seq_ = seq;
    removed_.push_back(*upload);
    return seq;
}

void RocksDbBackend::reclaim_space() {
    // The deletions free nothing on disk by themselves: a blob file goes once no table file
    // refers to it, which takes a compaction of the keys (no blob garbage collection:
    // image_store.h). Failing here costs space, not correctness.
    for (const auto& upload : removed_) {
        if (auto compacted = store_.compact(Family::chunks, upload.key(), prefix_end(upload.key()));
            !compacted) {
            spdlog::warn("could not compact the chunks of deleted upload {}: {}", upload.text(),
                         compacted.error().message);
        }
    }
    removed_.clear();
}

Result<ImageRecord> RocksDbBackend::share(const ShareUpdate& update) {
    if (update.record.shares.empty()) return fail(ErrorCode::INTERNAL, "a share without a share");
    ImageRecord record = update.record;
    const auto seq = last_seq_ + 1;
    record.shares.back().seq = seq;
    auto batch = store_.batch();
    for (const auto& grant : update.added_grants) {
        batch.put(Family::grants, grant_key(record.name, grant.recipient), grant.sealed_key);
    }
    for (const auto& reader : record.shares.back().removed)
        batch.erase(Family::grants, grant_key(record.name, reader));
    batch.put(Family::feed, feed_key(seq), record.name);
    batch.put(Family::meta, kLastSeqKey, encode_u64(seq));
    batch.put(Family::images, record.name, encode_record(record));
    if (auto written = store_.write(std::move(batch), Durability::Buffered); !written) {
        return std::unexpected(std::move(written.error()));
    }
    last_seq_ = seq;
    return record;
}

Result<void> RocksDbBackend::sync() {
    return store_.sync();
}

Result<std::optional<UploadSession>> RocksDbBackend::session(const UploadId& upload) const {
    auto stored = store_.get(Family::uploads, upload.key());
    if (!stored) return std::unexpected(std::move(stored.error()));
    if (!*stored) return std::optional<UploadSession>();
    auto session = decode_upload_session(**stored);
    if (!session) return std::unexpected(std::move(session.error()));
    return std::optional<UploadSession>(std::move(*session));
}

Result<void> RocksDbBackend::begin_session(const UploadId& upload, const UploadSession& session,
                                           std::uint64_t padded_size) {
    auto batch = store_.batch();
    batch.put(Family::uploads, upload.key(), encode_record(session));
    // Synced for a large upload: its chunks skip the log, and a flush may put them on
    // disk before any sync, so the session that expires them must be there first.
    return store_.write(std::move(batch),
                        writes_unlogged(padded_size) ? Durability::Synced : Durability::Buffered);
}

Result<void> RocksDbBackend::update_session(const UploadId& upload, const UploadSession& session) {
    auto batch = store_.batch();
    batch.put(Family::uploads, upload.key(), encode_record(session));
    return store_.write(std::move(batch), Durability::Buffered);
}

Result<void> RocksDbBackend::visit_sessions(const SessionVisitor& visit) const {
    // A session's key comes right before its notes: the last arrival of the session being
    // read is known once the next session's key (or the end) is reached.
    struct Found {
        UploadId upload;
        Result<UploadSession> session;
        std::int64_t last_chunk_at = 0;
    };
    std::optional<Found> current;
    auto finish_current = [&] {
        if (!current) return;
        visit(current->upload, std::move(current->session), current->last_chunk_at);
        current.reset();
    };
    auto scanned = store_.scan(Family::uploads, "", "", [&](std::string_view key, ByteView value) {
        if (key.size() != kUploadIdSize) {  // a "chunk stored" note: when its chunk came
            auto arrived = decode_u64(as_string(value));
            if (current && arrived && key.starts_with(current->upload.key())) {
                current->last_chunk_at =
                    std::max(current->last_chunk_at, static_cast<std::int64_t>(*arrived));
            }
            return true;
        }
        finish_current();
        current = Found{*UploadId::from_key(key), decode_upload_session(value), 0};
        return true;
    });
    if (!scanned) return scanned;
    finish_current();
    return {};
}

Result<void> RocksDbBackend::store_chunk(const UploadId& upload, std::uint32_t index,
                                         ByteView ciphertext, std::int64_t arrived_at,
                                         std::uint64_t padded_size) {
    auto key = chunk_key(upload, index);
    auto batch = store_.batch();
    batch.put(Family::chunks, key, ciphertext);
    batch.put(Family::uploads, key, encode_u64(static_cast<std::uint64_t>(arrived_at)));
    // Until the commit nothing is promised: its sync makes buffered chunks durable with
    // it, and chunks_durable() flushes unlogged ones.
    return store_.write(std::move(batch), writes_unlogged(padded_size) ? Durability::Unlogged
                                                                       : Durability::Buffered);
}

Result<void> RocksDbBackend::chunks_durable(const UploadId&, std::uint64_t padded_size) {
    if (!writes_unlogged(padded_size)) return {};  // in the log: the next sync covers them
    return store_.flush(Family::chunks);
}

Result<bool> RocksDbBackend::has_chunk_note(const UploadId& upload, std::uint32_t index) const {
    return store_.contains(Family::uploads, chunk_key(upload, index));
}

Result<void> RocksDbBackend::visit_chunk_notes(const UploadId& upload,
                                               const NoteVisitor& visit) const {
    auto range = range_of(upload);
    return store_.scan(Family::uploads, range.begin, range.end,
                       [&](std::string_view key, ByteView) {
                           auto index = chunk_index_of(key, upload);
                           return !index || visit(*index);
                       });
}

Result<void> RocksDbBackend::visit_chunks(const UploadId& upload, const ChunkVisitor& visit) const {
    auto range = range_of(upload);
    return store_.scan(
        Family::chunks, range.begin, range.end,
        [&](std::string_view key, ByteView chunk) {
            auto index = chunk_index_of(key, upload);
            return !index || visit(*index, chunk);
        },
        ScanMode::Bulk);
}

Result<void> RocksDbBackend::repair_chunk_notes(const UploadId& upload,
                                                const std::vector<std::uint32_t>& add,
                                                const std::vector<std::uint32_t>& drop,
                                                std::int64_t noted_at) {
    if (add.empty() && drop.empty()) return {};
    auto batch = store_.batch();
    const auto when = encode_u64(static_cast<std::uint64_t>(noted_at));
    for (auto index : add)
        batch.put(Family::uploads, chunk_key(upload, index), when);
    for (auto index : drop)
        batch.erase(Family::uploads, chunk_key(upload, index));
    return store_.write(std::move(batch), Durability::Buffered);
}

Result<void> RocksDbBackend::discard_upload(const UploadId& upload) {
    auto batch = store_.batch();
    batch.erase_prefix(Family::uploads, upload.key());
    batch.erase_prefix(Family::chunks, upload.key());
    if (auto written = store_.write(std::move(batch), Durability::Buffered); !written) {
        return written;
    }
    // The deletion frees nothing on disk by itself: the chunks' blob files go once no table
    // file refers to them, which takes a compaction of their keys (no blob garbage
    // collection: image_store.h). Failing here costs space, not correctness.
    if (auto compacted = store_.compact(Family::chunks, upload.key(), prefix_end(upload.key()));
        !compacted) {
        spdlog::warn("could not compact the chunks of upload {}: {}", upload.text(),
                     compacted.error().message);
    }
    return {};
}

}  // namespace imgshare::storage
