// StorageService's set-up, SHARE, DELETE, group commit, the tick and its handler table
// (serve); the upload handlers are in upload_handlers.cpp, the read handlers in
// read_handlers.cpp, USAGE, the quota and expiry in owner_controls.cpp.
#include "storage-node/storage_service.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/deletion.h"
#include "storage-node/share_validation.h"

namespace imgshare::storage {
namespace {

// The answer to the share that left `record` as it is (its last one).
ShareReply share_reply(const ImageRecord& record) {
    const auto& share = record.shares.back();
    return ShareReply{record.recipients, share.added,       record.name, record.owner,
                      share.seq,         record.size,       record.created_at,
                      record.mode,       share.removed};
}

}  // namespace

StorageService::StorageService(StorageBackend& backend, const Clock& clock, StorageConfig config,
                               UploadSessions sessions, ImageCatalog catalog)
    : backend_(&backend),
      clock_(&clock),
      config_(std::move(config)),
      certificates_(config_.ca_verify_key),
      sessions_(std::move(sessions)),
      catalog_(std::move(catalog)) {}

Result<StorageService> StorageService::open(StorageBackend& backend, const Clock& clock,
                                            StorageConfig config) {
    auto sessions = UploadSessions::load(backend, clock, config.upload_timeout_ms);
    if (!sessions) return std::unexpected(std::move(sessions.error()));
    auto catalog = ImageCatalog::load(backend, config.list_scan_budget, config.list_reply_bytes);
    if (!catalog) return std::unexpected(std::move(catalog.error()));
    return StorageService(backend, clock, std::move(config), std::move(*sessions),
                          std::move(*catalog));
}

Result<std::string> StorageService::sender_of(const service::RequestContext& context) {
    const auto* user = context.peer.username();
    if (user == nullptr) {
        return fail(ErrorCode::NOT_REGISTERED, "register before using the storage service");
    }
    return *user;
}

Result<ShareReply> StorageService::share(const ShareRequest& request,
                                         const service::RequestContext& context) {
    auto visible = visible_image(request.name, context);
    if (!visible) return std::unexpected(std::move(visible.error()));
    const auto& user = visible->user;
    const ImageRecord* record = visible->record.get();
    if (record->owner == user && repeats_last_share(request, *record)) {
        return share_reply(*record);  // a retry: the answer it had
    }
    auto validated = validate_share(request, *record, user,
                                    ShareRules{config_.ca_verify_key, clock_->now_seconds()});
    if (!validated) return std::unexpected(std::move(validated.error()));
    auto shared = catalog_.share(ImageRecord(*record), request.envelope, request.signature,
                                 validated->envelope.recipients, request.grants,
                                 validated->removed);
    if (!shared) return std::unexpected(std::move(shared.error()));
    unsynced_ = true;
    return share_reply(*shared);
}

Result<DeleteReply> StorageService::delete_image(const DeleteRequest& request,
                                                 const service::RequestContext& context) {
    auto visible = visible_image(request.name, context);
    if (!visible) return std::unexpected(std::move(visible.error()));
    const ImageRecord& record = *visible->record;
    if (record.owner != visible->user) {
        return fail(ErrorCode::FORBIDDEN,
                    fmt::format("only its owner {} may delete '{}'", record.owner, record.name));
    }
    // The key the image was posted with: the broker can name the owner as the sender, but
    // only the owner can sign.
    auto certificate = decode_certificate(record.certificate);
    if (!certificate) return fail(ErrorCode::INTERNAL, "a stored certificate is unreadable");
    if (auto checked = check_deletion(request.statement,
                                      DeletionTarget{record.name, record.owner, record.envelope,
                                                     certificate->sign_pk},
                                      clock_->now_seconds());
        !checked) {
        return std::unexpected(std::move(checked.error()));
    }
    DeleteReply reply{
        {record.name, record.owner, 0, record.size, record.created_at, record.mode, {}}};
    if (record.mode == kEndToEndMode) reply.recipients = record.recipients;
    auto removed = catalog_.remove(record);
    if (!removed) return std::unexpected(std::move(removed.error()));
    unsynced_ = true;
    reply.seq = *removed;
    return reply;
}

Result<ImageRecord> StorageService::commit_for_group_sync(const CommitRecord& commit) {
    auto record = catalog_.commit(commit);
    if (record) unsynced_ = true;
    return record;
}

Result<void> StorageService::make_durable() {
    if (!has_unsynced_writes()) return {};
    auto synced = backend_->sync();
    if (synced) {
        unsynced_ = false;
    } else {
        sessions_.forget_received();
    }
    return synced;
}

void StorageService::housekeeping() {
    // Expiry writes: while writes are stopped it would only fail, once a second.
    if (backend_->resume_writes()) {
        expire_uploads();
        expire_images();
        backend_->reclaim_space();
    }
}

void serve(StorageService& storage, service::ServiceWorker& worker) {
    using service::route;
    route<PostBeginRequest>(worker, storage, &StorageService::post_begin);
    route<PostChunkRequest>(worker, storage, &StorageService::post_chunk);
    route<PostCommitRequest>(worker, storage, &StorageService::post_commit);
    route<PostImageRequest>(worker, storage, &StorageService::post_image);
    route<UploadsRequest>(worker, storage, &StorageService::uploads);
    route<UsageRequest>(worker, storage, &StorageService::usage);
    route<AbandonRequest>(worker, storage, &StorageService::abandon);
    route<ListRequest>(worker, storage, &StorageService::list);
    // The first chunk rides along: a reader of a one-chunk image needs no GET_CHUNK.
    route<DownloadRequest>(worker, storage, &StorageService::download_with_first_chunk);
    route<GetChunkRequest>(worker, storage, &StorageService::get_chunk);
    route<ShareRequest>(worker, storage, &StorageService::share);
    route<DeleteRequest>(worker, storage, &StorageService::delete_image);
    worker.on_durability(
        {[&] { return storage.has_unsynced_writes(); }, [&] { return storage.make_durable(); }});
    worker.on_tick([&] { storage.housekeeping(); });
}

}  // namespace imgshare::storage
