// Committed images: their records, grants, chunks and the event feed, and who
// may see each one, over any storage backend (storage_backend.h).
//
// Promises: an image is added with its grants, its feed entry and the note of
// the upload it came from in one StorageBackend::commit, so it is visible
// entirely or not at all. Feed seqs are the backend's: unique, increasing,
// never reused. An e2e image is visible only to its owner and recipients; to
// anyone else it is indistinguishable from a name that does not exist.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"
#include "common/protocol/messages.h"
#include "storage-node/feed_tail.h"
#include "storage-node/records.h"
#include "storage-node/storage_backend.h"
#include "storage-node/storage_keys.h"

namespace imgshare::storage {

// A LIST page stops growing at this many encoded bytes of items, so the reply
// stays well inside kMaxFrameBytes even when every item lists 64 recipients.
inline constexpr std::size_t kMaxListReplyBytes = 512 * 1024;

// Escrow images are visible to every registered user; e2e images to their
// owner and recipients.
[[nodiscard]] bool visible_to(const ImageRecord& record, std::string_view user);

// Whether feed entry `seq` of `record` announces the image to `user`, so that
// each reader meets each image once in the feed: the post's entry to everyone
// it is visible to except the recipients a later SHARE added; the entry of the
// last share that added a recipient (one revoked and added again is added
// twice) to that recipient.
[[nodiscard]] bool announced_to(const ImageRecord& record, std::uint64_t seq,
                                std::string_view user);

// Whether the image has stopped being served at `now_seconds` (record.expires_at).
[[nodiscard]] bool expired(const ImageRecord& record, std::int64_t now_seconds);

// A committed record as the catalog holds it: shared, never changed in place
// (a commit or share replaces it), so readers on the LIST and GET_CHUNK paths
// need not copy its certificate and envelope.
using SharedRecord = std::shared_ptr<const ImageRecord>;

class ImageCatalog {
  public:
    // `list_scan_budget`: at most this many feed entries are examined per
    // list() (at least `limit`), so one LIST costs bounded work however many
    // invisible entries it must skip. `list_reply_bytes`: a page stops growing
    // at this many encoded bytes of items (one item at least). `backend` must
    // outlive the catalog.
    [[nodiscard]] static Result<ImageCatalog> load(
        StorageBackend& backend, std::uint32_t list_scan_budget,
        std::size_t list_reply_bytes = kMaxListReplyBytes);

    // The record of `name`, null if there is none. The most recently read or
    // committed records are kept decoded in memory (at most kCachedRecords; one
    // that another node's feed entry names is read again, catch_up() below):
    // LIST reads one record per feed entry and each GET_CHUNK reads its
    // image's record, and decoding them from the store every time was most of
    // the node's work for LIST.
    [[nodiscard]] Result<SharedRecord> find(std::string_view name) const;
    // The same, read from the store whatever is cached: before a refusal that a change on
    // another node, not yet seen here, may have lifted (a SHARE that adds the reader).
    [[nodiscard]] Result<SharedRecord> find_stored(std::string_view name) const;
    static constexpr std::size_t kCachedRecords = 1024;
    // And at most this many bytes of envelopes and certificates: a v2 envelope carries a
    // thumbnail of up to 48 KiB, and 1024 of those would be 50 MiB.
    static constexpr std::size_t kCachedRecordBytes = 16u * 1024 * 1024;
    [[nodiscard]] Result<bool> contains(std::string_view name) const;
    // The name of the image committed from `upload`, if there is one.
    [[nodiscard]] Result<std::optional<std::string>> committed_name(const UploadId& upload) const;
    // That name, or whether `upload` is pending instead, in one look at the store
    // (StorageBackend::upload_state).
    [[nodiscard]] Result<StorageBackend::UploadState> upload_state(const UploadId& upload) const;

    // Commits the image (StorageBackend::commit: record, grants, feed entry
    // and the upload's note at once, under the next seq); returns the record
    // as stored. NAME_TAKEN when another upload holds the name. Durable once
    // the backend's next sync() has returned.
    [[nodiscard]] Result<ImageRecord> commit(const CommitRecord& commit);

    // A SHARE: `record` with the new envelope, signature and recipients, the
    // grants of the added readers, the removed readers' grants gone and the
    // share noted under its own feed entry (StorageBackend::share). Returns the
    // record as stored; durable as a commit.
    [[nodiscard]] Result<ImageRecord> share(ImageRecord record, Bytes envelope, Bytes signature,
                                            std::vector<std::string> recipients,
                                            const std::vector<Grant>& added_grants,
                                            std::vector<std::string> removed);

    // One complete download of `record`, an image with a download limit
    // (StorageBackend::count_download): the count with it, or NOT_FOUND once
    // the limit was reached.
    [[nodiscard]] Result<std::uint32_t> count_download(const ImageRecord& record);
    // The complete downloads counted for `record` so far.
    [[nodiscard]] Result<std::uint32_t> downloads(const ImageRecord& record) const;

    // An owner's DELETE of `record` (checked by the caller): StorageBackend::remove, whose
    // feed entry joins the tail and after which no cached copy of the record answers.
    // NOT_FOUND when the name no longer holds that image. Durable as a commit.
    // Returns the deletion's feed entry.
    [[nodiscard]] Result<std::uint64_t> remove(const ImageRecord& record);

    [[nodiscard]] Result<std::optional<Bytes>> grant(std::string_view name,
                                                     std::string_view recipient) const;
    // The stored ciphertext of chunk `index` (< record.chunk_count); NOT_FOUND if the
    // image was deleted meanwhile (by another node sharing the store), INTERNAL if it is
    // missing otherwise, which only a damaged database can cause.
    [[nodiscard]] Result<Bytes> chunk(const ImageRecord& record, std::uint32_t index) const;

    // The feed entries announced to `user` with seq > after_seq, in feed order
    // (announced_to), each with its entry's seq, but for images expired at
    // `now_seconds` or out of downloads (each with its expiry and the downloads
    // it has left): at most min(limit,
    // kMaxListLimit) items and list_reply_bytes of them. last_seq is the last
    // entry examined (or after_seq), more whether the feed has entries beyond it.
    // A LIST from within the newest kFeedTailEntries entries reads them from
    // memory (feed_tail.h) while the tail holds the backend's feed head, one
    // from further back (or when the feed moved on without this node: a store
    // several nodes share) from the backend; both give the same page.
    [[nodiscard]] Result<ListReply> list(std::string_view user, std::uint64_t after_seq,
                                         std::uint32_t limit, std::int64_t now_seconds) const;
    static constexpr std::size_t kFeedTailEntries = 4096;

  private:
    // find() without catch_up(): for list(), which walks the tail catch_up() moves.
    [[nodiscard]] Result<SharedRecord> find_record(std::string_view name) const;
    void remember(SharedRecord record) const;
    // Entries other nodes sharing the store added since the tail's newest (the backend's
    // feed head moved past it): they join the tail, and the records they name leave the
    // cache (a SHARE there changed them). Nothing to do on a store only this node writes.
    [[nodiscard]] Result<void> catch_up() const;
    // A commit or share written: its feed entry joins the tail, its record the cache.
    void committed(const ImageRecord& record);
    // An entry this node wrote: it joins the tail if it is the next; after other nodes'
    // entries, the next catch_up() reads it with them.
    void appended(std::uint64_t seq, const std::string& name);

    // Lookups by string_view without building a std::string per lookup.
    struct NameHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view name) const noexcept {
            return std::hash<std::string_view>{}(name);
        }
    };

    ImageCatalog(StorageBackend& backend, std::uint32_t list_scan_budget,
                 std::size_t list_reply_bytes);

    StorageBackend* backend_;
    std::uint32_t list_scan_budget_;
    std::size_t list_reply_bytes_;
    // The newest feed entries: committed through this catalog, or read by catch_up().
    mutable FeedTail tail_;
    // Records change through committed(), which refreshes its entry, and through other
    // nodes' commits and shares, whose feed entries catch_up() drops it for.
    mutable std::unordered_map<std::string, SharedRecord, NameHash, std::equal_to<>> cache_;
    // What remember() put in cache_ since it was last cleared (never less than what is in it:
    // catch_up()'s erasures are not subtracted, they only bring the next clear sooner).
    mutable std::size_t cached_bytes_ = 0;
};

}  // namespace imgshare::storage
