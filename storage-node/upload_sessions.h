// Pending uploads: the sessions between POST_BEGIN and POST_COMMIT, the
// chunks they have received, and their expiry.
//
// Promises: a chunk and the note that it is stored are written together, so
// "stored" never names a missing chunk. The chunks of a large upload
// (kUnloggedUploadBytes) skip RocksDB's write-ahead log, which halves what
// the node writes and checksums per byte; a crash may then lose some of them
// and not their notes (two families, flushed apart), so load() drops the
// notes of such uploads and they resume from chunk 0, and commit_ready()
// flushes their chunks before a commit may name them. A session idle (no POST_BEGIN or
// POST_CHUNK) for the time-out is removed with all its chunks by expire().
// Idle time is measured on the monotonic clock from the last activity seen
// by this process; sessions found in the database at start-up get a full
// time-out from then, so a restart never expires an upload early.
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
    // Resets the idle time of a pending session.
    void touch(const UploadId& upload);
    [[nodiscard]] std::size_t pending_count(std::string_view owner) const;

    [[nodiscard]] Result<bool> has_chunk(const UploadId& upload, std::uint32_t index) const;
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
    // Removes the session and its chunks now.
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
        std::shared_ptr<const UploadSession> session;  // never changed after begin()
    };
    UploadSessions(ImageStore& store, const Clock& clock, std::int64_t timeout_ms);

    ImageStore* store_;
    const Clock* clock_;
    std::int64_t timeout_ms_;
    mutable std::map<UploadId, Activity> pending_;  // find() fills in `session`
};

}  // namespace imgshare::storage
