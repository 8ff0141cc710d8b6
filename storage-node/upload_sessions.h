// Pending uploads: the sessions between POST_BEGIN and POST_COMMIT, the
// chunks they have received, and their expiry, over any storage backend
// (storage_backend.h).
//
// Promises: a chunk and the note that it is stored are written together, so
// "stored" never names a missing chunk, until a crash: a backend may write
// them apart (RocksDB's large uploads skip its write-ahead log; RADOS keeps
// them in two objects), and commit_ready() makes the chunks durable before a
// commit may name them. The first use of each upload this process did not
// begin itself (found at start-up, or begun on another node) walks its stored
// chunks in order and keeps the notes of the unbroken run from chunk 0 only
// (recover()), so an upload resumes from the first chunk the store really
// has, whatever survived the crash; the walk also hashes that run, so the
// commit reads nothing back.
//
// What this object holds in memory is a cache: the store is the truth, and
// an upload found there is picked up as if begun here.
//
// A session idle (no POST_BEGIN or POST_CHUNK) for the time-out is removed
// with all its chunks by expire() or ended early by discard(); either frees
// its place among its owner's pending uploads and, as far as the backend can,
// its space. Idle time is measured on the monotonic clock
// while the node runs; each chunk note keeps the Unix second its chunk
// arrived and the session the second of its last POST_BEGIN, so a restart
// counts the idle time from the last activity stored: it never extends a
// time-out (it may shorten one by the activity a crash lost, under a second
// of POST_BEGINs or chunk retries).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/crypto/sha256.h"
#include "common/clock.h"
#include "common/envelope.h"
#include "common/error.h"
#include "storage-node/records.h"
#include "storage-node/storage_backend.h"
#include "storage-node/storage_keys.h"

namespace imgshare::storage {

class UploadSessions {
  public:
    // Reads the sessions already in `backend`. Both must outlive this object.
    [[nodiscard]] static Result<UploadSessions> load(StorageBackend& backend, const Clock& clock,
                                                     std::int64_t timeout_ms);

    // The pending session, null if there is none. Kept decoded beside its
    // activity from begin() (or its first find() after a restart, or of an
    // upload begun on another node) until it ends: every POST_CHUNK looks it
    // up, and reading and decoding it from the store each time cost more than
    // storing the chunk's note.
    [[nodiscard]] Result<std::shared_ptr<const UploadSession>> find(const UploadId& upload) const;
    // Stores a new session (its id must not be pending); a large one synced,
    // so that no chunk flushed without the log is ever without its session.
    [[nodiscard]] Result<void> begin(const UploadId& upload, const UploadSession& session);
    // A POST_BEGIN of pending session `session`: resets its idle time and stores when.
    [[nodiscard]] Result<void> resume(const UploadId& upload, const UploadSession& session);
    // Resets the idle time of a pending session (a POST_CHUNK: its note keeps the time).
    void touch(const UploadId& upload);
    // The pending uploads of `owner`, as the store has them: an upload met here that
    // another node sharing the store has committed or ended since is forgotten first (one
    // read of the store per upload of `owner` held in memory).
    [[nodiscard]] std::size_t pending_count(std::string_view owner) const;
    // The pending uploads of `owner` (as above).
    [[nodiscard]] std::vector<UploadId> pending_of(std::string_view owner) const;
    // The pending uploads of `owner` (as above) but `except`, and their padded sizes in
    // total: what they count against the owner's quota.
    struct PendingUse {
        std::uint64_t bytes = 0;
        std::uint64_t uploads = 0;
    };
    [[nodiscard]] PendingUse pending_use(std::string_view owner,
                                         const std::optional<UploadId>& except = {}) const;
    // When pending upload `upload` expires unless it is used, in Unix seconds.
    [[nodiscard]] std::int64_t expires_at(const UploadId& upload) const;

    // Call before the first use of a pending upload's chunks or notes: for an
    // upload this process did not begin, makes its notes say exactly which
    // chunks from 0 on are stored (reading them once), so that nothing below
    // relies on a note a crash left without its chunk. Does nothing for
    // uploads begun here since the start.
    [[nodiscard]] Result<void> recover(const UploadId& upload);

    [[nodiscard]] Result<bool> has_chunk(const UploadId& upload, std::uint32_t index) const;
    // How many of its chunks are stored (its notes).
    [[nodiscard]] Result<std::uint32_t> chunks_stored(const UploadId& upload) const;
    [[nodiscard]] Result<void> store_chunk(const UploadId& upload, std::uint32_t index,
                                           ByteView ciphertext);
    // Makes the upload's chunks durable (StorageBackend::chunks_durable): call
    // it before the commit that names them.
    [[nodiscard]] Result<void> commit_ready(const UploadId& upload);
    // The lowest index < chunk_count not stored yet; chunk_count when all are.
    [[nodiscard]] Result<std::uint32_t> first_missing_chunk(const UploadId& upload,
                                                            std::uint32_t chunk_count) const;
    // SHA-256 over the chunks in order. INTEGRITY if a chunk is missing or not
    // the size the envelope gives it. Chunks stored in order by this process
    // were hashed as they came (store_chunk), so the usual commit reads nothing
    // back; after a restart or a gap filled late, the stored chunks are read.
    [[nodiscard]] Result<Bytes> ciphertext_digest(const UploadId& upload,
                                                  const Envelope& envelope) const;

    // The upload was committed (StorageBackend::commit ended its session and notes in the
    // store): forget it.
    void committed(const UploadId& upload);
    // Chunks stored since the last sync may not all be there (a write the backend began
    // failed): what was hashed as they came is forgotten, and each upload is recovered from
    // the store again before it is used.
    void forget_received();
    // Removes the session and its chunks now (StorageBackend::discard_upload).
    [[nodiscard]] Result<void> discard(const UploadId& upload);
    // Removes every session idle for the time-out; returns their ids.
    [[nodiscard]] Result<std::vector<UploadId>> expire();

  private:
    struct Activity {
        std::string owner;
        std::int64_t last_ms = 0;
        Sha256 received_prefix;  // over chunks 0 .. hashed_chunks-1
        std::uint32_t hashed_chunks = 0;
        std::uint64_t padded_size = 0;  // the backend chooses how to write its chunks by it
        bool recovered = true;  // false for a session this process did not begin, until recover()
        std::shared_ptr<const UploadSession> session;  // as begun (the stored touched_at moves)
    };
    UploadSessions(StorageBackend& backend, const Clock& clock, std::int64_t timeout_ms);
    void forget_ended_elsewhere(std::string_view owner) const;

    StorageBackend* backend_;
    const Clock* clock_;
    std::int64_t timeout_ms_;
    mutable std::map<UploadId, Activity> pending_;  // find() fills in `session`
};

}  // namespace imgshare::storage
