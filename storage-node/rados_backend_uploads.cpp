// RadosBackend's pending uploads (rados_backend.h): each upload's session, chunk notes and
// chunks in its own objects (rados_objects.h), so that any node continues any upload.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "common/envelope.h"
#include "storage-node/rados_backend.h"
#include "storage-node/rados_objects.h"
#include "storage-node/rados_omap.h"

namespace imgshare::storage {

namespace {

// Chunk objects read at once by visit_chunks: 8 chunks of at most 1 MiB in memory.
constexpr std::uint32_t kChunkReadAhead = 8;
// Chunk writes in flight at once (store_chunk): 16 chunks of at most 1 MiB held.
constexpr std::size_t kMaxChunksInFlight = 16;

}  // namespace

using namespace rados_layout;
using namespace rados_omap;
using rados::ObjectWrite;
using rados::OmapValues;
using rados::WriteOutcome;

Result<std::optional<UploadSession>> RadosBackend::session(const UploadId& upload) const {
    auto state = pool_.omap_get(upload_object(upload),
                                {std::string(kSessionKey), std::string(kCommittingKey),
                                 std::string(kCommittedKey)});
    if (!state) {
        if (is_not_found(state.error())) return std::optional<UploadSession>();
        return std::unexpected(std::move(state.error()));
    }
    if (state->contains(std::string(kCommittedKey))) return std::optional<UploadSession>();
    auto settled = settle_upload(upload, *state);
    if (!settled) return std::unexpected(std::move(settled.error()));
    if (*settled) return std::optional<UploadSession>();
    auto stored = state->find(std::string(kSessionKey));
    if (stored == state->end()) return std::optional<UploadSession>();
    auto session = decode_upload_session(stored->second);
    if (!session) return std::unexpected(std::move(session.error()));
    return std::optional<UploadSession>(std::move(*session));
}

Result<void> RadosBackend::begin_session(const UploadId& upload, const UploadSession& session,
                                         std::uint64_t) {
    // Listed first: a crash between the two leaves a listed upload without a session, which
    // visit_sessions() skips, never a session that expiry cannot find.
    if (auto listed = pool_.omap_set(std::string(kUploadsObject), {{upload.text(), Bytes()}});
        !listed) {
        return listed;
    }
    return update_session(upload, session);
}

Result<void> RadosBackend::update_session(const UploadId& upload, const UploadSession& session) {
    return pool_.omap_set(upload_object(upload),
                          {{std::string(kSessionKey), encode_record(session)}});
}

Result<void> RadosBackend::visit_sessions(const SessionVisitor& visit) const {
    settle_chunk_writes();  // the notes say when each upload's last chunk came
    std::vector<UploadId> listed;
    if (auto walked = visit_omap(pool_, std::string(kUploadsObject), "", "",
                                 [&](const std::string& key, const Bytes&) {
                                     if (auto upload = UploadId::parse(key)) {
                                         listed.push_back(*upload);
                                     }
                                     return true;
                                 });
        !walked) {
        return walked;
    }
    for (const auto& upload : listed) {
        OmapValues state;
        std::int64_t last_chunk_at = 0;
        if (auto walked = visit_omap(pool_, upload_object(upload), "", "",
                                     [&](const std::string& key, const Bytes& value) {
                                         if (key.starts_with(kNotePrefix)) {
                                             auto at = decode_u64(string_of(value));
                                             if (at) {
                                                 last_chunk_at = std::max(
                                                     last_chunk_at,
                                                     static_cast<std::int64_t>(*at));
                                             }
                                         } else {
                                             state.emplace(key, value);
                                         }
                                         return true;
                                     });
            !walked) {
            return walked;
        }
        if (state.contains(std::string(kCommittedKey))) continue;
        auto settled = settle_upload(upload, state);
        if (!settled) return std::unexpected(std::move(settled.error()));
        if (*settled) continue;
        auto stored = state.find(std::string(kSessionKey));
        if (stored == state.end()) continue;
        visit(upload, decode_upload_session(stored->second), last_chunk_at);
    }
    return {};
}

Result<void> RadosBackend::store_chunk(const UploadId& upload, std::uint32_t index,
                                       ByteView ciphertext, std::int64_t arrived_at,
                                       std::uint64_t) {
    // At most kMaxChunksInFlight chunks' bytes held at once.
    if (chunks_in_flight_.size() >= kMaxChunksInFlight) settle_chunk_writes();
    auto write = pool_.begin_write_full(chunk_object(upload, index), ciphertext);
    if (!write) return std::unexpected(std::move(write.error()));
    chunks_in_flight_.push_back(ChunkInFlight{upload, index, arrived_at, std::move(*write)});
    return {};
}

void RadosBackend::settle_chunk_writes() const {
    if (chunks_in_flight_.empty()) return;
    auto writes = std::move(chunks_in_flight_);
    chunks_in_flight_.clear();
    // The chunk, then its note: a crash between them leaves a chunk without a note, never
    // a note without its chunk. One note write per upload for the whole burst.
    std::map<UploadId, OmapValues> notes;
    for (auto& chunk : writes) {
        if (auto written = chunk.write.wait(); !written) {
            if (!chunk_write_failure_) chunk_write_failure_ = std::move(written.error());
            continue;
        }
        notes[chunk.upload].emplace(
            note_key(chunk.index),
            bytes_of(encode_u64(static_cast<std::uint64_t>(chunk.arrived_at))));
    }
    for (const auto& [upload, values] : notes) {
        if (auto noted = pool_.omap_set(upload_object(upload), values); !noted) {
            if (!chunk_write_failure_) chunk_write_failure_ = std::move(noted.error());
        }
    }
}

Result<void> RadosBackend::sync() {
    settle_chunk_writes();
    if (!chunk_write_failure_) return {};
    auto failure = std::move(*chunk_write_failure_);
    chunk_write_failure_.reset();
    return std::unexpected(std::move(failure));
}

Result<void> RadosBackend::chunks_durable(const UploadId&, std::uint64_t) {
    // The failure stays for sync(): the replies held with it must learn of it too.
    settle_chunk_writes();
    if (chunk_write_failure_) return std::unexpected(*chunk_write_failure_);
    return {};
}

Result<bool> RadosBackend::has_chunk_note(const UploadId& upload, std::uint32_t index) const {
    // A chunk whose write is under way counts: its repeat in the same burst keeps it.
    for (const auto& chunk : chunks_in_flight_) {
        if (chunk.index == index && chunk.upload == upload) return true;
    }
    auto found = pool_.omap_get(upload_object(upload), {note_key(index)});
    if (found) return !found->empty();
    if (is_not_found(found.error())) return false;
    return std::unexpected(std::move(found.error()));
}

Result<void> RadosBackend::visit_chunk_notes(const UploadId& upload,
                                             const NoteVisitor& visit) const {
    settle_chunk_writes();
    return visit_omap(pool_, upload_object(upload), kNotePrefix, std::string(kNotePrefix),
                      [&](const std::string& key, const Bytes&) {
                          auto index = number_after<std::uint32_t>(key, kNotePrefix);
                          return !index || visit(*index);
                      });
}

Result<std::uint32_t> RadosBackend::chunk_count_of(const UploadId& upload) const {
    auto state = pool_.omap_get(upload_object(upload), {std::string(kSessionKey)});
    if (!state) {
        if (is_not_found(state.error())) return 0u;
        return std::unexpected(std::move(state.error()));
    }
    auto stored = state->find(std::string(kSessionKey));
    if (stored == state->end()) return 0u;
    auto session = decode_upload_session(stored->second);
    return session ? session->chunk_count : 0u;
}

Result<void> RadosBackend::visit_chunks(const UploadId& upload, const ChunkVisitor& visit) const {
    // Objects cannot be listed by prefix cheaply: the session says how many chunks there
    // may be (without one, the chunks run from 0 to the first missing one). They are read
    // kChunkReadAhead at a time (a commit's digest of a large upload would otherwise wait on
    // one round trip per chunk); the visit still sees them one by one, in order.
    settle_chunk_writes();
    auto count = chunk_count_of(upload);
    if (!count) return std::unexpected(std::move(count.error()));
    const bool bounded = *count != 0;
    std::vector<std::string> batch;
    std::uint32_t first = 0;
    while (!bounded || first < *count) {
        const std::uint32_t end =
            bounded ? std::min<std::uint32_t>(*count, first + kChunkReadAhead)
                    : first + kChunkReadAhead;
        batch.clear();
        for (std::uint32_t index = first; index < end; ++index)
            batch.push_back(chunk_object(upload, index));
        auto chunks = pool_.read_each(batch);
        for (std::uint32_t index = first; index < end; ++index) {
            auto& stored = chunks[index - first];
            if (!stored) {
                if (!is_not_found(stored.error())) return std::unexpected(std::move(stored.error()));
                if (!bounded) return {};  // the end of an upload without a session
                continue;
            }
            if (!visit(index, *stored)) return {};
        }
        first = end;
    }
    return {};
}

Result<void> RadosBackend::repair_chunk_notes(const UploadId& upload,
                                              const std::vector<std::uint32_t>& add,
                                              const std::vector<std::uint32_t>& drop,
                                              std::int64_t noted_at) {
    if (add.empty() && drop.empty()) return {};
    settle_chunk_writes();
    ObjectWrite repair;
    const auto when = bytes_of(encode_u64(static_cast<std::uint64_t>(noted_at)));
    for (auto index : add)
        repair.omap_set.emplace(note_key(index), when);
    for (auto index : drop)
        repair.omap_remove.insert(note_key(index));
    auto written = pool_.write(upload_object(upload), repair);
    if (!written) return std::unexpected(std::move(written.error()));
    return {};
}

Result<bool> RadosBackend::became_image(const UploadId& upload, const OmapValues& state) const {
    auto stored = state.find(std::string(kSessionKey));
    if (stored == state.end()) return false;
    auto session = decode_upload_session(stored->second);
    if (!session) return false;  // nothing names its image: nothing to keep
    auto envelope = decode_envelope(session->envelope);
    if (!envelope) return false;
    auto record = settle_image(envelope->name);
    if (!record) return std::unexpected(std::move(record.error()));
    if (!*record || as_string((*record)->upload) != upload.key()) return false;
    if (auto ended = finish_upload(upload, envelope->name, (*record)->chunk_count); !ended) {
        return std::unexpected(std::move(ended.error()));
    }
    return true;
}

Result<void> RadosBackend::discard_upload(const UploadId& upload) {
    settle_chunk_writes();  // none of its chunks may land after they were removed
    const auto object = upload_object(upload);
    auto state = pool_.omap_get(object, {std::string(kSessionKey), std::string(kCommittingKey),
                                         std::string(kCommittedKey)});
    if (!state && !is_not_found(state.error())) return std::unexpected(std::move(state.error()));
    if (state) {
        // A commit under way (on any node) is rolled forward, never discarded: once staged,
        // its image is as good as visible, and its chunks must stay.
        if (state->contains(std::string(kCommittedKey))) return {};
        auto settled = settle_upload(upload, *state);
        if (!settled) return std::unexpected(std::move(settled.error()));
        if (*settled) return {};
        auto became = became_image(upload, *state);
        if (!became) return std::unexpected(std::move(became.error()));
        if (*became) return {};
    }
    std::uint32_t count = 0;
    if (state) {
        if (auto stored = state->find(std::string(kSessionKey)); stored != state->end()) {
            if (auto session = decode_upload_session(stored->second)) count = session->chunk_count;
        }
    }
    if (count == 0) {
        if (auto noted = visit_chunk_notes(upload, [&](std::uint32_t index) {
                count = std::max(count, index + 1);
                return true;
            });
            !noted) {
            return noted;
        }
    }
    for (std::uint32_t index = 0; index < count; ++index) {
        if (auto removed = pool_.remove(chunk_object(upload, index));
            !removed && !is_not_found(removed.error())) {
            return removed;
        }
    }
    if (auto removed = pool_.remove(object); !removed && !is_not_found(removed.error())) {
        return removed;
    }
    if (auto unlisted = pool_.omap_remove(std::string(kUploadsObject), {upload.text()});
        !unlisted && !is_not_found(unlisted.error())) {
        return unlisted;
    }
    return {};
}

}  // namespace imgshare::storage
