#include "storage-node/image_catalog.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace imgshare::storage {

bool visible_to(const ImageRecord& record, std::string_view user) {
    if (record.mode == kEscrowMode) return true;
    return record.owner == user || std::find(record.recipients.begin(), record.recipients.end(),
                                             user) != record.recipients.end();
}

ImageCatalog::ImageCatalog(ImageStore& store, std::uint32_t list_scan_budget,
                           std::uint64_t last_seq)
    : store_(&store), list_scan_budget_(list_scan_budget), last_seq_(last_seq) {}

Result<ImageCatalog> ImageCatalog::load(ImageStore& store, std::uint32_t list_scan_budget) {
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
    return ImageCatalog(store, list_scan_budget, last_seq);
}

Result<std::optional<ImageRecord>> ImageCatalog::find(std::string_view name) const {
    auto stored = store_->get(Family::images, name);
    if (!stored) return std::unexpected(std::move(stored.error()));
    if (!*stored) return std::optional<ImageRecord>();
    auto record = decode_image_record(**stored);
    if (!record) return std::unexpected(std::move(record.error()));
    return std::optional<ImageRecord>(std::move(*record));
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
    record.seq = last_seq_ + 1;
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
    last_seq_ = std::max(last_seq_, record.seq);
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
    std::optional<Error> problem;
    auto scanned = store_->scan(
        Family::feed, feed_key(after_seq + 1), "", [&](std::string_view key, ByteView value) {
            if (reply.items.size() >= limit || examined >= budget) {
                reply.more = true;
                return false;
            }
            auto seq = seq_of_feed_key(key);
            if (!seq) {
                problem = Error{ErrorCode::INTERNAL, "stored feed key is unreadable"};
                return false;
            }
            ++examined;
            reply.last_seq = *seq;
            auto record = find(as_string(value));
            if (!record) {
                problem = std::move(record.error());
                return false;
            }
            if (!*record) {
                spdlog::warn("feed entry {} names a missing image", *seq);
            } else if (visible_to(**record, user)) {
                const auto& image = **record;
                reply.items.push_back(ImageSummary{image.name, image.owner, image.seq, image.size,
                                                   image.created_at, image.mode});
            }
            return true;
        });
    if (!scanned) return std::unexpected(std::move(scanned.error()));
    if (problem) return std::unexpected(std::move(*problem));
    return reply;
}

}  // namespace imgshare::storage
