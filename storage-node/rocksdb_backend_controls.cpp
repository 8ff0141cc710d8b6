// RocksDbBackend's part of the owners' controls and usage (rocksdb_backend.h): download
// counts, the expiry index and the per-owner usage index, all in the `meta` family
// (storage_keys.h).
#include <fmt/format.h>

#include "storage-node/rocksdb_backend.h"

namespace imgshare::storage {

Result<std::uint32_t> RocksDbBackend::downloads(const ImageRecord& record) const {
    auto upload = UploadId::from_key(as_string(record.upload));
    if (!upload) return fail(ErrorCode::INTERNAL, "a record names no upload");
    auto stored = store_.get(Family::meta, downloads_key(*upload));
    if (!stored) return std::unexpected(std::move(stored.error()));
    if (!*stored) return 0u;
    auto count = decode_u64(as_string(**stored));
    if (!count || *count > UINT32_MAX) {
        return fail(ErrorCode::INTERNAL, "a stored download count is unreadable");
    }
    return static_cast<std::uint32_t>(*count);
}

Result<std::uint32_t> RocksDbBackend::count_download(const ImageRecord& record) {
    auto held = image(record.name);
    if (!held) return std::unexpected(std::move(held.error()));
    if (!*held || (*held)->upload != record.upload) {
        return fail(ErrorCode::NOT_FOUND, fmt::format("no image '{}'", record.name));
    }
    auto counted = downloads(record);
    if (!counted) return counted;
    if (*counted >= record.max_downloads) {
        return fail(ErrorCode::NOT_FOUND,
                    fmt::format("'{}' has served its {} downloads", record.name,
                                record.max_downloads));
    }
    const std::uint32_t count = *counted + 1;
    auto upload = UploadId::from_key(as_string(record.upload));
    auto batch = store_.batch();
    batch.put(Family::meta, downloads_key(*upload), encode_u64(count));
    if (auto written = store_.write(std::move(batch), Durability::Buffered); !written) {
        return std::unexpected(std::move(written.error()));
    }
    return count;
}

Result<void> RocksDbBackend::visit_expiring(std::int64_t until, const ExpiryVisitor& visit) const {
    if (until < 0) return {};
    return store_.scan(Family::meta, kExpiryPrefix, expiry_key(until + 1, ""),
                       [&](std::string_view key, ByteView) {
                           auto entry = expiry_entry_of(key);
                           return !entry || visit(entry->name, entry->expires_at);
                       });
}

Result<void> RocksDbBackend::forget_expiry(std::string_view name, std::int64_t expires_at) {
    auto batch = store_.batch();
    batch.erase(Family::meta, expiry_key(expires_at, name));
    return store_.write(std::move(batch), Durability::Buffered);
}

Result<OwnerUsage> RocksDbBackend::usage(std::string_view owner) const {
    const auto prefix = owner_usage_prefix(owner);
    OwnerUsage usage;
    std::optional<Error> problem;
    auto scanned = store_.scan(Family::meta, prefix, prefix_end(prefix),
                               [&](std::string_view, ByteView value) {
                                   auto added = usage.add_stored(as_string(value));
                                   if (!added) problem = std::move(added.error());
                                   return added.has_value();
                               });
    if (!scanned) return std::unexpected(std::move(scanned.error()));
    if (problem) return std::unexpected(std::move(*problem));
    return usage;
}

}  // namespace imgshare::storage
