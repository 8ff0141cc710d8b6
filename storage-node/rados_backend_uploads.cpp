// RadosBackend's pending uploads (rados_backend.h): each upload's session, chunk notes and
// chunks in its own objects (rados_objects.h), so that any node continues any upload.
#include <fmt/format.h>

#include "common/envelope.h"
#include "storage-node/rados_backend.h"
#include "storage-node/rados_objects.h"
#include "storage-node/rados_omap.h"

namespace imgshare::storage {

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
    // The chunk, then its note: a crash between them leaves a chunk without a note, never
    // a note without its chunk.
    if (auto written = pool_.write_full(chunk_object(upload, index), ciphertext); !written) {
        return written;
    }
    return pool_.omap_set(upload_object(upload),
                          {{note_key(index),
                            bytes_of(encode_u64(static_cast<std::uint64_t>(arrived_at)))}});
}

Result<bool> RadosBackend::has_chunk_note(const UploadId& upload, std::uint32_t index) const {
    auto found = pool_.omap_get(upload_object(upload), {note_key(index)});
    if (found) return !found->empty();
    if (is_not_found(found.error())) return false;
    return std::unexpected(std::move(found.error()));
}

Result<void> RadosBackend::visit_chunk_notes(const UploadId& upload,
                                             const NoteVisitor& visit) const {
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
    // may be (without one, the chunks run from 0 to the first missing one).
    auto count = chunk_count_of(upload);
    if (!count) return std::unexpected(std::move(count.error()));
    for (std::uint32_t index = 0; *count == 0 || index < *count; ++index) {
        auto stored = chunk(upload, index);
        if (!stored) return std::unexpected(std::move(stored.error()));
        if (!*stored) {
            if (*count == 0) break;
            continue;
        }
        if (!visit(index, **stored)) break;
    }
    return {};
}

Result<void> RadosBackend::repair_chunk_notes(const UploadId& upload,
                                              const std::vector<std::uint32_t>& add,
                                              const std::vector<std::uint32_t>& drop,
                                              std::int64_t noted_at) {
    if (add.empty() && drop.empty()) return {};
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
