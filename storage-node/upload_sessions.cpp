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
    const auto now_ms = clock.monotonic_ms();
    const auto now_s = clock.now_seconds();
    // A session's key comes right before its notes: the last activity of the session being
    // read is known once the next session's key (or the end) is reached.
    struct Found {
        UploadId upload;
        Activity activity;
        std::int64_t last_active_s;
    };
    std::optional<Found> current;
    auto add_current = [&] {
        if (!current) return;
        auto idle_ms = std::clamp((now_s - current->last_active_s) * 1000, std::int64_t{0},
                                  timeout_ms);
        current->activity.last_ms = now_ms - idle_ms;
        sessions.pending_.emplace(current->upload, std::move(current->activity));
        current.reset();
    };
    auto scanned = store.scan(Family::uploads, "", "", [&](std::string_view key, ByteView value) {
        if (key.size() != kUploadIdSize) {  // a "chunk stored" note: when its chunk came
            auto arrived = decode_u64(as_string(value));
            if (current && arrived && key.starts_with(current->upload.key())) {
                current->last_active_s =
                    std::max(current->last_active_s, static_cast<std::int64_t>(*arrived));
            }
            return true;
        }
        add_current();
        auto session = decode_upload_session(value);
        // An unreadable session still expires, and takes its chunks with it.
        if (!session) spdlog::warn("{}", session.error().message);
        Activity activity{session ? session->owner : std::string(), 0, {}, 0,
                          session && writes_unlogged(*session), false, nullptr};
        auto last_active_s =
            session ? std::max(session->created_at, session->touched_at) : now_s;
        current = Found{*UploadId::from_key(key), std::move(activity), last_active_s};
        return true;
    });
    if (!scanned) return std::unexpected(std::move(scanned.error()));
    add_current();
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
    UploadSession stored = session;
    stored.touched_at = clock_->now_seconds();
    batch.put(Family::uploads, upload.key(), encode_record(stored));
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
                                true,
                                std::make_shared<const UploadSession>(std::move(stored))};
    return {};
}

Result<void> UploadSessions::resume(const UploadId& upload, const UploadSession& session) {
    UploadSession stored = session;
    stored.touched_at = clock_->now_seconds();
    auto batch = store_->batch();
    batch.put(Family::uploads, upload.key(), encode_record(stored));
    // Buffered even for a large upload: the session is on disk since begin(), and losing
    // this rewrite only makes a restart count the idle time from an earlier activity.
    if (auto written = store_->write(std::move(batch), Durability::Buffered); !written) {
        return written;
    }
    touch(upload);
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

std::vector<UploadId> UploadSessions::pending_of(std::string_view owner) const {
    std::vector<UploadId> uploads;
    for (const auto& [upload, activity] : pending_) {
        if (activity.owner == owner) uploads.push_back(upload);
    }
    return uploads;
}

std::int64_t UploadSessions::expires_at(const UploadId& upload) const {
    auto found = pending_.find(upload);
    auto idle_ms = found == pending_.end() ? timeout_ms_ : clock_->monotonic_ms() - found->second.last_ms;
    return clock_->now_seconds() + std::max(timeout_ms_ - idle_ms, std::int64_t{0}) / 1000;
}

Result<void> UploadSessions::recover(const UploadId& upload) {
    auto found = pending_.find(upload);
    if (found == pending_.end() || found->second.recovered) return {};
    auto session = find(upload);
    if (!session) return std::unexpected(std::move(session.error()));
    if (!*session) return fail(ErrorCode::INTERNAL, "a pending upload has no stored session");
    auto envelope = decode_envelope((*session)->envelope);
    if (!envelope) {
        return fail(ErrorCode::INTERNAL,
                    "stored envelope is unreadable: " + envelope.error().message);
    }
    // The unbroken run of stored chunks from 0, hashed as the commit will need it.
    Sha256 run_digest;
    std::uint32_t run = 0;
    auto walked = store_->scan(
        Family::chunks, chunk_key(upload, 0), prefix_end(upload.key()),
        [&](std::string_view key, ByteView chunk) {
            if (chunk_index_of(key, upload) != run) return false;
            if (chunk.size() != chunk_ciphertext_size(*envelope, run)) return false;
            run_digest.update(chunk);
            ++run;
            return run < envelope->chunk_count;
        },
        ScanMode::Bulk);
    if (!walked) return std::unexpected(std::move(walked.error()));
    // Notes: one for each chunk of the run (a crash may have lost one whose chunk had been
    // flushed), none beyond it (a crash may have lost their chunks).
    auto batch = store_->batch();
    bool changed = false;
    const auto now = encode_u64(static_cast<std::uint64_t>(clock_->now_seconds()));
    std::uint32_t noted = 0;  // notes below this index are known to be in place
    auto note_up_to = [&](std::uint32_t end) {
        for (; noted < end; ++noted) {
            batch.put(Family::uploads, chunk_key(upload, noted), now);
            changed = true;
        }
    };
    auto notes = store_->scan(Family::uploads, chunk_key(upload, 0), prefix_end(upload.key()),
                              [&](std::string_view key, ByteView) {
                                  auto index = chunk_index_of(key, upload);
                                  if (!index) return true;
                                  if (*index < run) {
                                      note_up_to(*index);
                                      noted = *index + 1;
                                  } else {
                                      batch.erase(Family::uploads, key);
                                      changed = true;
                                  }
                                  return true;
                              });
    if (!notes) return std::unexpected(std::move(notes.error()));
    note_up_to(run);
    if (changed) {
        if (auto written = store_->write(std::move(batch), Durability::Buffered); !written) {
            return written;
        }
    }
    found->second.received_prefix = std::move(run_digest);
    found->second.hashed_chunks = run;
    found->second.recovered = true;
    return {};
}

Result<bool> UploadSessions::has_chunk(const UploadId& upload, std::uint32_t index) const {
    return store_->contains(Family::uploads, chunk_key(upload, index));
}

Result<std::uint32_t> UploadSessions::chunks_stored(const UploadId& upload) const {
    std::uint32_t count = 0;
    auto scanned = store_->scan(Family::uploads, chunk_key(upload, 0), prefix_end(upload.key()),
                                [&](std::string_view key, ByteView) {
                                    if (chunk_index_of(key, upload)) ++count;
                                    return true;
                                });
    if (!scanned) return std::unexpected(std::move(scanned.error()));
    return count;
}

Result<void> UploadSessions::store_chunk(const UploadId& upload, std::uint32_t index,
                                         ByteView ciphertext) {
    auto key = chunk_key(upload, index);
    auto batch = store_->batch();
    batch.put(Family::chunks, key, ciphertext);
    // The note keeps when the chunk came: after a restart, the time-out counts from it.
    batch.put(Family::uploads, key, encode_u64(static_cast<std::uint64_t>(clock_->now_seconds())));
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
    // The deletion frees nothing on disk by itself: the chunks' blob files go once no table
    // file refers to them, which takes a compaction of their keys (no blob garbage
    // collection: image_store.h). Failing here costs space, not correctness.
    if (auto compacted = store_->compact(Family::chunks, upload.key(), prefix_end(upload.key()));
        !compacted) {
        spdlog::warn("could not compact the chunks of upload {}: {}", upload.text(),
                     compacted.error().message);
    }
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
