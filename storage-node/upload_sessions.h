// Pending uploads: the sessions between POST_BEGIN and POST_COMMIT, the
// chunks they have received, and their expiry.
//
// Promises: a chunk and the note that it is stored are written together, so
// "stored" never names a missing chunk. The chunks of a large upload
// (kUnloggedUploadBytes) skip RocksDB's write-ahead log, which halves what
// the node writes and checksums per byte; a crash may then lose some of them
// and not their notes (two families, flushed apart), and commit_ready()
// flushes their chunks before a commit may name them. After a restart, the
// first use of each upload found in the database (recover()) walks its stored
// chunks in order and keeps the notes of the unbroken run from chunk 0 only,
// so an upload resumes from the first chunk the node really lacks, whatever
// survived the crash; the walk also hashes that run, so the commit reads
// nothing back.
//
// A session idle (no POST_BEGIN or POST_CHUNK) for the time-out is removed
// with all its chunks by expire() or ended early by discard(); either frees
// its place among its owner's pending uploads and, once RocksDB has compacted
// the range, its disk space. Idle time is measured on the monotonic clock
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
#include "storage-node/image_store.h"
#include "storage-node/records.h"
#include "storage-node/storage_keys.h"

namespace imgshare::storage {

// Uploads of at least this many (padded) bytes write their chunks unlogged:
// the chunks memtable's size, so the flush at their commit comes no more
// often than the memtable's own.
constexpr std::uint64_t kUnloggedUploadBytes = 4u << 20;

class UploadSessions {
  public:
    // Reads the sessions already in `store`. Both must outlive this object.
    [[nodiscard]] static Result<UploadSessions> load(ImageStore& store, const Clock& clock,
                                                     std::int64_t timeout_ms);

    // The pending session, null if there is none. Kept decoded beside its
    // activity from begin() (or its first find() after a restart) until it
    // ends: every POST_CHUNK looks it up, and reading and decoding it from
    // RocksDB each time cost more than storing the chunk's note.
    [[nodiscard]] Result<std::shared_ptr<const UploadSession>> find(const UploadId& upload) const;
    // Stores a new session (its id must not be pending); a large one synced,
    // so that no chunk flushed without the log is ever without its session.
    [[nodiscard]] Result<void> begin(const UploadId& upload, const UploadSession& session);
    // A POST_BEGIN of pending session `session`: resets its idle time and stores when.
    [[nodiscard]] Result<void> resume(const UploadId& upload, const UploadSession& session);
    // Resets the idle time of a pending session (a POST_CHUNK: its note keeps the time).
    void touch(const UploadId& upload);
    [[nodiscard]] std::size_t pending_count(std::string_view owner) const;
    // The pending uploads of `owner`.
    [[nodiscard]] std::vector<UploadId> pending_of(std::string_view owner) const;
    // When pending upload `upload` expires unless it is used, in Unix seconds.
    [[nodiscard]] std::int64_t expires_at(const UploadId& upload) const;

    // Call before the first use of a pending upload's chunks or notes: after a
    // restart, makes its notes say exactly which chunks from 0 on are stored
    // (reading them once), so that nothing below relies on a note a crash
    // left without its chunk. Does nothing for uploads begun since the start.
    [[nodiscard]] Result<void> recover(const UploadId& upload);

    [[nodiscard]] Result<bool> has_chunk(const UploadId& upload, std::uint32_t index) const;
    // How many of its chunks are stored (its notes).
    [[nodiscard]] Result<std::uint32_t> chunks_stored(const UploadId& upload) const;
    [[nodiscard]] Result<void> store_chunk(const UploadId& upload, std::uint32_t index,
                                           ByteView ciphertext);
    // Makes the upload's chunks durable if they were written unlogged: call it
    // before writing the commit that names them.
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

    // Adds to `batch` the removal of the session and its notes of chunks
    // 0 .. chunk_count-1 (not the chunks: a commit keeps them); call
    // committed() once the batch is written. Point deletions, not a range:
    // every read of a memtable holding range tombstones rebuilds their list,
    // which with one per commit was a tenth of the node's CPU on small posts.
    void end_in(Batch& batch, const UploadId& upload, std::uint32_t chunk_count) const;
    void committed(const UploadId& upload);
    // Removes the session and its chunks now, and has RocksDB compact their key
    // range so that blob files holding nothing else are deleted.
    [[nodiscard]] Result<void> discard(const UploadId& upload);
    // Removes every session idle for the time-out; returns their ids.
    [[nodiscard]] Result<std::vector<UploadId>> expire();

  private:
    struct Activity {
        std::string owner;
        std::int64_t last_ms = 0;
        Sha256 received_prefix;  // over chunks 0 .. hashed_chunks-1
        std::uint32_t hashed_chunks = 0;
        bool unlogged = false;                         // its chunks skip the write-ahead log
        bool recovered = true;  // false for a session found at start-up, until recover()
        std::shared_ptr<const UploadSession> session;  // as begun (the stored touched_at moves)
    };
    UploadSessions(ImageStore& store, const Clock& clock, std::int64_t timeout_ms);

    ImageStore* store_;
    const Clock* clock_;
    std::int64_t timeout_ms_;
    mutable std::map<UploadId, Activity> pending_;  // find() fills in `session`
};

}  // namespace imgshare::storage
