#include "storage-node/image_catalog.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace imgshare::storage {

namespace {

bool names_include(const std::vector<std::string>& names, std::string_view name) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

// The highest seq the record holds: its post's or its last share's.
std::uint64_t latest_seq(const ImageRecord& record) {
    return record.shares.empty() ? record.seq : std::max(record.seq, record.shares.back().seq);
}

ImageSummary summary_of(const ImageRecord& image, std::uint64_t seq) {
    ImageSummary summary{image.name, image.owner, seq, image.size, image.created_at, image.mode};
    if (image.mode == kEndToEndMode) summary.recipients = image.recipients;
    if (image.expires_at != 0) summary.expires_at = image.expires_at;
    return summary;
}

}  // namespace

bool visible_to(const ImageRecord& record, std::string_view user) {
    if (record.mode == kEscrowMode) return true;
    return record.owner == user || names_include(record.recipients, user);
}

bool announced_to(const ImageRecord& record, std::uint64_t seq, std::string_view user) {
    if (!visible_to(record, user)) return false;
    auto last_added = std::find_if(
        record.shares.rbegin(), record.shares.rend(),
        [&](const ShareRecord& share) { return names_include(share.added, user); });
    if (last_added == record.shares.rend()) return seq == record.seq;
    return seq == last_added->seq;
}

bool expired(const ImageRecord& record, std::int64_t now_seconds) {
    return record.expires_at != 0 && now_seconds >= record.expires_at;
}

ImageCatalog::ImageCatalog(StorageBackend& backend, std::uint32_t list_scan_budget,
                           std::size_t list_reply_bytes)
    : backend_(&backend),
      list_scan_budget_(list_scan_budget),
      list_reply_bytes_(list_reply_bytes),
      tail_(backend.feed_head(), kFeedTailEntries) {}

Result<ImageCatalog> ImageCatalog::load(StorageBackend& backend, std::uint32_t list_scan_budget,
                                        std::size_t list_reply_bytes) {
    return ImageCatalog(backend, list_scan_budget, list_reply_bytes);
}

Result<SharedRecord> ImageCatalog::find(std::string_view name) const {
    if (auto caught_up = catch_up(); !caught_up) return std::unexpected(caught_up.error());
    return find_record(name);
}

Result<void> ImageCatalog::catch_up() const {
    const auto head = backend_->feed_head();
    if (head <= tail_.last_seq()) return {};
    if (head - tail_.last_seq() > kFeedTailEntries) {
        // Far behind (a node that was cut off): start again at the head.
        cache_.clear();
        tail_ = FeedTail(head, kFeedTailEntries);
        return {};
    }
    return backend_->visit_feed(tail_.last_seq() + 1, [&](std::uint64_t seq, std::string_view name) {
        if (auto cached = cache_.find(name); cached != cache_.end()) cache_.erase(cached);
        tail_.append(seq, name);
        return true;
    });
}

Result<SharedRecord> ImageCatalog::find_stored(std::string_view name) const {
    if (auto cached = cache_.find(name); cached != cache_.end()) cache_.erase(cached);
    return find(name);
}

Result<SharedRecord> ImageCatalog::find_record(std::string_view name) const {
    if (auto cached = cache_.find(name); cached != cache_.end()) return cached->second;
    auto stored = backend_->image(name);
    if (!stored) return std::unexpected(std::move(stored.error()));
    if (!*stored) return SharedRecord();
    auto shared = std::make_shared<const ImageRecord>(std::move(**stored));
    remember(shared);
    return shared;
}

void ImageCatalog::remember(SharedRecord record) const {
    // Crude but bounded: a full cache starts again rather than tracking use.
    const std::size_t bytes = record->envelope.size() + record->certificate.size() +
                              record->name.size() + sizeof(ImageRecord);
    if ((cache_.size() >= kCachedRecords || cached_bytes_ + bytes > kCachedRecordBytes) &&
        !cache_.contains(record->name)) {
        cache_.clear();
        cached_bytes_ = 0;
    }
    cached_bytes_ += bytes;
    auto name = record->name;
    cache_.insert_or_assign(std::move(name), std::move(record));
}

Result<bool> ImageCatalog::contains(std::string_view name) const {
    return backend_->has_image(name);
}

Result<std::optional<std::string>> ImageCatalog::committed_name(const UploadId& upload) const {
    return backend_->committed_name(upload);
}

Result<StorageBackend::UploadState> ImageCatalog::upload_state(const UploadId& upload) const {
    return backend_->upload_state(upload);
}

Result<ImageRecord> ImageCatalog::commit(const CommitRecord& commit) {
    auto record = backend_->commit(commit);
    if (record) committed(*record);
    return record;
}

Result<ImageRecord> ImageCatalog::share(ImageRecord record, Bytes envelope, Bytes signature,
                                        std::vector<std::string> recipients,
                                        const std::vector<Grant>& added_grants,
                                        std::vector<std::string> removed) {
    ShareRecord share{0, {}, std::move(removed)};  // its seq is the backend's to assign
    for (const auto& grant : added_grants)
        share.added.push_back(grant.recipient);
    std::sort(share.added.begin(), share.added.end());
    std::sort(share.removed.begin(), share.removed.end());
    record.envelope = std::move(envelope);
    record.signature = std::move(signature);
    record.recipients = std::move(recipients);
    record.shares.push_back(std::move(share));
    auto shared = backend_->share(ShareUpdate{std::move(record), added_grants});
    if (shared) committed(*shared);
    return shared;
}

void ImageCatalog::committed(const ImageRecord& record) {
    // Each commit and share adds one feed entry, the record's latest seq. A retried commit
    // answered with the stored record adds none. Other nodes' entries before it come first.
    appended(latest_seq(record), record.name);
    remember(std::make_shared<const ImageRecord>(record));
}

void ImageCatalog::appended(std::uint64_t seq, const std::string& name) {
    // Other nodes' entries came between: the tail waits for the next catch_up(), before the
    // next lookup or LIST, which reads them and this one with them. Reading them here cost
    // every post a read of the feed object, the one every node's commit writes.
    if (seq == tail_.last_seq() + 1) tail_.append(seq, name);
}

Result<std::uint64_t> ImageCatalog::remove(const ImageRecord& record) {
    auto seq = backend_->remove(record);
    cache_.erase(record.name);
    if (!seq) return std::unexpected(std::move(seq.error()));
    appended(*seq, record.name);
    return *seq;
}

Result<std::uint32_t> ImageCatalog::count_download(const ImageRecord& record) {
    return backend_->count_download(record);
}

Result<std::uint32_t> ImageCatalog::downloads(const ImageRecord& record) const {
    return backend_->downloads(record);
}

Result<std::optional<Bytes>> ImageCatalog::grant(std::string_view name,
                                                 std::string_view recipient) const {
    return backend_->grant(name, recipient);
}

Result<Bytes> ImageCatalog::chunk(const ImageRecord& record, std::uint32_t index) const {
    auto upload = UploadId::from_key(as_string(record.upload));
    auto stored = backend_->chunk(*upload, index);
    if (!stored) return std::unexpected(std::move(stored.error()));
    if (!*stored) {
        // Deleted since its record was read (a DELETE on another node): as if never found.
        auto now = backend_->image(record.name);
        if (now && (!*now || (*now)->upload != record.upload)) {
            cache_.erase(record.name);
            return fail(ErrorCode::NOT_FOUND, "no such image");
        }
        return fail(ErrorCode::INTERNAL,
                    fmt::format("chunk {} of a committed image is missing from the store", index));
    }
    return std::move(**stored);
}

Result<ListReply> ImageCatalog::list(std::string_view user, std::uint64_t after_seq,
                                     std::uint32_t limit, std::int64_t now_seconds) const {
    limit = std::min(limit, kMaxListLimit);
    const std::uint32_t budget = std::max(limit, list_scan_budget_);
    ListReply reply;
    reply.last_seq = after_seq;
    if (after_seq == UINT64_MAX) return reply;
    // From the store's head, not only the one this node has heard of: an image another node
    // committed before this LIST is listed (docs/STORAGE.md, "The catalog follows other nodes").
    if (auto head = backend_->read_feed_head(); !head) return std::unexpected(head.error());
    if (auto caught_up = catch_up(); !caught_up) return std::unexpected(caught_up.error());
    std::uint32_t examined = 0;
    std::size_t reply_bytes = 0;
    std::optional<Error> problem;
    auto visit = [&](std::uint64_t seq, std::string_view name) {
        if (reply.items.size() >= limit || examined >= budget) {
            reply.more = true;
            return false;
        }
        auto record = find_record(name);
        if (!record) {
            problem = std::move(record.error());
            return false;
        }
        // A deleted image's entries name a missing image, or the image posted under its
        // name since, to which they do not belong (announced_to).
        if (*record && announced_to(**record, seq, user) && !expired(**record, now_seconds)) {
            auto summary = summary_of(**record, seq);
            if ((*record)->max_downloads != 0) {
                auto counted = backend_->downloads(**record);
                if (!counted) {
                    problem = std::move(counted.error());
                    return false;
                }
                const auto limit_of = (*record)->max_downloads;
                summary.downloads_left = *counted >= limit_of ? 0 : limit_of - *counted;
            }
            if (summary.downloads_left == 0u) {
                ++examined;  // out of downloads: as good as gone
                reply.last_seq = seq;
                return true;
            }
            reply_bytes += encoded_size(summary);
            if (reply_bytes > list_reply_bytes_ && !reply.items.empty()) {
                // Full: this entry starts the next page.
                reply.more = true;
                return false;
            }
            reply.items.push_back(std::move(summary));
        }
        ++examined;
        reply.last_seq = seq;
        return true;
    };
    // The tail answers only while it holds the feed's head: on a store other nodes commit
    // to as well, entries it has not seen come from the backend.
    if (tail_.covers(after_seq + 1) && tail_.last_seq() == backend_->feed_head()) {
        tail_.visit_from(after_seq + 1, visit);
        if (problem) return std::unexpected(std::move(*problem));
        return reply;
    }
    auto scanned = backend_->visit_feed(after_seq + 1, visit);
    if (!scanned) return std::unexpected(std::move(scanned.error()));
    if (problem) return std::unexpected(std::move(*problem));
    return reply;
}

}  // namespace imgshare::storage
