#include "storage-node/upload_sessions.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <iterator>

#include "common/crypto/sha256.h"

namespace imgshare::storage {
namespace {

// The envelope's padded size: how the backend writes the upload's chunks (0 for an
// envelope that does not decode: such a session only waits for its expiry).
std::uint64_t padded_size_of(const UploadSession& session) {
    auto envelope = decode_envelope(session.envelope);
    return envelope ? envelope->padded_size : 0;
}

}  // namespace

UploadSessions::UploadSessions(StorageBackend& backend, const Clock& clock,
                               std::int64_t timeout_ms)
    : backend_(&backend), clock_(&clock), timeout_ms_(timeout_ms) {}

Result<UploadSessions> UploadSessions::load(StorageBackend& backend, const Clock& clock,
                                            std::int64_t timeout_ms) {
    UploadSessions sessions(backend, clock, timeout_ms);
    const auto now_ms = clock.monotonic_ms();
    const auto now_s = clock.now_seconds();
    auto visited = backend.visit_sessions([&](const UploadId& upload,
                                              Result<UploadSession> session,
                                              std::int64_t last_chunk_at) {
        // An unreadable session still expires, and takes its chunks with it.
        if (!session) spdlog::warn("{}", session.error().message);
        auto last_active_s =
            session ? std::max({session->created_at, session->touched_at, last_chunk_at}) : now_s;
        auto idle_ms = std::clamp((now_s - last_active_s) * 1000, std::int64_t{0}, timeout_ms);
        sessions.pending_.emplace(upload, Activity{session ? session->owner : std::string(),
                                                   now_ms - idle_ms,
                                                   {},
                                                   0,
                                                   session ? padded_size_of(*session) : 0,
                                                   false,
                                                   nullptr});
    });
    if (!visited) return std::unexpected(std::move(visited.error()));
    return sessions;
}

Result<std::shared_ptr<const UploadSession>> UploadSessions::find(const UploadId& upload) const {
    auto pending = pending_.find(upload);
    if (pending != pending_.end() && pending->second.session) return pending->second.session;
    auto stored = backend_->session(upload);
    if (!stored) return std::unexpected(std::move(stored.error()));
    if (!*stored) return std::shared_ptr<const UploadSession>();
    auto shared = std::make_shared<const UploadSession>(std::move(**stored));
    if (pending != pending_.end()) {
        pending->second.session = shared;
    } else {
        // In the store but not known here: begun on another node sharing the store. Its
        // notes are trusted only after recover(), as after a restart.
        pending_.emplace(upload, Activity{shared->owner, clock_->monotonic_ms(), {}, 0,
                                          padded_size_of(*shared), false, shared});
    }
    return shared;
}

Result<void> UploadSessions::begin(const UploadId& upload, const UploadSession& session) {
    UploadSession stored = session;
    stored.touched_at = clock_->now_seconds();
    const auto padded_size = padded_size_of(session);
    if (auto written = backend_->begin_session(upload, stored, padded_size); !written) {
        return written;
    }
    pending_[upload] = Activity{session.owner,
                                clock_->monotonic_ms(),
                                {},
                                0,
                                padded_size,
                                true,
                                std::make_shared<const UploadSession>(std::move(stored))};
    return {};
}

Result<void> UploadSessions::resume(const UploadId& upload, const UploadSession& session) {
    UploadSession stored = session;
    stored.touched_at = clock_->now_seconds();
    if (auto written = backend_->update_session(upload, stored); !written) return written;
    touch(upload);
    return {};
}

void UploadSessions::touch(const UploadId& upload) {
    if (auto found = pending_.find(upload); found != pending_.end()) {
        found->second.last_ms = clock_->monotonic_ms();
    }
}

void UploadSessions::forget_ended_elsewhere(std::string_view owner) const {
    // An upload this node met but did not begin may have been committed, abandoned or
    // expired by another node since: only the store knows. (Begun here, it ends here too,
    // or on another node after a resume, which the same check finds.)
    for (auto it = pending_.begin(); it != pending_.end();) {
        if (it->second.owner != owner) {
            ++it;
            continue;
        }
        auto stored = backend_->committed_name(it->first);
        bool ended = stored && stored->has_value();
        if (!ended && stored) {
            auto session = backend_->session(it->first);
            ended = session && !session->has_value();
        }
        it = ended ? pending_.erase(it) : std::next(it);
    }
}

std::size_t UploadSessions::pending_count(std::string_view owner) const {
    forget_ended_elsewhere(owner);
    return static_cast<std::size_t>(
        std::count_if(pending_.begin(), pending_.end(),
                      [&](const auto& entry) { return entry.second.owner == owner; }));
}

std::vector<UploadId> UploadSessions::pending_of(std::string_view owner) const {
    forget_ended_elsewhere(owner);
    std::vector<UploadId> uploads;
    for (const auto& [upload, activity] : pending_) {
        if (activity.owner == owner) uploads.push_back(upload);
    }
    return uploads;
}

UploadSessions::PendingUse UploadSessions::pending_use(std::string_view owner,
                                                      const std::optional<UploadId>& except) const {
    forget_ended_elsewhere(owner);
    PendingUse use;
    for (const auto& [upload, activity] : pending_) {
        if (activity.owner != owner || upload == except) continue;
        use.bytes += activity.padded_size;
        ++use.uploads;
    }
    return use;
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
    auto walked = backend_->visit_chunks(upload, [&](std::uint32_t index, ByteView chunk) {
        if (index != run) return false;
        if (chunk.size() != chunk_ciphertext_size(*envelope, run)) return false;
        run_digest.update(chunk);
        ++run;
        return run < envelope->chunk_count;
    });
    if (!walked) return std::unexpected(std::move(walked.error()));
    // Notes: one for each chunk of the run (a crash may have lost one whose chunk had been
    // stored). Beyond the run, a note stays only if its chunk is there, whole: a crash may
    // have lost the chunks of such notes (RocksDB's unlogged chunks), but on a store several
    // nodes share, chunks after a gap are the normal state of an upload whose chunks other
    // nodes are storing right now, in any order. A chunk is written before its note, so a
    // note seen here whose chunk is read after it is never a chunk in flight.
    std::vector<std::uint32_t> add;
    std::vector<std::uint32_t> beyond;
    std::uint32_t noted = 0;  // notes below this index are known to be in place
    auto note_up_to = [&](std::uint32_t end) {
        for (; noted < end; ++noted)
            add.push_back(noted);
    };
    auto notes = backend_->visit_chunk_notes(upload, [&](std::uint32_t index) {
        if (index < run) {
            note_up_to(index);
            noted = index + 1;
        } else {
            beyond.push_back(index);
        }
        return true;
    });
    if (!notes) return std::unexpected(std::move(notes.error()));
    std::vector<std::uint32_t> drop;
    for (auto index : beyond) {
        auto chunk = index < envelope->chunk_count ? backend_->chunk(upload, index)
                                                   : Result<std::optional<Bytes>>();
        if (!chunk) return std::unexpected(std::move(chunk.error()));
        if (!*chunk || (*chunk)->size() != chunk_ciphertext_size(*envelope, index)) {
            drop.push_back(index);
        }
    }
    note_up_to(run);
    if (auto repaired = backend_->repair_chunk_notes(upload, add, drop, clock_->now_seconds());
        !repaired) {
        return repaired;
    }
    found->second.received_prefix = std::move(run_digest);
    found->second.hashed_chunks = run;
    found->second.recovered = true;
    return {};
}

Result<bool> UploadSessions::has_chunk(const UploadId& upload, std::uint32_t index) const {
    return backend_->has_chunk_note(upload, index);
}

Result<std::uint32_t> UploadSessions::chunks_stored(const UploadId& upload) const {
    std::uint32_t count = 0;
    auto visited = backend_->visit_chunk_notes(upload, [&](std::uint32_t) {
        ++count;
        return true;
    });
    if (!visited) return std::unexpected(std::move(visited.error()));
    return count;
}

Result<void> UploadSessions::store_chunk(const UploadId& upload, std::uint32_t index,
                                         ByteView ciphertext) {
    auto found = pending_.find(upload);
    const auto padded_size = found != pending_.end() ? found->second.padded_size : 0;
    // The note keeps when the chunk came: after a restart, the time-out counts from it.
    if (auto written = backend_->store_chunk(upload, index, ciphertext, clock_->now_seconds(),
                                             padded_size);
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
    if (found == pending_.end()) return {};
    return backend_->chunks_durable(upload, found->second.padded_size);
}

Result<std::uint32_t> UploadSessions::first_missing_chunk(const UploadId& upload,
                                                          std::uint32_t chunk_count) const {
    std::uint32_t next = 0;
    auto visited = backend_->visit_chunk_notes(upload, [&](std::uint32_t index) {
        if (index != next) return false;
        ++next;
        return next < chunk_count;
    });
    if (!visited) return std::unexpected(std::move(visited.error()));
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
    auto visited = backend_->visit_chunks(upload, [&](std::uint32_t index, ByteView chunk) {
        if (index != next) return false;
        if (chunk.size() != chunk_ciphertext_size(envelope, next)) {
            problem =
                Error{ErrorCode::INTEGRITY, fmt::format("stored chunk {} has the wrong size", next)};
            return false;
        }
        hash.update(chunk);
        ++next;
        return next < envelope.chunk_count;
    });
    if (!visited) return std::unexpected(std::move(visited.error()));
    if (problem) return std::unexpected(std::move(*problem));
    if (next != envelope.chunk_count) {
        return fail(ErrorCode::INTEGRITY, fmt::format("stored chunk {} is missing", next));
    }
    return hash.finish();
}

void UploadSessions::committed(const UploadId& upload) {
    pending_.erase(upload);
}

void UploadSessions::forget_received() {
    for (auto& [upload, activity] : pending_) {
        activity.received_prefix = Sha256();
        activity.hashed_chunks = 0;
        activity.recovered = false;
    }
}

Result<void> UploadSessions::discard(const UploadId& upload) {
    if (auto discarded = backend_->discard_upload(upload); !discarded) return discarded;
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
