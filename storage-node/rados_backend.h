// The storage backend on a Ceph RADOS pool (storage_backend.h states the promises; this is
// how RADOS keeps them): several storage nodes share one pool, each with its own backend.
//
// RADOS makes one object's operation atomic and nothing across objects, so a commit or share
// is three single-object steps (docs/STORAGE.md, "The RADOS backend" has the object layout
// and the crash argument):
//   1. stage: the change (record and grants) is written into the image's object as a
//      numbered intent (`stage.<k>`: 0 the post, k the k-th share), guarded by an exclusive
//      create (a post: the name is then held) or a compare on the applied count (a share);
//   2. publish, the commit point: one compare-and-swap on the `feed` object takes the next
//      seq, adds the feed entry and notes `p.<name>.<k> -> seq` (so publishing twice is
//      impossible, whoever retries);
//   3. finish: the image's record, its grants and the upload's `committed` note are written.
// Whoever meets a staged intent (a retry, a reader, another node) rolls it forward through
// steps 2 and 3 — an intent is only staged after every check passed — so a kill -9 at any
// instant leaves either nothing visible or an image that every reader sees whole.
//
// Feed head: read at open, moved by this node's publishes, by the notifies its publishes send
// (at most one per 100 ms, rados_feed_notifier.h) to the watchers of `feed` (every node's
// backend watches it) and by every feed page read.
// Writes are durable when RADOS acknowledges them. A chunk's write alone is begun and not
// waited for (store_chunk), so a burst of POST_CHUNKs has its chunks in flight together;
// sync() waits for them and then writes their notes (one write per upload): a note still
// follows its chunk. chunks_durable() and every reader of chunks or notes wait for them too.
// A RADOS failure is the wrapper's error (rados_errors.h): a timeout is SERVICE_UNAVAILABLE,
// which a client may retry.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage-node/rados/rados_connection.h"
#include "storage-node/rados/rados_pool.h"
#include "storage-node/rados/rados_watch.h"
#include "storage-node/storage_backend.h"

namespace imgshare::storage {

class RadosFeedNotifier;  // rados_feed_notifier.h

class RadosBackend final : public StorageBackend {
  public:
    // Opens the backend on `pool` of `connection`, its objects in `object_namespace` ("" in
    // production; tests use one each). Creates the feed object if missing and watches it.
    // CONFIG for a missing pool; SERVICE_UNAVAILABLE when the cluster does not answer.
    [[nodiscard]] static Result<std::unique_ptr<RadosBackend>> open(
        const rados::RadosConnection& connection, std::string_view pool,
        std::string_view object_namespace = {});

    RadosBackend(const RadosBackend&) = delete;
    RadosBackend& operator=(const RadosBackend&) = delete;
    ~RadosBackend() override;

    // The pool itself: for tests of what is stored (the probe) and for tools.
    [[nodiscard]] const rados::RadosPool& pool() const { return pool_; }

    [[nodiscard]] Result<std::optional<ImageRecord>> image(std::string_view name) const override;
    [[nodiscard]] Result<bool> has_image(std::string_view name) const override;
    [[nodiscard]] Result<std::optional<std::string>> committed_name(
        const UploadId& upload) const override;
    // One read of the upload's object.
    [[nodiscard]] Result<UploadState> upload_state(const UploadId& upload) const override;
    [[nodiscard]] Result<std::optional<Bytes>> grant(std::string_view name,
                                                     std::string_view recipient) const override;
    [[nodiscard]] Result<std::optional<Bytes>> chunk(const UploadId& upload,
                                                     std::uint32_t index) const override;
    [[nodiscard]] std::uint64_t feed_head() const override { return head_->load(); }
    // One read of the `feed` object's head key.
    [[nodiscard]] Result<std::uint64_t> read_feed_head() const override;
    [[nodiscard]] Result<void> visit_feed(std::uint64_t first,
                                          const FeedVisitor& visit) const override;
    [[nodiscard]] Result<ImageRecord> commit(const CommitRecord& commit) override;
    [[nodiscard]] Result<ImageRecord> share(const ShareUpdate& update) override;
    // A fourth kind of step (rados_backend_deletions.cpp): the deletion is noted in
    // `deletions`, the name's published notes go, then the image's object goes in one
    // compare-and-delete (the commit point: no change staged or finished since it was read),
    // then the deletion's feed entry is published once (`x.<upload>`). reclaim_space()
    // removes the chunk objects of noted deletions and publishes the entry of one a crash
    // interrupted, on whichever node runs it.
    [[nodiscard]] Result<std::uint64_t> remove(const ImageRecord& record) override;
    // The owner's controls (rados_backend_controls.cpp): the download count is an omap key
    // of the image's object, moved by compare-and-swap; the expiry index is the omap of
    // `expiries`, written before the commit that needs it and removed after the deletion.
    [[nodiscard]] Result<std::uint32_t> count_download(const ImageRecord& record) override;
    [[nodiscard]] Result<std::uint32_t> downloads(const ImageRecord& record) const override;
    [[nodiscard]] Result<void> visit_expiring(std::int64_t until,
                                              const ExpiryVisitor& visit) const override;
    [[nodiscard]] Result<void> forget_expiry(std::string_view name,
                                             std::int64_t expires_at) override;
    // The `u.<owner>/` keys of the feed object: set by the compare-and-swap that publishes a
    // post (change 0), removed by the one that publishes its deletion (rados_objects.h).
    [[nodiscard]] Result<OwnerUsage> usage(std::string_view owner) const override;
    void reclaim_space() override;
    // Waits for the chunk writes begun, notes the stored ones: the first failure since the
    // last sync(), if any.
    [[nodiscard]] Result<void> sync() override;
    [[nodiscard]] bool has_unsettled_writes() const override {
        return !chunks_in_flight_.empty() || chunk_write_failure_.has_value();
    }

    [[nodiscard]] Result<std::optional<UploadSession>> session(
        const UploadId& upload) const override;
    [[nodiscard]] Result<void> begin_session(const UploadId& upload, const UploadSession& session,
                                             std::uint64_t padded_size) override;
    [[nodiscard]] Result<void> update_session(const UploadId& upload,
                                              const UploadSession& session) override;
    [[nodiscard]] Result<void> visit_sessions(const SessionVisitor& visit) const override;
    [[nodiscard]] Result<void> store_chunk(const UploadId& upload, std::uint32_t index,
                                           ByteView ciphertext, std::int64_t arrived_at,
                                           std::uint64_t padded_size) override;
    // The chunk writes begun, settled: their first failure since the last sync(), if any.
    [[nodiscard]] Result<void> chunks_durable(const UploadId&, std::uint64_t) override;
    [[nodiscard]] Result<bool> has_chunk_note(const UploadId& upload,
                                              std::uint32_t index) const override;
    [[nodiscard]] Result<void> visit_chunk_notes(const UploadId& upload,
                                                 const NoteVisitor& visit) const override;
    [[nodiscard]] Result<void> visit_chunks(const UploadId& upload,
                                            const ChunkVisitor& visit) const override;
    [[nodiscard]] Result<void> repair_chunk_notes(const UploadId& upload,
                                                  const std::vector<std::uint32_t>& add,
                                                  const std::vector<std::uint32_t>& drop,
                                                  std::int64_t noted_at) override;
    [[nodiscard]] Result<void> discard_upload(const UploadId& upload) override;

    // RADOS refuses writes itself when full (STORAGE_FULL per request); there is no stop
    // to lift. Re-watches the feed if the watch was lost, and re-reads its head.
    [[nodiscard]] bool resume_writes() override;

  private:
    explicit RadosBackend(rados::RadosPool pool);

    // The image's current record, after rolling forward every intent staged in its object.
    [[nodiscard]] Result<std::optional<ImageRecord>> settle_image(std::string_view name) const;
    // The same when its object holds more staged changes than one read returns.
    [[nodiscard]] Result<std::optional<ImageRecord>> settle_image_paged(
        std::string_view name) const;
    // The record `data` holds, after rolling forward the staged changes `stages`.
    [[nodiscard]] Result<std::optional<ImageRecord>> settle_from(
        std::string_view name, const Bytes& data, const rados::OmapValues& stages) const;
    // Steps 2 and 3 of change `k` of `name`, staged as `staged` (its stored bytes).
    // `listed`: a post's upload may be in the `uploads` index (it was begun with POST_BEGIN;
    // a POST_IMAGE never is, and its commit saves the index a write).
    [[nodiscard]] Result<ImageRecord> publish_and_finish(std::string_view name, std::uint32_t k,
                                                         const Bytes& staged,
                                                         bool listed = true) const;
    // Step 2: the seq of change `k` of `record` (its name), taking the next one unless it
    // has one; a post (k = 0) enters the owner's usage in the same write.
    [[nodiscard]] Result<std::uint64_t> publish(const ImageRecord& record, std::uint32_t k) const;
    // A feed entry naming `name`, published once under the feed key `once`: its seq. The
    // write that adds it also applies `usage` to the usage index (nothing for a share).
    [[nodiscard]] Result<std::uint64_t> publish_once(std::string_view name,
                                                     const std::string& once,
                                                     const rados::ObjectWrite& usage = {}) const;
    // A deletion's entry (x.<upload>), published once; its write takes the image out of its
    // owner's usage.
    [[nodiscard]] Result<std::uint64_t> publish_deletion(std::string_view name,
                                                         const UploadId& upload) const;
    // One noted deletion's remaining work (reclaim_space), removing at most `budget` chunk
    // objects (less what it removed).
    [[nodiscard]] Result<void> finish_deletion(const std::string& upload_hex,
                                               const Bytes& noted, std::uint32_t& budget);
    // The upload's session and notes end; it is noted as having become `name` (and, when
    // `listed`, leaves the `uploads` index).
    [[nodiscard]] Result<void> finish_upload(const UploadId& upload, std::string_view name,
                                             std::uint32_t chunk_count,
                                             bool listed = true) const;
    // If `upload` has a commit under way, rolls it forward: true if it is committed.
    [[nodiscard]] Result<bool> settle_upload(const UploadId& upload,
                                             const rados::OmapValues& state) const;
    // If the image that `upload`'s session names (its envelope's) was committed from this
    // upload, ends the session as committed: true. A POST_IMAGE of the same envelope
    // commits without noting it in the upload's object (commit()), so a session begun
    // beside it finds out here before it discards the chunks that image needs.
    [[nodiscard]] Result<bool> became_image(const UploadId& upload,
                                            const rados::OmapValues& state) const;
    [[nodiscard]] Result<std::uint32_t> chunk_count_of(const UploadId& upload) const;
    // The usage index of a pool written before it had one (no `usage_index` mark in the
    // feed), built from the images' objects; nothing once it is marked.
    [[nodiscard]] Result<void> build_usage_index() const;
    [[nodiscard]] Result<void> watch_feed();
    // Waits for every chunk write begun and writes the notes of those stored; the first
    // failure is kept for sync() to report. Whatever reads or removes chunks or notes calls
    // it first, so it sees every chunk a POST_CHUNK was answered for.
    void settle_chunk_writes() const;
    void saw_head(std::uint64_t seq) const;

    rados::RadosPool pool_;
    // Shared with the watch's callback, which runs on a librados thread; declared before
    // watch_ so the watch (and its last callback) ends first.
    std::shared_ptr<std::atomic<std::uint64_t>> head_;
    std::shared_ptr<std::atomic<bool>> watch_lost_;
    std::optional<rados::Watch> watch_;
    // Chunks of a noted deletion removed so far by this node (reclaim_space resumes there).
    std::map<std::string, std::uint32_t> chunks_removed_;
    // Chunk writes begun by store_chunk (settle_chunk_writes); declared after pool_, so
    // they end before it goes. Mutable: settling them changes nothing a reader sees.
    struct ChunkInFlight {
        UploadId upload;
        std::uint32_t index = 0;
        std::int64_t arrived_at = 0;
        rados::WriteInFlight write;
    };
    mutable std::vector<ChunkInFlight> chunks_in_flight_;
    mutable std::optional<Error> chunk_write_failure_;
    std::unique_ptr<RadosFeedNotifier> notifier_;  // last: stops before anything it uses goes
};

}  // namespace imgshare::storage
