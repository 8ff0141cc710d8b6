// The storage backend seam: everything the storage node keeps, as domain
// operations a store can honour whatever it is. The handlers, validation, the
// feed's LIST logic and the catalog's visibility rules are one copy above it
// (storage_service.h, image_catalog.h, upload_sessions.h); below it is one
// implementation per store, chosen at start (backend_choice.h): RocksDB
// (rocksdb_backend.h, the default) and Ceph RADOS (rados_backend.h; docs/STORAGE.md,
// "The RADOS backend").
//
// Written for the weakest atomicity a backend may have: RADOS makes one
// object's operation all-or-nothing and nothing across objects. So the commit
// is one domain value (CommitRecord), not a batch of keys, and every promise
// below is about what a reader through this interface sees.
//
// Promises, for every implementation:
// - Atomic visibility. commit() makes the image record, its grants, its feed
//   entry and the note that its upload became this image visible together:
//   a reader (image, grant, visit_feed, committed_name) sees all of them or
//   none, whatever instant the process is killed at. share() likewise for the
//   new record, the added grants and the share's feed entry.
// - Names are unique: commit() of a name that another upload holds is
//   NAME_TAKEN and changes nothing. commit() of an upload already committed
//   (a retry, here or on another node) changes nothing and returns the record
//   as stored.
// - Sequence numbers are the backend's: every feed entry gets the next seq,
//   unique and increasing, across every node sharing the store; once a seq is
//   visible no smaller one appears later.
// - Durability: a commit or share is durable once sync() has returned after
//   it (a backend whose writes are durable when acknowledged makes sync() a
//   no-op). The caller must not acknowledge a commit, nor answer anything that
//   shows it, before that sync (StorageService's group commit does this).
// - Pending uploads live in the store, not in a node's memory: session(),
//   visit_sessions() and the chunk notes let any node, or this one after a
//   restart, pick an upload up. Callers may cache, but the store is the truth.
// - A crash before a commit may leave a pending upload's chunk notes out of
//   step with its chunks (a chunk without its note, or a note without its
//   chunk: they may be written apart). The caller reconciles them before it
//   relies on them (UploadSessions::recover); nothing committed is affected.
// - Usage follows the images: usage(owner) counts exactly the images of
//   `owner` that commit() made visible and remove() has not removed (their
//   padded sizes), kept by the store with them atomically, so it is the same
//   after a restart and on every node sharing the store.
// - Failures are values: a full store STORAGE_FULL, a failing one IO_ERROR, a
//   damaged record INTERNAL, with messages that name no server file. Values
//   read back are decoded as untrusted input.
// - What is the store's own business stays below: RocksDB's write-ahead log
//   modes, flushes, compactions and its write stop on a full disk.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"
#include "common/protocol/messages.h"
#include "storage-node/records.h"
#include "storage-node/storage_keys.h"

namespace imgshare::storage {

// What commit() makes visible at once.
struct CommitRecord {
    // The image; `seq` is ignored (the backend assigns it), `upload` names the
    // upload whose chunks it is.
    ImageRecord record;
    std::vector<Grant> grants;  // e2e: one sealed key per reader; escrow: none
    // POST_IMAGE: the image's only chunk, stored with the commit (no session
    // ever existed). Otherwise empty: the upload's chunks are stored already,
    // and its session and chunk notes end with the commit.
    std::optional<ByteView> only_chunk;
};

// What share() makes visible at once: `record` as it is to become, whose last
// entry in `shares` is the new share (its seq is assigned by the backend), the
// grants of the readers that share adds, and the end of the grants of the
// readers it removes (the share's `removed`).
struct ShareUpdate {
    ImageRecord record;
    std::vector<Grant> added_grants;
};

// What one owner's committed images take in the store.
struct OwnerUsage {
    std::uint64_t bytes = 0;   // the sum of their padded sizes (the envelopes' padded_size)
    std::uint64_t images = 0;  // how many

    // Counts one entry of a backend's usage index: an image whose padded size is stored
    // as `stored` (u64be). INTERNAL when it does not decode.
    [[nodiscard]] Result<void> add_stored(std::string_view stored) {
        auto size = decode_u64(stored);
        if (!size) return fail(ErrorCode::INTERNAL, "stored usage index is unreadable");
        bytes += *size;
        ++images;
        return {};
    }
    bool operator==(const OwnerUsage&) const = default;
};

class StorageBackend {
  public:
    virtual ~StorageBackend() = default;

    // --- Committed images -------------------------------------------------

    // The record of `name`, nullopt if none. INTERNAL when it does not decode.
    [[nodiscard]] virtual Result<std::optional<ImageRecord>> image(std::string_view name) const = 0;
    // Whether `name` is held: by a visible image, or (a backend that commits in
    // steps) by a commit under way. A commit of another upload would be NAME_TAKEN.
    [[nodiscard]] virtual Result<bool> has_image(std::string_view name) const = 0;
    // The name of the image `upload` became, nullopt if it is not committed.
    [[nodiscard]] virtual Result<std::optional<std::string>> committed_name(
        const UploadId& upload) const = 0;
    // What `upload` is now: the name of the image it became (as committed_name()), or
    // whether it is pending (a session() exists). POST_IMAGE asks both; a backend that keeps
    // them in one place answers with one read.
    struct UploadState {
        std::optional<std::string> committed_name;
        bool pending = false;
    };
    [[nodiscard]] virtual Result<UploadState> upload_state(const UploadId& upload) const {
        auto name = committed_name(upload);
        if (!name) return std::unexpected(std::move(name.error()));
        if (*name) return UploadState{std::move(*name), false};
        auto pending = session(upload);
        if (!pending) return std::unexpected(std::move(pending.error()));
        return UploadState{std::nullopt, pending->has_value()};
    }
    // The sealed key of `recipient` for e2e image `name`, nullopt if none.
    [[nodiscard]] virtual Result<std::optional<Bytes>> grant(std::string_view name,
                                                             std::string_view recipient) const = 0;
    // Stored chunk `index` of `upload` (pending or committed), nullopt if none.
    [[nodiscard]] virtual Result<std::optional<Bytes>> chunk(const UploadId& upload,
                                                             std::uint32_t index) const = 0;

    // The newest feed seq this backend knows of (0: none): every commit and
    // share through it, and, for a store several nodes share, those it has
    // been told of. A feed entry at or below it is visible through visit_feed.
    [[nodiscard]] virtual std::uint64_t feed_head() const = 0;
    // The feed head as the store holds it now, and feed_head() at least that from then on: for
    // a store several nodes share, read from it (another node's commit is in it before that
    // node answers, while news of it may still be on its way here); feed_head() otherwise.
    // What LIST starts from, so a reader lists every image committed before it asked,
    // whichever node committed it.
    [[nodiscard]] virtual Result<std::uint64_t> read_feed_head() const { return feed_head(); }
    // Calls visit(seq, name) on each feed entry with seq >= first, in order,
    // until it returns false.
    using FeedVisitor = std::function<bool(std::uint64_t seq, std::string_view name)>;
    [[nodiscard]] virtual Result<void> visit_feed(std::uint64_t first,
                                                  const FeedVisitor& visit) const = 0;

    // Makes `commit` visible atomically under the next seq (above); returns the
    // record as stored. NAME_TAKEN when another upload holds the name. Durable
    // after the next sync().
    [[nodiscard]] virtual Result<ImageRecord> commit(const CommitRecord& commit) = 0;
    // Makes `update` visible atomically under the next seq; returns the record
    // as stored. Durable after the next sync().
    [[nodiscard]] virtual Result<ImageRecord> share(const ShareUpdate& update) = 0;
    // Deletes image `record` (an owner's DELETE, checked above): its record,
    // grants and chunks go at once for every reader (image, has_image, grant,
    // chunk and visit_feed's readers see none of it, whatever instant the
    // process is killed at: the image is whole or gone), and a feed entry
    // naming it is added under the next seq, so that every node sharing the
    // store drops what it cached of it. The name may then be committed again;
    // the upload's committed note stays, naming an image that is gone.
    // Returns the entry's seq. NOT_FOUND when the name holds no image, or
    // another upload's. Durable after the next sync(). The chunks' space comes
    // back with reclaim_space().
    [[nodiscard]] virtual Result<std::uint64_t> remove(const ImageRecord& record) = 0;
    // One complete download of `record` (whose max_downloads is set): counts it
    // unless the image has served max_downloads already, atomically across every
    // node sharing the store, so that no more than max_downloads are ever
    // counted. Returns the count with this one; NOT_FOUND when the limit was
    // reached or the image is gone. The count belongs to this upload of the name
    // and goes with the image. Durable after the next sync().
    [[nodiscard]] virtual Result<std::uint32_t> count_download(const ImageRecord& record) = 0;
    // The complete downloads counted for `record` so far (0 when none, or gone).
    [[nodiscard]] virtual Result<std::uint32_t> downloads(const ImageRecord& record) const = 0;

    // Images whose expires_at is at or before `until`, earliest first, from an
    // index commit() adds to for every record with expires_at set and remove()
    // takes from: visit(name, expires_at) until it returns false. The index may
    // name an image that is gone or another upload's (a crash between its writes on
    // a store without cross-object atomicity): the caller checks the record and
    // forgets such an entry.
    using ExpiryVisitor = std::function<bool(std::string_view name, std::int64_t expires_at)>;
    [[nodiscard]] virtual Result<void> visit_expiring(std::int64_t until,
                                                      const ExpiryVisitor& visit) const = 0;
    [[nodiscard]] virtual Result<void> forget_expiry(std::string_view name,
                                                     std::int64_t expires_at) = 0;

    // The committed images of `owner` (above: "Usage follows the images"): an
    // index read by one prefix scan, not a walk of the images.
    [[nodiscard]] virtual Result<OwnerUsage> usage(std::string_view owner) const = 0;
    // Makes every commit, share and chunk written before it durable (one
    // fsync for a burst: group commit), and reports the chunk writes begun in
    // the background (store_chunk): their first failure, if any.
    [[nodiscard]] virtual Result<void> sync() = 0;
    // Whether store_chunk() began writes whose outcome sync() has yet to report.
    // While it is true the caller sends no answer that depends on them.
    [[nodiscard]] virtual bool has_unsettled_writes() const { return false; }

    // --- Pending uploads --------------------------------------------------

    // The session of a pending upload, nullopt if none. INTERNAL when it does
    // not decode.
    [[nodiscard]] virtual Result<std::optional<UploadSession>> session(
        const UploadId& upload) const = 0;
    // Stores the session of a new pending upload of `padded_size` bytes. It is
    // on stable storage before any of its chunks can be, so a crash never
    // leaves chunks without the session that expires them.
    [[nodiscard]] virtual Result<void> begin_session(const UploadId& upload,
                                                     const UploadSession& session,
                                                     std::uint64_t padded_size) = 0;
    // Replaces the session of a pending upload (a resume moves its
    // touched_at). Durable with the next sync(); losing it in a crash only
    // makes the upload's time-out count from an earlier activity.
    [[nodiscard]] virtual Result<void> update_session(const UploadId& upload,
                                                      const UploadSession& session) = 0;
    // Every pending upload: its id, its session (or why it does not decode:
    // it must still expire) and the latest Unix second a chunk of it arrived
    // (0 if none).
    using SessionVisitor = std::function<void(const UploadId& upload,
                                              Result<UploadSession> session,
                                              std::int64_t last_chunk_at)>;
    [[nodiscard]] virtual Result<void> visit_sessions(const SessionVisitor& visit) const = 0;

    // Stores chunk `index` of pending upload `upload` (of `padded_size` bytes)
    // with its note saying it arrived at `arrived_at` (Unix seconds). The note
    // never names a chunk that was not stored, until a crash (above). Durable
    // with the next sync(), or, for a large upload a backend writes apart,
    // with chunks_durable(). A backend may begin the write and return before it
    // ended (RADOS: several chunks in flight at once): then it notes the chunk
    // once stored, has_unsettled_writes() is true until sync() reported it, and
    // has_chunk_note() already counts it, so a repeat of it is not written twice.
    [[nodiscard]] virtual Result<void> store_chunk(const UploadId& upload, std::uint32_t index,
                                                   ByteView ciphertext, std::int64_t arrived_at,
                                                   std::uint64_t padded_size) = 0;
    // Makes every chunk of `upload` stored so far durable: call it before the
    // commit that names them.
    [[nodiscard]] virtual Result<void> chunks_durable(const UploadId& upload,
                                                      std::uint64_t padded_size) = 0;
    // Whether chunk `index` of `upload` is noted as stored.
    [[nodiscard]] virtual Result<bool> has_chunk_note(const UploadId& upload,
                                                      std::uint32_t index) const = 0;
    // Calls visit(index) on each chunk note of `upload`, in index order, until
    // it returns false.
    using NoteVisitor = std::function<bool(std::uint32_t index)>;
    [[nodiscard]] virtual Result<void> visit_chunk_notes(const UploadId& upload,
                                                         const NoteVisitor& visit) const = 0;
    // Calls visit(index, ciphertext) on each stored chunk of `upload`, in index
    // order, until it returns false; reads in bulk, without filling caches.
    using ChunkVisitor = std::function<bool(std::uint32_t index, ByteView ciphertext)>;
    [[nodiscard]] virtual Result<void> visit_chunks(const UploadId& upload,
                                                    const ChunkVisitor& visit) const = 0;
    // Notes chunks `add` of `upload` as arrived at `noted_at` and removes the
    // notes of `drop`: the reconciliation after a crash.
    [[nodiscard]] virtual Result<void> repair_chunk_notes(const UploadId& upload,
                                                          const std::vector<std::uint32_t>& add,
                                                          const std::vector<std::uint32_t>& drop,
                                                          std::int64_t noted_at) = 0;
    // Removes a pending upload now: its session, notes and chunks, and gives
    // their space back as far as the store can.
    [[nodiscard]] virtual Result<void> discard_upload(const UploadId& upload) = 0;

    // --- Housekeeping -----------------------------------------------------

    // Gives back the space of images removed so far, as far as the store can
    // (a compaction, the removal of their chunk objects): work kept off the
    // request path. Call it about once a second. A crash before it loses no
    // correctness: what is removed stays unreadable, and the backend finishes
    // the work, or the store's own compactions do, later.
    virtual void reclaim_space() = 0;

    // Whether the store takes writes now. While it does not (a full disk), tries
    // once to make it take them again; call it about once a second.
    [[nodiscard]] virtual bool resume_writes() = 0;
};

}  // namespace imgshare::storage
