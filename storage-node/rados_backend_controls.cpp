// RadosBackend's part of the owner's controls (rados_backend.h): the download count of an
// image with a limit, and the index of images that expire.
#include <fmt/format.h>

#include <charconv>

#include "storage-node/rados_backend.h"
#include "storage-node/rados_objects.h"
#include "storage-node/rados_omap.h"

namespace imgshare::storage {

using namespace rados_layout;
using namespace rados_omap;
using rados::ObjectWrite;
using rados::WriteOutcome;

namespace {

// Compare-and-swap rounds before a count gives up: each is lost only to another reader's
// count of the same image landing in between, so 32 at once settle well within it.
constexpr int kMaxCountAttempts = 256;

Result<std::uint32_t> count_of(const OmapValues& values, const std::string& key) {
    auto found = values.find(key);
    if (found == values.end()) return 0u;
    auto count = decode_u64(string_of(found->second));
    if (!count || *count > UINT32_MAX) {
        return fail(ErrorCode::INTERNAL, "a stored download count is unreadable");
    }
    return static_cast<std::uint32_t>(*count);
}

Result<UploadId> upload_of(const ImageRecord& record) {
    auto upload = UploadId::from_key(as_string(record.upload));
    if (!upload) return fail(ErrorCode::INTERNAL, "a record names no upload");
    return *upload;
}

}  // namespace

Result<std::uint32_t> RadosBackend::downloads(const ImageRecord& record) const {
    auto upload = upload_of(record);
    if (!upload) return std::unexpected(std::move(upload.error()));
    const auto key = downloads_omap_key(*upload);
    auto found = pool_.omap_get(image_object(record.name), {key});
    if (!found) {
        if (is_not_found(found.error())) return 0u;
        return std::unexpected(std::move(found.error()));
    }
    return count_of(*found, key);
}

Result<std::uint32_t> RadosBackend::count_download(const ImageRecord& record) {
    auto upload = upload_of(record);
    if (!upload) return std::unexpected(std::move(upload.error()));
    const auto object = image_object(record.name);
    const auto key = downloads_omap_key(*upload);
    const auto gone = [&] {
        return fail(ErrorCode::NOT_FOUND, fmt::format("no image '{}'", record.name));
    };
    for (int attempt = 0; attempt < kMaxCountAttempts; ++attempt) {
        auto found = pool_.omap_get(object, {key});
        if (!found) {
            if (is_not_found(found.error())) return gone();
            return std::unexpected(std::move(found.error()));
        }
        auto counted = count_of(*found, key);
        if (!counted) return counted;
        if (*counted >= record.max_downloads) {
            return fail(ErrorCode::NOT_FOUND, fmt::format("'{}' has served its {} downloads",
                                                          record.name, record.max_downloads));
        }
        ObjectWrite swap;
        // An absent key compares as empty: the first count swaps "nothing" for 1.
        swap.omap_equals.emplace(key, *counted == 0 ? Bytes() : bytes_of(encode_u64(*counted)));
        swap.omap_set.emplace(key, bytes_of(encode_u64(*counted + 1)));
        auto outcome = pool_.write(object, swap);
        if (!outcome) {
            if (is_not_found(outcome.error())) return gone();  // deleted meanwhile
            return std::unexpected(std::move(outcome.error()));
        }
        if (*outcome == WriteOutcome::Done) return *counted + 1;
    }
    return fail(ErrorCode::SERVICE_UNAVAILABLE,
                "too many downloads of this image are finishing at once; try again");
}

Result<void> RadosBackend::visit_expiring(std::int64_t until, const ExpiryVisitor& visit) const {
    if (until < 0) return {};
    return visit_omap(
        pool_, std::string(kExpiriesObject), "", "",
        [&](const std::string& key, const Bytes&) {
            // <hex16>.<name>
            std::uint64_t at = 0;
            auto [end, parse_error] = std::from_chars(key.data(), key.data() + key.size(), at, 16);
            if (parse_error != std::errc() || end != key.data() + 16 || key.size() < 18 ||
                key[16] != '.' || at > static_cast<std::uint64_t>(INT64_MAX)) {
                return true;  // not an entry this backend wrote: not its to act on
            }
            if (static_cast<std::int64_t>(at) > until) return false;
            return visit(std::string_view(key).substr(17), static_cast<std::int64_t>(at));
        });
}

Result<void> RadosBackend::forget_expiry(std::string_view name, std::int64_t expires_at) {
    return pool_.omap_remove(std::string(kExpiriesObject), {expiry_omap_key(expires_at, name)});
}

}  // namespace imgshare::storage
