// The storage node's upload handlers: POST_BEGIN, POST_CHUNK, POST_COMMIT,
// POST_IMAGE, UPLOADS, USAGE and ABANDON (storage_service.h states what they
// promise). POST_CHUNK, POST_COMMIT and ABANDON find their upload through one
// open_upload().
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <tuple>

#include "common/crypto/sha256.h"
#include "common/envelope.h"
#include "storage-node/post_validation.h"
#include "storage-node/storage_service.h"

namespace imgshare::storage {
namespace {

constexpr std::string_view kNoSuchUpload =
    "no such upload (it was never begun, or it expired or was abandoned)";

PostCommitReply commit_reply(const ImageRecord& record) {
    return PostCommitReply{record.name,       record.owner, record.seq,       record.size,
                           record.created_at, record.mode,  record.recipients};
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
                      const Envelope& envelope, std::int64_t now_seconds,
                      std::int64_t expires_at) {
    ImageRecord record{
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
    record.expires_at = expires_at;
    record.max_downloads = envelope.max_downloads;
    return record;
}

}  // namespace

Result<StorageService::CheckedPost> StorageService::check_post(
    const PostBeginRequest& request, const service::RequestContext& context) {
    auto user = sender_of(context);
    if (!user) return std::unexpected(std::move(user.error()));
    auto post = validate_post(
        request, *user, PostRules{certificates_, config_.max_image_bytes, clock_->now_seconds()});
    if (!post) return std::unexpected(std::move(post.error()));
    if (auto ok = check_expiry(post->envelope); !ok) return std::unexpected(std::move(ok.error()));
    return CheckedPost{std::move(*user), std::move(post->envelope)};
}

Result<PostBeginReply> StorageService::post_begin(const PostBeginRequest& request,
                                                  const service::RequestContext& context) {
    auto checked = check_post(request, context);
    if (!checked) return std::unexpected(std::move(checked.error()));
    const auto& [user, envelope] = *checked;
    // The id binds the signed envelope, and with it the owner: a retry finds its upload.
    auto upload = UploadId::of(request.envelope, request.signature);

    // One look at the store for a new upload (the usual case): neither pending nor committed.
    auto state = catalog_.upload_state(upload);
    if (!state) return std::unexpected(std::move(state.error()));
    if (state->pending) {
        auto session = sessions_.find(upload);
        if (!session) return std::unexpected(std::move(session.error()));
        if (*session) {
            if (auto recovered = sessions_.recover(upload); !recovered) {
                return std::unexpected(std::move(recovered.error()));
            }
            auto next = sessions_.first_missing_chunk(upload, envelope.chunk_count);
            if (!next) return std::unexpected(std::move(next.error()));
            if (auto resumed = sessions_.resume(upload, **session); !resumed) {
                return std::unexpected(std::move(resumed.error()));
            }
            return PostBeginReply{upload.text(), *next};
        }
        // Committed since the look (here or on another node): the name says so below.
    }
    if (state->committed_name) return PostBeginReply{upload.text(), envelope.chunk_count};

    auto taken = catalog_.contains(envelope.name);
    if (!taken) return std::unexpected(std::move(taken.error()));
    if (*taken) {
        // Held by this very upload: it was committed, by a commit that finished since the
        // look above or by a POST_IMAGE of the same envelope (which, on RADOS, notes its
        // commit only in the image until it finishes). Nothing is missing.
        auto held = catalog_.find(envelope.name);
        if (!held) return std::unexpected(std::move(held.error()));
        if (*held && as_string((*held)->upload) == upload.key()) {
            return PostBeginReply{upload.text(), envelope.chunk_count};
        }
        auto freed = free_spent_name(envelope.name);
        if (!freed) return std::unexpected(std::move(freed.error()));
        if (!*freed) {
            return fail(ErrorCode::NAME_TAKEN,
                        fmt::format("the name '{}' is taken", envelope.name));
        }
    }
    if (sessions_.pending_count(user) >= config_.max_pending_uploads_per_user) {
        return fail(ErrorCode::RATE_LIMITED,
                    fmt::format("you have {} uploads pending; finish or abandon one first",
                                config_.max_pending_uploads_per_user));
    }
    if (auto fits = check_quota(user, upload, envelope.padded_size); !fits) {
        return std::unexpected(std::move(fits.error()));
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

Result<StorageService::OpenUpload> StorageService::open_upload(
    std::string_view upload_text, const service::RequestContext& context) {
    auto user = sender_of(context);
    if (!user) return std::unexpected(std::move(user.error()));
    auto id = UploadId::parse(upload_text);
    if (!id) return std::unexpected(std::move(id.error()));
    auto session = sessions_.find(*id);
    if (!session) return std::unexpected(std::move(session.error()));
    if (*session && (*session)->owner == *user) {
        if (auto recovered = sessions_.recover(*id); !recovered) {
            return std::unexpected(std::move(recovered.error()));
        }
        auto envelope = stored_envelope((*session)->envelope);
        if (!envelope) return std::unexpected(std::move(envelope.error()));
        return OpenUpload{std::move(*id), std::move(*session), std::nullopt, std::move(*envelope)};
    }
    // Not pending for this sender: a retry of a request that already succeeded finds what
    // the upload became; anything else is an unknown upload.
    auto record = committed_from(*id, *user);
    if (!record) return std::unexpected(std::move(record.error()));
    auto envelope = stored_envelope(record->envelope);
    if (!envelope) return std::unexpected(std::move(envelope.error()));
    return OpenUpload{std::move(*id), nullptr, std::move(*record), std::move(*envelope)};
}

Result<PostChunkReply> StorageService::post_chunk(const PostChunkRequest& request,
                                                  const service::RequestContext& context) {
    auto upload = open_upload(request.upload, context);
    if (!upload) return std::unexpected(std::move(upload.error()));
    if (auto fits = check_chunk(upload->envelope, request.index, context.payload.size()); !fits) {
        return std::unexpected(std::move(fits.error()));
    }
    // A late retry of a chunk of an upload committed since: the answer it had.
    if (upload->committed) return PostChunkReply{request.index};
    sessions_.touch(upload->id);
    auto stored = sessions_.has_chunk(upload->id, request.index);
    if (!stored) return std::unexpected(std::move(stored.error()));
    if (*stored) return PostChunkReply{request.index};  // a retry: keep the first copy
    if (auto written = sessions_.store_chunk(upload->id, request.index, context.payload);
        !written) {
        return std::unexpected(std::move(written.error()));
    }
    return PostChunkReply{request.index};
}

Result<PostCommitReply> StorageService::post_commit(const PostCommitRequest& request,
                                                    const service::RequestContext& context) {
    auto upload = open_upload(request.upload, context);
    if (!upload) return std::unexpected(std::move(upload.error()));
    if (upload->committed) return commit_reply(*upload->committed);  // a retry after success
    const auto& id = upload->id;
    const auto& envelope = upload->envelope;
    auto missing = sessions_.first_missing_chunk(id, envelope.chunk_count);
    if (!missing) return std::unexpected(std::move(missing.error()));
    if (*missing < envelope.chunk_count) {
        return fail(ErrorCode::BAD_REQUEST, fmt::format("missing chunk {}", *missing));
    }
    // An upload that can never be committed is discarded at once, so the owner can post
    // again from the start.
    auto discard_refused = [&](Error refused) {
        if (auto discarded = sessions_.discard(id); !discarded) {
            spdlog::warn("could not discard upload {}: {}", id.text(), discarded.error().message);
        }
        refused.message += "; the upload was discarded";
        return std::unexpected(std::move(refused));
    };
    if (auto refused = check_commit(id, envelope); !refused) {
        return discard_refused(std::move(refused.error()));
    }

    if (auto ready = sessions_.commit_ready(id); !ready) {
        return std::unexpected(std::move(ready.error()));
    }
    const auto& pending = *upload->session;
    const auto now = clock_->now_seconds();
    const CommitRecord commit{
        record_of(id, pending.owner, pending, envelope, now, expiry_of(envelope, now)),
        pending.grants, std::nullopt};
    auto record = commit_for_group_sync(commit);
    if (!record && record.error().code == ErrorCode::NAME_TAKEN) {
        // Held by an image that expired (or served its downloads) since POST_BEGIN, not yet
        // swept: it goes now, and this one takes the name.
        auto freed = free_spent_name(envelope.name);
        if (freed && *freed) record = commit_for_group_sync(commit);
    }
    if (!record && record.error().code == ErrorCode::NAME_TAKEN) {
        return discard_refused(
            Error{ErrorCode::NAME_TAKEN,
                  fmt::format("the name '{}' was taken while uploading", envelope.name)});
    }
    if (!record) return std::unexpected(std::move(record.error()));
    sessions_.committed(id);
    return commit_reply(*record);
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
    auto state = catalog_.upload_state(upload);  // one look at the store, both questions
    if (!state) return std::unexpected(std::move(state.error()));
    if (state->committed_name) {
        auto record = committed_from(upload, user);
        if (!record) return std::unexpected(std::move(record.error()));
        return commit_reply(*record);  // a retry: the answer it had
    }
    if (state->pending) {
        // Its chunk keys are this image's: committing beside the session would let the
        // session's expiry delete the committed chunk.
        return fail(ErrorCode::BAD_REQUEST,
                    "this image's upload was begun with POST_BEGIN; finish it with POST_CHUNK "
                    "and POST_COMMIT");
    }
    if (auto fits = check_quota(user, upload, envelope.padded_size); !fits) {
        return std::unexpected(std::move(fits.error()));
    }
    if (auto fits = check_chunk(envelope, 0, context.payload.size()); !fits) {
        return std::unexpected(std::move(fits.error()));
    }
    // Corruption on the way in is caught before anything is written or acknowledged.
    if (sha256(context.payload) != envelope.ciphertext_sha256) {
        return fail(ErrorCode::INTEGRITY,
                    "the chunk does not hash to the envelope's ciphertext_sha256");
    }
    const auto now = clock_->now_seconds();
    const CommitRecord commit{
        record_of(upload, user, request, envelope, now, expiry_of(envelope, now)),
        request.grants, ByteView(context.payload)};
    auto record = commit_for_group_sync(commit);
    if (!record && record.error().code == ErrorCode::NAME_TAKEN) {
        auto freed = free_spent_name(envelope.name);  // an expired image not yet swept
        if (freed && *freed) record = commit_for_group_sync(commit);
    }
    if (!record && record.error().code == ErrorCode::NAME_TAKEN) {
        return fail(ErrorCode::NAME_TAKEN, fmt::format("the name '{}' is taken", envelope.name));
    }
    if (!record) return std::unexpected(std::move(record.error()));
    return commit_reply(*record);
}

Result<UploadsReply> StorageService::uploads(const UploadsRequest&,
                                             const service::RequestContext& context) {
    auto user = sender_of(context);
    if (!user) return std::unexpected(std::move(user.error()));
    UploadsReply reply;
    for (const auto& id : sessions_.pending_of(*user)) {
        auto session = sessions_.find(id);
        if (!session) return std::unexpected(std::move(session.error()));
        if (!*session) continue;  // unreadable when the node started: it will expire
        auto envelope = stored_envelope((*session)->envelope);
        if (!envelope) return std::unexpected(std::move(envelope.error()));
        // The count a resumed upload would go on from, even after a crash.
        if (auto recovered = sessions_.recover(id); !recovered) {
            return std::unexpected(std::move(recovered.error()));
        }
        auto stored = sessions_.chunks_stored(id);
        if (!stored) return std::unexpected(std::move(stored.error()));
        reply.uploads.push_back(PendingUpload{id.text(), envelope->name, envelope->mode,
                                              envelope->padded_size, envelope->chunk_count,
                                              *stored, (*session)->created_at,
                                              sessions_.expires_at(id)});
    }
    std::ranges::sort(reply.uploads, {}, [](const PendingUpload& upload) {
        return std::tie(upload.created_at, upload.upload);
    });
    return reply;
}

Result<AbandonReply> StorageService::abandon(const AbandonRequest& request,
                                             const service::RequestContext& context) {
    auto upload = open_upload(request.upload, context);
    if (!upload) return std::unexpected(std::move(upload.error()));
    if (upload->committed) {
        return fail(ErrorCode::BAD_REQUEST,
                    fmt::format("upload {} was committed as '{}' (seq {}): a committed image "
                                "cannot be abandoned",
                                upload->id.text(), upload->committed->name,
                                upload->committed->seq));
    }
    auto stored = sessions_.chunks_stored(upload->id);
    if (!stored) return std::unexpected(std::move(stored.error()));
    if (auto discarded = sessions_.discard(upload->id); !discarded) {
        return std::unexpected(std::move(discarded.error()));
    }
    spdlog::info("upload {} abandoned by its owner; its {} chunks were removed",
                 upload->id.text(), *stored);
    return AbandonReply{upload->id.text(), upload->envelope.name, *stored};
}

Result<void> StorageService::check_commit(const UploadId& upload, const Envelope& envelope) const {
    // Corruption on the way in is caught here, before anything is acknowledged (at rest,
    // the store's checksums and every reader's verification catch it).
    auto digest = sessions_.ciphertext_digest(upload, envelope);
    if (!digest) return std::unexpected(std::move(digest.error()));
    if (*digest != envelope.ciphertext_sha256) {
        return fail(ErrorCode::INTEGRITY,
                    "the chunks do not hash to the envelope's ciphertext_sha256");
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
    if (as_string((*record)->upload) != upload.key()) {
        // Its owner deleted it (the name may hold a later post now).
        return fail(ErrorCode::NOT_FOUND, "the image this upload became was deleted");
    }
    return **record;
}

}  // namespace imgshare::storage
