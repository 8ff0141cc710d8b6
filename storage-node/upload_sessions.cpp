#include "storage-node/upload_sessions.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/crypto/sha256.h"

namespace imgshare::storage {
namespace {

bool writes_unlogged(const UploadSession& session) {
    auto envelope = decode_envelope(session.envelope);
    return envelope && envelope->padded_size >= kUnloggedUploadBytes;
}

}  // namespace

UploadSessions::UploadSessions(ImageStore& store, const Clock& clock, std::int64_t timeout_ms)
    : store_(&store), clock_(&clock), timeout_ms_(timeout_ms) {}

Result<UploadSessions> UploadSessions::load(ImageStore& store, const Clock& clock,
                                            std::int64_t timeout_ms) {
    UploadSessions sessions(store, clock, timeout_ms);
    auto now = clock.monotonic_ms();
    auto forget_notes = store.batch();
    bool forgetting = false;
    // Notes sort right after their session's key: those of an unlogged session
    // are erased one by one (a range tombstone would slow every read of the
    // memtable that holds it, as end_in says).
    std::optional<std::string> unlogged_session_key;
    auto scanned = store.scan(Family::uploads, "", "", [&](std::string_view key, ByteView value) {
        if (key.size() != kUploadIdSize) {  // a "chunk stored" note
            if (unlogged_session_key && key.starts_with(*unlogged_session_key)) {
                forget_notes.erase(Family::uploads, key);
                forgetting = true;
            }
            return true;
        }
        auto upload = *UploadId::from_key(key);
        auto session = decode_upload_session(value);
        // An unreadable session still expires, and takes its chunks with it.
        std::string owner = session ? session->owner : std::string();
        if (!session) spdlog::warn("{}", session.error().message);
        // Its chunks were unlogged: a note may have outlived its chunk.
        bool unlogged = session && writes_unlogged(*session);
        if (unlogged) {
            unlogged_session_key = std::string(key);
        } else {
            unlogged_session_key.reset();
        }
        sessions.pending_.emplace(upload,
                                  Activity{std::move(owner), now, {}, 0, unlogged, nullptr});
        return true;
    });
    if (!scanned) return std::unexpected(std::move(scanned.error()));
    if (forgetting) {
        if (auto written = store.write(std::move(forget_notes), Durability::Buffered); !written) {
            return std::unexpected(std::move(written.error()));
        }
    }
    return sessions;
}

Result<std::shared_ptr<const UploadSession>> UploadSessions::find(const UploadId& upload) const {
    auto pending = pending_.find(upload);
    if (pending != pending_.end() && pending->second.session) return pending->second.session;
    auto stored = store_->get(Family::uploads, upload.key());
    if (!stored) return std::unexpected(std::move(stored.error()));
    if (!*stored) return std::shared_ptr<const UploadSession>();
    auto session = decode_upload_session(**stored);
    if (!session) return std::unexpected(std::move(session.error()));
    auto shared = std::make_shared<const UploadSession>(std::move(*session));
    if (pending != pending_.end()) pending->second.session = shared;
    return shared;
}

Result<void> UploadSessions::begin(const UploadId& upload, const UploadSession& session) {
    auto batch = store_->batch();
    batch.put(Family::uploads, upload.key(), encode_record(session));
    bool unlogged = writes_unlogged(session);
    if (auto written =
            store_->write(std::move(batch), unlogged ? Durability::Synced : Durability::Buffered);
        !written) {
        return written;
    }
    pending_[upload] = Activity{session.owner,
                                clock_->monotonic_ms(),
                                {},
                                0,
                                unlogged,
                                std::make_shared<const UploadSession>(session)};
    return {};
}

void UploadSessions::touch(const UploadId& upload) {
    if (auto found = pending_.find(upload); found != pending_.end()) {
        found->second.last_ms = clock_->monotonic_ms();
    }
}

std::size_t UploadSessions::pending_count(std::string_view owner) const {
    return static_cast<std::size_t>(
        std::count_if(pending_.begin(), pending_.end(),
                      [&](const auto& entry) { return entry.second.owner == owner; }));
}

Result<bool> UploadSessions::has_chunk(const UploadId& upload, std::uint32_t index) const {
    return store_->contains(Family::uploads, chunk_key(upload, index));
}

Result<void> UploadSessions::store_chunk(const UploadId& upload, std::uint32_t index,
                                         ByteView ciphertext) {
    auto key = chunk_key(upload, index);
    auto batch = store_->batch();
    batch.put(Family::chunks, key, ciphertext);
    batch.put(Family::uploads, key, std::string_view());
    // Until POST_COMMIT nothing is promised: the commit's sync makes buffered
    // chunks durable with it, and commit_ready() flushes unlogged ones.
    auto found = pending_.find(upload);
    bool unlogged = found != pending_.end() && found->second.unlogged;
    if (auto written =
            store_->write(std::move(batch), unlogged ? Durability::Unlogged : Durability::Buffered);
        !written) {
        return written;
    }
    if (found != pending_.end() && found->second.hashed_chunks == index) {
        found->second.received_prefix.update(ciphertext);
        ++found->second.hashed_chunks;
    }
    return {};
}

Result<void> UploadSessions::commit_ready(const UploadId& upload) {
    auto found = pending_.find(upload);
    if (found == pending_.end() || !found->second.unlogged) return {};
    return store_->flush(Family::chunks);
}

Result<std::uint32_t> UploadSessions::first_missing_chunk(const UploadId& upload,
                                                          std::uint32_t chunk_count) const {
    std::uint32_t next = 0;
    auto scanned = store_->scan(Family::uploads, chunk_key(upload, 0), prefix_end(upload.key()),
                                [&](std::string_view key, ByteView) {
                                    if (chunk_index_of(key, upload) != next) return false;
                                    ++next;
                                    return next < chunk_count;
                                });
    if (!scanned) return std::unexpected(std::move(scanned.error()));
    return std::min(next, chunk_count);
}

Result<Bytes> UploadSessions::ciphertext_digest(const UploadId& upload,
                                                const Envelope& envelope) const {
    if (auto found = pending_.find(upload);
        found != pending_.end() && found->second.hashed_chunks == envelope.chunk_count) {
        Sha256 received = found->second.received_prefix;
        return received.finish();
    }
    Sha256 hash;
    std::uint32_t next = 0;
    std::optional<Error> problem;
    auto scanned = store_->scan(
        Family::chunks, chunk_key(upload, 0), prefix_end(upload.key()),
        [&](std::string_view key, ByteView chunk) {
            if (chunk_index_of(key, upload) != next) return false;
            if (chunk.size() != chunk_ciphertext_size(envelope, next)) {
                problem = Error{ErrorCode::INTEGRITY,
                                fmt::format("stored chunk {} has the wrong size", next)};
                return false;
            }
            hash.update(chunk);
            ++next;
            return next < envelope.chunk_count;
        },
        ScanMode::Bulk);
    if (!scanned) return std::unexpected(std::move(scanned.error()));
    if (problem) return std::unexpected(std::move(*problem));
    if (next != envelope.chunk_count) {
        return fail(ErrorCode::INTEGRITY, fmt::format("stored chunk {} is missing", next));
    }
    return hash.finish();
}

void UploadSessions::end_in(Batch& batch, const UploadId& upload, std::uint32_t chunk_count) const {
    batch.erase(Family::uploads, upload.key());
    for (std::uint32_t index = 0; index < chunk_count; ++index)
        batch.erase(Family::uploads, chunk_key(upload, index));
}

void UploadSessions::committed(const UploadId& upload) {
    pending_.erase(upload);
}

Result<void> UploadSessions::discard(const UploadId& upload) {
    auto batch = store_->batch();
    batch.erase_prefix(Family::uploads, upload.key());
    batch.erase_prefix(Family::chunks, upload.key());
    if (auto written = store_->write(std::move(batch), Durability::Buffered); !written) {
        return written;
    }
    pending_.erase(upload);
    return {};
}

Result<std::vector<UploadId>> UploadSessions::expire() {
    auto now = clock_->monotonic_ms();
    std::vector<UploadId> idle;
    for (const auto& [upload, activity] : pending_) {
        if (now - activity.last_ms >= timeout_ms_) idle.push_back(upload);
    }
    for (const auto& upload : idle) {
        if (auto removed = discard(upload); !removed) return std::unexpected(removed.error());
    }
    return idle;
}

}  // namespace imgshare::storage
