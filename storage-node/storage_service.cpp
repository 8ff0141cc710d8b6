#include "storage-node/storage_service.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/crypto/sha256.h"
#include "common/envelope.h"
#include "storage-node/post_validation.h"
#include "storage-node/share_validation.h"

namespace imgshare::storage {
namespace {

// One message for a missing name and for an image the sender may not see, so
// the answer does not tell them apart.
constexpr std::string_view kNoSuchImage = "no such image";
constexpr std::string_view kNoSuchUpload = "no such upload (it was never begun, or it expired)";

Result<std::string> authenticated_user(const service::RequestContext& context) {
    if (!context.user || context.user->empty() || context.user->starts_with("anon:")) {
        return fail(ErrorCode::NOT_REGISTERED, "register before using the storage service");
    }
    return *context.user;
}

PostCommitReply commit_reply(const ImageRecord& record) {
    return PostCommitReply{record.name,       record.owner, record.seq,       record.size,
                           record.created_at, record.mode,  record.recipients};
}

// The answer to the share that left `record` as it is (its last one).
ShareReply share_reply(const ImageRecord& record) {
    const auto& share = record.shares.back();
    return ShareReply{record.recipients, share.added, record.name,       record.owner,
                      share.seq,         record.size, record.created_at, record.mode};
}

// The envelope of a session or record: verified before it was stored, so a
// failure here means a damaged database.
Result<Envelope> stored_envelope(ByteView bytes) {
    auto envelope = decode_envelope(bytes);
    if (!envelope) {
        return fail(ErrorCode::INTERNAL,
                    "stored envelope is unreadable: " + envelope.error().message);
    }
    return envelope;
}

Result<void> check_chunk(const Envelope& envelope, std::uint32_t index, std::size_t size) {
    if (index >= envelope.chunk_count) {
        return fail(ErrorCode::BAD_REQUEST, fmt::format("chunk {} is beyond the image's {} chunks",
                                                        index, envelope.chunk_count));
    }
    auto expected = chunk_ciphertext_size(envelope, index);
    if (size != expected) {
        return fail(
            size > expected ? ErrorCode::TOO_LARGE : ErrorCode::BAD_REQUEST,
            fmt::format("chunk {} is {} bytes; the envelope makes it {}", index, size, expected));
    }
    return {};
}

// The record a commit adds for `upload`, whose keys and signature `posted` carries (an
// upload session or a POST_IMAGE request; both were validated by validate_post).
template <class Posted>
ImageRecord record_of(const UploadId& upload, const std::string& owner, const Posted& posted,
                      const Envelope& envelope, std::int64_t now_seconds) {
    return ImageRecord{
        envelope.name,
        owner,
        Bytes(as_bytes(upload.key()).begin(), as_bytes(upload.key()).end()),
        posted.certificate,
        posted.envelope,
        posted.signature,
        envelope.mode,
        posted.wrapped_key,
        envelope.mode == kEndToEndMode ? envelope.recipients : std::vector<std::string>{},
        0,
        envelope.created_at,
        envelope.padded_size,
        envelope.chunk_count,
        now_seconds};
}

}  // namespace

StorageService::StorageService(ImageStore& store, const Clock& clock, StorageConfig config,
                               UploadSessions sessions, ImageCatalog catalog)
    : store_(&store),
      clock_(&clock),
      config_(std::move(config)),
      certificates_(config_.ca_verify_key),
      sessions_(std::move(sessions)),
      catalog_(std::move(catalog)) {}

Result<StorageService> StorageService::open(ImageStore& store, const Clock& clock,
                                            StorageConfig config) {
    auto sessions = UploadSessions::load(store, clock, config.upload_timeout_ms);
    if (!sessions) return std::unexpected(std::move(sessions.error()));
    auto catalog = ImageCatalog::load(store, config.list_scan_budget, config.list_reply_bytes);
    if (!catalog) return std::unexpected(std::move(catalog.error()));
    return StorageService(store, clock, std::move(config), std::move(*sessions),
                          std::move(*catalog));
}

Result<StorageService::CheckedPost> StorageService::check_post(
    const PostBeginRequest& request, const service::RequestContext& context) {
    auto user = authenticated_user(context);
    if (!user) return std::unexpected(std::move(user.error()));
    auto post = validate_post(
        request, *user, PostRules{certificates_, config_.max_image_bytes, clock_->now_seconds()});
    if (!post) return std::unexpected(std::move(post.error()));
    return CheckedPost{std::move(*user), std::move(post->envelope)};
}

Result<PostBeginReply> StorageService::post_begin(const PostBeginRequest& request,
                                                  const service::RequestContext& context) {
    auto checked = check_post(request, context);
    if (!checked) return std::unexpected(std::move(checked.error()));
    const auto& [user, envelope] = *checked;
    // The id binds the signed envelope, and with it the owner: a retry finds its upload.
    auto upload = UploadId::of(request.envelope, request.signature);

    auto session = sessions_.find(upload);
    if (!session) return std::unexpected(std::move(session.error()));
    if (*session) {
        auto next = sessions_.first_missing_chunk(upload, envelope.chunk_count);
        if (!next) return std::unexpected(std::move(next.error()));
        sessions_.touch(upload);
        return PostBeginReply{upload.text(), *next};
    }
    auto committed = catalog_.committed_name(upload);
    if (!committed) return std::unexpected(std::move(committed.error()));
    if (*committed) return PostBeginReply{upload.text(), envelope.chunk_count};

    auto taken = catalog_.contains(envelope.name);
    if (!taken) return std::unexpected(std::move(taken.error()));
    if (*taken) {
        return fail(ErrorCode::NAME_TAKEN, fmt::format("the name '{}' is taken", envelope.name));
    }
    if (sessions_.pending_count(user) >= config_.max_pending_uploads_per_user) {
        return fail(ErrorCode::RATE_LIMITED,
                    fmt::format("you have {} uploads pending; finish or abandon one first",
                                config_.max_pending_uploads_per_user));
    }
    UploadSession fresh{user,
                        request.certificate,
                        request.envelope,
                        request.signature,
                        request.wrapped_key,
                        request.grants,
                        clock_->now_seconds(),
                        envelope.chunk_count};
    if (auto begun = sessions_.begin(upload, fresh); !begun) {
        return std::unexpected(std::move(begun.error()));
    }
    return PostBeginReply{upload.text(), 0};
}

Result<PostChunkReply> StorageService::post_chunk(const PostChunkRequest& request,
                                                  const service::RequestContext& context) {
    auto user = authenticated_user(context);
    if (!user) return std::unexpected(std::move(user.error()));
    auto upload = UploadId::parse(request.upload);
    if (!upload) return std::unexpected(std::move(upload.error()));
    auto session = sessions_.find(*upload);
    if (!session) return std::unexpected(std::move(session.error()));

    if (!*session || (*session)->owner != *user) {
        // A late retry of a chunk of an upload committed since: the answer it had.
        auto record = committed_from(*upload, *user);
        if (!record) return std::unexpected(std::move(record.error()));
        auto envelope = stored_envelope(record->envelope);
        if (!envelope) return std::unexpected(std::move(envelope.error()));
        if (auto fits = check_chunk(*envelope, request.index, context.payload.size()); !fits) {
            return std::unexpected(std::move(fits.error()));
        }
        return PostChunkReply{request.index};
    }

    auto envelope = stored_envelope((*session)->envelope);
    if (!envelope) return std::unexpected(std::move(envelope.error()));
    if (auto fits = check_chunk(*envelope, request.index, context.payload.size()); !fits) {
        return std::unexpected(std::move(fits.error()));
    }
    sessions_.touch(*upload);
    auto stored = sessions_.has_chunk(*upload, request.index);
    if (!stored) return std::unexpected(std::move(stored.error()));
    if (*stored) return PostChunkReply{request.index};  // a retry: keep the first copy
    if (auto written = sessions_.store_chunk(*upload, request.index, context.payload); !written) {
        return std::unexpected(std::move(written.error()));
    }
    return PostChunkReply{request.index};
}

Result<PostCommitReply> StorageService::post_commit(const PostCommitRequest& request,
                                                    const service::RequestContext& context) {
    auto user = authenticated_user(context);
    if (!user) return std::unexpected(std::move(user.error()));
    auto upload = UploadId::parse(request.upload);
    if (!upload) return std::unexpected(std::move(upload.error()));
    auto session = sessions_.find(*upload);
    if (!session) return std::unexpected(std::move(session.error()));
    if (!*session || (*session)->owner != *user) {
        // A retry after success: the same answer again.
        auto record = committed_from(*upload, *user);
        if (!record) return std::unexpected(std::move(record.error()));
        return commit_reply(*record);
    }
    auto envelope = stored_envelope((*session)->envelope);
    if (!envelope) return std::unexpected(std::move(envelope.error()));
    auto missing = sessions_.first_missing_chunk(*upload, envelope->chunk_count);
    if (!missing) return std::unexpected(std::move(missing.error()));
    if (*missing < envelope->chunk_count) {
        return fail(ErrorCode::BAD_REQUEST, fmt::format("missing chunk {}", *missing));
    }
    if (auto refused = check_commit(*upload, *envelope); !refused) {
        // This upload can never be committed: free its space now, so the owner
        // can post again from the start.
        if (auto discarded = sessions_.discard(*upload); !discarded) {
            spdlog::warn("could not discard upload {}: {}", upload->text(),
                         discarded.error().message);
        }
        refused.error().message += "; the upload was discarded";
        return std::unexpected(std::move(refused.error()));
    }

    if (auto ready = sessions_.commit_ready(*upload); !ready) {
        return std::unexpected(std::move(ready.error()));
    }
    const auto& pending = **session;
    auto batch = store_->batch();
    auto record = catalog_.add_in(
        batch, record_of(*upload, pending.owner, pending, *envelope, clock_->now_seconds()),
        pending.grants);
    sessions_.end_in(batch, *upload, envelope->chunk_count);
    if (auto written = write_for_group_commit(std::move(batch)); !written) {
        return std::unexpected(std::move(written.error()));
    }
    catalog_.committed(record);
    sessions_.committed(*upload);
    return commit_reply(record);
}

Result<PostCommitReply> StorageService::post_image(const PostImageRequest& request,
                                                   const service::RequestContext& context) {
    auto checked = check_post(request, context);
    if (!checked) return std::unexpected(std::move(checked.error()));
    const auto& [user, envelope] = *checked;
    if (envelope.chunk_count != 1) {
        return fail(ErrorCode::BAD_REQUEST,
                    fmt::format("POST_IMAGE carries an image of one chunk, not {}; post it with "
                                "POST_BEGIN, POST_CHUNK and POST_COMMIT",
                                envelope.chunk_count));
    }
    // The same id as POST_BEGIN would give it: a retry, or a begun upload of the same image,
    // finds it.
    auto upload = UploadId::of(request.envelope, request.signature);
    auto committed = catalog_.committed_name(upload);
    if (!committed) return std::unexpected(std::move(committed.error()));
    if (*committed) {
        auto record = committed_from(upload, user);
        if (!record) return std::unexpected(std::move(record.error()));
        return commit_reply(*record);  // a retry: the answer it had
    }
    auto session = sessions_.find(upload);
    if (!session) return std::unexpected(std::move(session.error()));
    if (*session) {
        // Its chunk keys are this image's: committing beside the session would let the
        // session's expiry delete the committed chunk.
        return fail(ErrorCode::BAD_REQUEST,
                    "this image's upload was begun with POST_BEGIN; finish it with POST_CHUNK "
                    "and POST_COMMIT");
    }
    if (auto fits = check_chunk(envelope, 0, context.payload.size()); !fits) {
        return std::unexpected(std::move(fits.error()));
    }
    // Corruption on the way in is caught before anything is written or acknowledged.
    if (sha256(context.payload) != envelope.ciphertext_sha256) {
        return fail(ErrorCode::INTEGRITY,
                    "the chunk does not hash to the envelope's ciphertext_sha256");
    }
    auto taken = catalog_.contains(envelope.name);
    if (!taken) return std::unexpected(std::move(taken.error()));
    if (*taken) {
        return fail(ErrorCode::NAME_TAKEN, fmt::format("the name '{}' is taken", envelope.name));
    }
    auto batch = store_->batch();
    batch.put(Family::chunks, chunk_key(upload, 0), context.payload);
    auto record = catalog_.add_in(
        batch, record_of(upload, user, request, envelope, clock_->now_seconds()), request.grants);
    if (auto written = write_for_group_commit(std::move(batch)); !written) {
        return std::unexpected(std::move(written.error()));
    }
    catalog_.committed(record);
    return commit_reply(record);
}

Result<void> StorageService::check_commit(const UploadId& upload, const Envelope& envelope) const {
    // Corruption on the way in is caught here, before anything is acknowledged (at rest,
    // RocksDB's checksums and every reader's verification catch it).
    auto digest = sessions_.ciphertext_digest(upload, envelope);
    if (!digest) return std::unexpected(std::move(digest.error()));
    if (*digest != envelope.ciphertext_sha256) {
        return fail(ErrorCode::INTEGRITY,
                    "the chunks do not hash to the envelope's ciphertext_sha256");
    }
    auto taken = catalog_.contains(envelope.name);
    if (!taken) return std::unexpected(std::move(taken.error()));
    if (*taken) {
        return fail(ErrorCode::NAME_TAKEN,
                    fmt::format("the name '{}' was taken while uploading", envelope.name));
    }
    return {};
}

Result<ImageRecord> StorageService::committed_from(const UploadId& upload,
                                                   std::string_view user) const {
    auto name = catalog_.committed_name(upload);
    if (!name) return std::unexpected(std::move(name.error()));
    if (!*name) return fail(ErrorCode::NOT_FOUND, std::string(kNoSuchUpload));
    auto record = catalog_.find(**name);
    if (!record) return std::unexpected(std::move(record.error()));
    if (!*record || (*record)->owner != user) {
        return fail(ErrorCode::NOT_FOUND, std::string(kNoSuchUpload));
    }
    return **record;
}

Result<ListReply> StorageService::list(const ListRequest& request,
                                       const service::RequestContext& context) const {
    auto user = authenticated_user(context);
    if (!user) return std::unexpected(std::move(user.error()));
    return catalog_.list(*user, request.after_seq, request.limit);
}

Result<SharedRecord> StorageService::visible_image(std::string_view name,
                                                   std::string_view user) const {
    auto record = catalog_.find(name);
    if (!record) return std::unexpected(std::move(record.error()));
    if (!*record || !visible_to(**record, user)) {
        return fail(ErrorCode::NOT_FOUND, std::string(kNoSuchImage));
    }
    return std::move(*record);
}

Result<DownloadReply> StorageService::download(const DownloadRequest& request,
                                               const service::RequestContext& context) const {
    auto user = authenticated_user(context);
    if (!user) return std::unexpected(std::move(user.error()));
    auto visible = visible_image(request.name, *user);
    if (!visible) return std::unexpected(std::move(visible.error()));
    const ImageRecord* record = visible->get();
    DownloadReply reply{record->certificate, record->envelope, record->signature,
                        record->wrapped_key, record->mode};
    if (record->mode == kEndToEndMode) {
        // Only the requester's own grant: the others are of no use to them.
        auto grant = catalog_.grant(record->name, *user);
        if (!grant) return std::unexpected(std::move(grant.error()));
        if (!*grant) return fail(ErrorCode::INTERNAL, "the grant for this recipient is missing");
        reply.wrapped_key = std::move(**grant);
    }
    return reply;
}

Result<ChunkReply> StorageService::get_chunk(const GetChunkRequest& request,
                                             const service::RequestContext& context) const {
    auto user = authenticated_user(context);
    if (!user) return std::unexpected(std::move(user.error()));
    auto visible = visible_image(request.name, *user);
    if (!visible) return std::unexpected(std::move(visible.error()));
    const ImageRecord* record = visible->get();
    if (request.index >= record->chunk_count) {
        return fail(ErrorCode::BAD_REQUEST, fmt::format("chunk {} is beyond the image's {} chunks",
                                                        request.index, record->chunk_count));
    }
    auto chunk = catalog_.chunk(*record, request.index);
    if (!chunk) return std::unexpected(std::move(chunk.error()));
    return ChunkReply{GetChunkReply{request.index}, std::move(*chunk)};
}

Result<ShareReply> StorageService::share(const ShareRequest& request,
                                         const service::RequestContext& context) {
    auto user = authenticated_user(context);
    if (!user) return std::unexpected(std::move(user.error()));
    auto visible = visible_image(request.name, *user);
    if (!visible) return std::unexpected(std::move(visible.error()));
    const ImageRecord* record = visible->get();
    if (record->owner == *user && repeats_last_share(request, *record)) {
        return share_reply(*record);  // a retry: the answer it had
    }
    auto validated = validate_share(request, *record, *user,
                                    ShareRules{config_.ca_verify_key, clock_->now_seconds()});
    if (!validated) return std::unexpected(std::move(validated.error()));
    auto batch = store_->batch();
    auto shared =
        catalog_.share_in(batch, ImageRecord(*record), request.envelope, request.signature,
                          validated->envelope.recipients, request.grants);
    if (auto written = write_for_group_commit(std::move(batch)); !written) {
        return std::unexpected(std::move(written.error()));
    }
    catalog_.committed(shared);
    return share_reply(shared);
}

Result<void> StorageService::write_for_group_commit(Batch batch) {
    auto written = store_->write(std::move(batch), Durability::Buffered);
    if (written) unsynced_ = true;
    return written;
}

Result<void> StorageService::make_durable() {
    if (!unsynced_) return {};
    auto synced = store_->sync();
    if (synced) unsynced_ = false;
    return synced;
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

namespace {

template <class Reply>
Result<service::Outgoing> answer(Result<Reply> reply) {
    if (!reply) return std::unexpected(std::move(reply.error()));
    return service::ok(*reply);
}

}  // namespace

void serve(StorageService& storage, service::ServiceWorker& worker) {
    using service::RequestContext;
    worker.on<PostBeginRequest>(
        [&](const PostBeginRequest& request, const RequestContext& context) {
            return answer(storage.post_begin(request, context));
        });
    worker.on<PostChunkRequest>(
        [&](const PostChunkRequest& request, const RequestContext& context) {
            return answer(storage.post_chunk(request, context));
        });
    worker.on<PostCommitRequest>(
        [&](const PostCommitRequest& request, const RequestContext& context) {
            return answer(storage.post_commit(request, context));
        });
    worker.on<PostImageRequest>(
        [&](const PostImageRequest& request, const RequestContext& context) {
            return answer(storage.post_image(request, context));
        });
    worker.on<ListRequest>([&](const ListRequest& request, const RequestContext& context) {
        return answer(storage.list(request, context));
    });
    worker.on<DownloadRequest>([&](const DownloadRequest& request,
                                   const RequestContext& context) -> Result<service::Outgoing> {
        auto reply = storage.download(request, context);
        if (!reply) return std::unexpected(std::move(reply.error()));
        // The first chunk rides along: a reader of a one-chunk image needs no GET_CHUNK.
        auto first = storage.get_chunk(GetChunkRequest{request.name, 0}, context);
        if (!first) return std::unexpected(std::move(first.error()));
        return service::ok(*reply, std::move(first->chunk));
    });
    worker.on<GetChunkRequest>([&](const GetChunkRequest& request,
                                   const RequestContext& context) -> Result<service::Outgoing> {
        auto chunk = storage.get_chunk(request, context);
        if (!chunk) return std::unexpected(std::move(chunk.error()));
        return service::ok(chunk->reply, std::move(chunk->chunk));
    });
    worker.on<ShareRequest>([&](const ShareRequest& request, const RequestContext& context) {
        return answer(storage.share(request, context));
    });
    worker.on_durability({[&] { return storage.has_unsynced_writes(); },
                          [&] { return storage.make_durable(); }});
    worker.on_tick([&] { storage.expire_uploads(); });
}

}  // namespace imgshare::storage
