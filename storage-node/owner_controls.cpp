// StorageService's part of the owners' controls and the operator's limits
// (storage_service.h): the expiry a post may ask for and the one it gets, the sweep of
// expired images, a spent image's name freed for a new post, the per-owner quota and USAGE.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "storage-node/storage_service.h"

namespace imgshare::storage {

Result<void> StorageService::check_expiry(const Envelope& envelope) const {
    if (envelope.expires_at == 0) return {};
    const auto now = clock_->now_seconds();
    if (envelope.expires_at <= now) {
        return fail(ErrorCode::BAD_REQUEST,
                    fmt::format("the image expires at {}, which is past (the node's clock: {})",
                                envelope.expires_at, now));
    }
    // A minute's grace for the owner's clock running ahead of this node's.
    constexpr std::int64_t kClockGraceSeconds = 60;
    if (config_.max_expiry_seconds != 0 &&
        envelope.expires_at > now + config_.max_expiry_seconds + kClockGraceSeconds) {
        // TOO_LARGE, as for an image over the size limit: a value past the node's bound,
        // which ends the client's kept post (client/image_post.cpp) so another can follow.
        return fail(ErrorCode::TOO_LARGE,
                    fmt::format("the image would be kept {} s; this node keeps images at most "
                                "{} s (--max-expiry)",
                                envelope.expires_at - now, config_.max_expiry_seconds));
    }
    return {};
}

std::int64_t StorageService::expiry_of(const Envelope& envelope, std::int64_t now) const {
    if (envelope.expires_at != 0) return envelope.expires_at;
    if (config_.default_expiry_seconds != 0) {
        auto keep = config_.default_expiry_seconds;
        if (config_.max_expiry_seconds != 0) keep = std::min(keep, config_.max_expiry_seconds);
        return now + keep;
    }
    if (config_.max_expiry_seconds != 0) return now + config_.max_expiry_seconds;
    return 0;
}

Result<UsageReply> StorageService::usage(const UsageRequest&,
                                         const service::RequestContext& context) {
    auto user = sender_of(context);
    if (!user) return std::unexpected(std::move(user.error()));
    auto stored = backend_->usage(*user);
    if (!stored) return std::unexpected(std::move(stored.error()));
    const auto pending = sessions_.pending_use(*user);
    return UsageReply{stored->bytes, stored->images, pending.bytes, pending.uploads,
                      config_.quota_bytes_per_user};
}

Result<void> StorageService::check_quota(std::string_view user, const UploadId& upload,
                                         std::uint64_t padded_size) const {
    const auto quota = config_.quota_bytes_per_user;
    if (quota == 0) return {};
    auto stored = backend_->usage(user);
    if (!stored) return std::unexpected(std::move(stored.error()));
    // Not counted against itself: a retried POST_BEGIN of a pending upload is answered
    // before this check, and this keeps any other path from refusing an upload by its own
    // bytes.
    const auto used = stored->bytes + sessions_.pending_use(user, upload).bytes;
    // Each figure is bounded (padded sizes by max_image_bytes, images by the store), so
    // the sum cannot wrap; compare without adding anyway.
    if (used > quota || padded_size > quota - used) {
        return fail(ErrorCode::QUOTA_EXCEEDED,
                    fmt::format("you use {} of your {} bytes; this image needs {} more (delete "
                                "an image or abandon an upload to make room)",
                                used, quota, padded_size));
    }
    return {};
}

void StorageService::remove_spent(const ImageRecord& record, std::string_view why) {
    auto removed = catalog_.remove(record);
    if (removed) {
        unsynced_ = true;
        spdlog::info("image '{}' of {} {}; removed (feed entry {})", record.name, record.owner,
                     why, *removed);
    } else if (removed.error().code != ErrorCode::NOT_FOUND) {  // NOT_FOUND: gone already
        spdlog::warn("image '{}' {}, but removing it failed: {}", record.name, why,
                     removed.error().message);
    }
}

Result<bool> StorageService::free_spent_name(std::string_view name) {
    auto record = catalog_.find(name);
    if (!record) return std::unexpected(std::move(record.error()));
    if (!*record) return false;
    const ImageRecord& held = **record;
    if (expired(held, clock_->now_seconds())) {
        remove_spent(held, "expired");
    } else if (held.max_downloads != 0) {
        auto counted = catalog_.downloads(held);
        if (!counted) return std::unexpected(std::move(counted.error()));
        if (*counted < held.max_downloads) return false;
        remove_spent(held, "served its last download");
    } else {
        return false;
    }
    auto still = catalog_.contains(name);
    if (!still) return std::unexpected(std::move(still.error()));
    return !*still;
}

void StorageService::expire_images() {
    // A tick stays short however many expired at once: the rest go on the next ones.
    constexpr std::size_t kExpiredPerTick = 64;
    const auto now = clock_->now_seconds();
    std::vector<std::pair<std::string, std::int64_t>> due;
    auto visited = backend_->visit_expiring(now, [&](std::string_view name, std::int64_t at) {
        due.emplace_back(name, at);
        return due.size() < kExpiredPerTick;
    });
    if (!visited) {
        spdlog::warn("reading the images due to expire failed: {}", visited.error().message);
        return;
    }
    for (const auto& [name, at] : due) {
        auto record = backend_->image(name);
        if (!record) {
            spdlog::warn("expiring '{}': {}", name, record.error().message);
            continue;
        }
        if (*record && (*record)->expires_at == at && expired(**record, now)) {
            remove_spent(**record, "expired");
        } else if (auto forgotten = backend_->forget_expiry(name, at); !forgotten) {
            // An entry naming no image, or another one (a crash between the index and the
            // commit, or the name posted again).
            spdlog::warn("forgetting the expiry entry of '{}': {}", name,
                         forgotten.error().message);
        }
    }
    if (auto durable = make_durable(); !durable) {
        spdlog::warn("syncing the expired images' removal failed: {}", durable.error().message);
    }
}

void StorageService::expire_uploads() {
    auto expired = sessions_.expire();
    if (!expired) {
        spdlog::warn("expiring uploads failed: {}", expired.error().message);
        return;
    }
    for (const auto& upload : *expired)
        spdlog::info("upload {} expired; its chunks were removed", upload.text());
}

}  // namespace imgshare::storage
