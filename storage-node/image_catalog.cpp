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
    return summary;
}

}  // namespace

bool visible_to(const ImageRecord& record, std::string_view user) {
    if (record.mode == kEscrowMode) return true;
    return record.owner == user || names_include(record.recipients, user);
}

bool announced_to(const ImageRecord& record, std::uint64_t seq, std::string_view user) {
    if (!visible_to(record, user)) return false;
    if (seq == record.seq) {
        return std::none_of(
            record.shares.begin(), record.shares.end(),
            [&](const ShareRecord& share) { return names_include(share.added, user); });
    }
    return std::any_of(record.shares.begin(), record.shares.end(), [&](const ShareRecord& share) {
        return share.seq == seq && names_include(share.added, user);
    });
}

ImageCatalog::ImageCatalog(ImageStore& store, std::uint32_t list_scan_budget,
                           std::size_t list_reply_bytes, std::uint64_t last_seq)
    : store_(&store),
      list_scan_budget_(list_scan_budget),
      list_reply_bytes_(list_reply_bytes),
      tail_(last_seq, kFeedTailEntries) {}

Result<ImageCatalog> ImageCatalog::load(ImageStore& store, std::uint32_t list_scan_budget,
                                        std::size_t list_reply_bytes) {
    auto counter = store.get(Family::meta, kLastSeqKey);
    if (!counter) return std::unexpected(std::move(counter.error()));
    std::uint64_t last_seq = 0;
    if (*counter) {
        auto value = decode_u64(as_string(**counter));
        if (!value) return fail(ErrorCode::INTERNAL, "stored last_seq is unreadable");
        last_seq = *value;
    }
    // The counter and the feed are written in one batch; trust neither alone.
    auto last_entry = store.last_key(Family::feed);
    if (!last_entry) return std::unexpected(std::move(last_entry.error()));
    if (*last_entry) {
        auto seq = seq_of_feed_key(**last_entry);
        if (!seq) return fail(ErrorCode::INTERNAL, "stored feed key is unreadable");
        last_seq = std::max(last_seq, *seq);
    }
    return ImageCatalog(store, list_scan_budget, list_reply_bytes, last_seq);
}

Result<SharedRecord> ImageCatalog::find(std::string_view name) const {
    if (auto cached = cache_.find(name); cached != cache_.end()) return cached->second;
    auto stored = store_->get(Family::images, name);
    if (!stored) return std::unexpected(std::move(stored.error()));
    if (!*stored) return SharedRecord();
    auto record = decode_image_record(**stored);
    if (!record) return std::unexpected(std::move(record.error()));
    auto shared = std::make_shared<const ImageRecord>(std::move(*record));
    remember(shared);
    return shared;
}

void ImageCatalog::remember(SharedRecord record) const {
    // Crude but bounded: a full cache starts again rather than tracking use.
    if (cache_.size() >= kCachedRecords && !cache_.contains(record->name)) cache_.clear();
    auto name = record->name;
    cache_.insert_or_assign(std::move(name), std::move(record));
}

Result<bool> ImageCatalog::contains(std::string_view name) const {
    return store_->contains(Family::images, name);
}

Result<std::optional<std::string>> ImageCatalog::committed_name(const UploadId& upload) const {
    auto stored = store_->get(Family::meta, committed_upload_key(upload));
    if (!stored) return std::unexpected(std::move(stored.error()));
    if (!*stored) return std::optional<std::string>();
    return std::optional<std::string>(std::string(as_string(**stored)));
}

ImageRecord ImageCatalog::add_in(Batch& batch, ImageRecord record,
                                 const std::vector<Grant>& grants) const {
    record.seq = last_seq() + 1;
    batch.put(Family::images, record.name, encode_record(record));
    for (const auto& grant : grants) {
        batch.put(Family::grants, grant_key(record.name, grant.recipient), grant.sealed_key);
    }
    batch.put(Family::feed, feed_key(record.seq), record.name);
    batch.put(Family::meta, kLastSeqKey, encode_u64(record.seq));
    auto upload = UploadId::from_key(as_string(record.upload));
    batch.put(Family::meta, committed_upload_key(*upload), record.name);
    return record;
}

void ImageCatalog::committed(const ImageRecord& record) {
    // Each commit and share adds one feed entry, the record's latest seq.
    tail_.append(latest_seq(record), record.name);
    remember(std::make_shared<const ImageRecord>(record));
}

ImageRecord ImageCatalog::share_in(Batch& batch, ImageRecord record, Bytes envelope,
                                   Bytes signature, std::vector<std::string> recipients,
                                   const std::vector<Grant>& added_grants) const {
    ShareRecord share{last_seq() + 1, {}};
    for (const auto& grant : added_grants) {
        batch.put(Family::grants, grant_key(record.name, grant.recipient), grant.sealed_key);
        share.added.push_back(grant.recipient);
    }
    std::sort(share.added.begin(), share.added.end());
    record.envelope = std::move(envelope);
    record.signature = std::move(signature);
    record.recipients = std::move(recipients);
    batch.put(Family::feed, feed_key(share.seq), record.name);
    batch.put(Family::meta, kLastSeqKey, encode_u64(share.seq));
    record.shares.push_back(std::move(share));
    batch.put(Family::images, record.name, encode_record(record));
    return record;
}

Result<std::optional<Bytes>> ImageCatalog::grant(std::string_view name,
                                                 std::string_view recipient) const {
    return store_->get(Family::grants, grant_key(name, recipient));
}

Result<Bytes> ImageCatalog::chunk(const ImageRecord& record, std::uint32_t index) const {
    auto upload = UploadId::from_key(as_string(record.upload));
    auto stored = store_->get(Family::chunks, chunk_key(*upload, index));
    if (!stored) return std::unexpected(std::move(stored.error()));
    if (!*stored) {
        return fail(ErrorCode::INTERNAL,
                    fmt::format("chunk {} of a committed image is missing from the store", index));
    }
    return std::move(**stored);
}

Result<ListReply> ImageCatalog::list(std::string_view user, std::uint64_t after_seq,
                                     std::uint32_t limit) const {
    limit = std::min(limit, kMaxListLimit);
    const std::uint32_t budget = std::max(limit, list_scan_budget_);
    ListReply reply;
    reply.last_seq = after_seq;
    if (after_seq == UINT64_MAX) return reply;
    std::uint32_t examined = 0;
    std::size_t reply_bytes = 0;
    std::optional<Error> problem;
    auto visit = [&](std::uint64_t seq, std::string_view name) {
        if (reply.items.size() >= limit || examined >= budget) {
            reply.more = true;
            return false;
        }
        auto record = find(name);
        if (!record) {
            problem = std::move(record.error());
            return false;
        }
        if (!*record) {
            spdlog::warn("feed entry {} names a missing image", seq);
        } else if (announced_to(**record, seq, user)) {
            auto summary = summary_of(**record, seq);
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
    if (tail_.covers(after_seq + 1)) {
        tail_.visit_from(after_seq + 1, visit);
        if (problem) return std::unexpected(std::move(*problem));
        return reply;
    }
    auto scanned = store_->scan(
        Family::feed, feed_key(after_seq + 1), "", [&](std::string_view key, ByteView value) {
            auto seq = seq_of_feed_key(key);
            if (!seq) {
                problem = Error{ErrorCode::INTERNAL, "stored feed key is unreadable"};
                return false;
            }
            return visit(*seq, as_string(value));
        });
    if (!scanned) return std::unexpected(std::move(scanned.error()));
    if (problem) return std::unexpected(std::move(*problem));
    return reply;
}

}  // namespace imgshare::storage
