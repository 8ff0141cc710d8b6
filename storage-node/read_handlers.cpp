// The storage node's read handlers: LIST, DOWNLOAD (with the image's first
// chunk) and GET_CHUNK (storage_service.h states what they promise).
#include <fmt/format.h>

#include "storage-node/storage_service.h"

namespace imgshare::storage {
namespace {

// One message for a missing name and for an image the sender may not see, so
// the answer does not tell them apart.
constexpr std::string_view kNoSuchImage = "no such image";

}  // namespace

Result<ListReply> StorageService::list(const ListRequest& request,
                                       const service::RequestContext& context) const {
    auto user = sender_of(context);
    if (!user) return std::unexpected(std::move(user.error()));
    // Refused, not clamped: what PROTOCOL.md says a service checks, a service refuses.
    if (request.limit > kMaxListLimit) {
        return fail(ErrorCode::TOO_LARGE,
                    fmt::format("LIST limit {} is over the maximum of {}", request.limit,
                                kMaxListLimit));
    }
    if (request.limit == 0) return fail(ErrorCode::BAD_REQUEST, "LIST limit must be at least 1");
    return catalog_.list(*user, request.after_seq, request.limit, clock_->now_seconds());
}

Result<StorageService::VisibleImage> StorageService::visible_image(
    std::string_view name, const service::RequestContext& context) const {
    auto user = sender_of(context);
    if (!user) return std::unexpected(std::move(user.error()));
    auto record = catalog_.find(name);
    if (!record) return std::unexpected(std::move(record.error()));
    if (*record && !visible_to(**record, *user)) {
        // Cached before a SHARE on another node that this node has not heard of yet (its
        // head follows within the feed notifier's spacing): a refusal asks the store.
        record = catalog_.find_stored(name);
        if (!record) return std::unexpected(std::move(record.error()));
    }
    if (!*record || !visible_to(**record, *user) || expired(**record, clock_->now_seconds())) {
        return fail(ErrorCode::NOT_FOUND, std::string(kNoSuchImage));
    }
    return VisibleImage{std::move(*user), std::move(*record)};
}

Result<DownloadReply> StorageService::download(const DownloadRequest& request,
                                               const service::RequestContext& context) const {
    auto visible = visible_image(request.name, context);
    if (!visible) return std::unexpected(std::move(visible.error()));
    const ImageRecord* record = visible->record.get();
    DownloadReply reply{record->certificate, record->envelope, record->signature,
                        record->wrapped_key, record->mode};
    if (record->mode == kEndToEndMode) {
        // Only the requester's own grant: the others are of no use to them.
        auto grant = catalog_.grant(record->name, visible->user);
        if (!grant) return std::unexpected(std::move(grant.error()));
        if (!*grant) {
            // Revoked by a SHARE on another node that this node's cached record predates:
            // the store's record says so, and the reader is refused like any other.
            auto stored = catalog_.find_stored(record->name);
            if (!stored) return std::unexpected(std::move(stored.error()));
            if (!*stored || !visible_to(**stored, visible->user)) {
                return fail(ErrorCode::NOT_FOUND, std::string(kNoSuchImage));
            }
            return fail(ErrorCode::INTERNAL, "the grant for this recipient is missing");
        }
        reply.wrapped_key = std::move(**grant);
    }
    return reply;
}

Result<service::WithPayload<DownloadReply>> StorageService::download_with_first_chunk(
    const DownloadRequest& request, const service::RequestContext& context) const {
    auto visible = visible_image(request.name, context);
    if (!visible) return std::unexpected(std::move(visible.error()));
    const ImageRecord& record = *visible->record;
    if (record.max_downloads != 0) {
        // Its chunks all come by GET_CHUNK, where the last one counts: a DOWNLOAD that only
        // reads the record (a share, a thumbnail) counts nothing.
        auto counted = catalog_.downloads(record);
        if (!counted) return std::unexpected(std::move(counted.error()));
        if (*counted >= record.max_downloads) {
            return fail(ErrorCode::NOT_FOUND, std::string(kNoSuchImage));
        }
        auto reply = download(request, context);
        if (!reply) return std::unexpected(std::move(reply.error()));
        return service::WithPayload<DownloadReply>{std::move(*reply), Bytes()};
    }
    auto reply = download(request, context);
    if (!reply) return std::unexpected(std::move(reply.error()));
    auto first = catalog_.chunk(record, 0);
    if (!first) return std::unexpected(std::move(first.error()));
    return service::WithPayload<DownloadReply>{std::move(*reply), std::move(*first)};
}

Result<ChunkReply> StorageService::get_chunk(const GetChunkRequest& request,
                                             const service::RequestContext& context) {
    auto visible = visible_image(request.name, context);
    if (!visible) return std::unexpected(std::move(visible.error()));
    const ImageRecord* record = visible->record.get();
    if (request.index >= record->chunk_count) {
        return fail(ErrorCode::BAD_REQUEST, fmt::format("chunk {} is beyond the image's {} chunks",
                                                        request.index, record->chunk_count));
    }
    auto chunk = catalog_.chunk(*record, request.index);
    if (!chunk) return std::unexpected(std::move(chunk.error()));
    if (record->max_downloads != 0 && request.index + 1 == record->chunk_count) {
        // The last chunk completes a download: counted before it leaves, so no more than
        // max_downloads readers ever hold every chunk.
        auto counted = catalog_.count_download(*record);
        if (!counted) {
            if (counted.error().code == ErrorCode::NOT_FOUND) {
                return fail(ErrorCode::NOT_FOUND, std::string(kNoSuchImage));
            }
            return std::unexpected(std::move(counted.error()));
        }
        unsynced_ = true;
        if (*counted >= record->max_downloads) remove_spent(*record, "served its last download");
    }
    return ChunkReply{GetChunkReply{request.index}, std::move(*chunk)};
}

}  // namespace imgshare::storage
