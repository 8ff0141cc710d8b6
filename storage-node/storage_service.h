// The storage node's request handlers: one method per message, each taking the
// decoded request and the context the broker stamped (who sent it, the
// payload frame), returning the reply or an Error that goes back as is. The
// methods live in upload_handlers.cpp (POST_*, UPLOADS, ABANDON), read_handlers.cpp
// (LIST, DOWNLOAD, GET_CHUNK), owner_controls.cpp (USAGE, the quota, expiry and spent
// images) and storage_service.cpp (SHARE, DELETE, serve()).
//
// Promises, for every handler:
// - The sender is context.peer, never a field of the message; any peer but a
//   registered user (UserPeer) is NOT_REGISTERED before anything else is
//   looked at.
// - Every request is idempotent: a repeated POST_BEGIN, POST_CHUNK,
//   POST_COMMIT or POST_IMAGE for the same upload changes nothing and answers
//   as the first (so a retry of a post that was committed learns the commit,
//   never NAME_TAKEN); a repeated ABANDON changes nothing either, and answers
//   NOT_FOUND.
// - POST_COMMIT (and POST_IMAGE, with its one chunk) makes the image, its
//   grants and its feed entry visible at once (StorageBackend::commit); a
//   name is committed at most once; nothing is ever overwritten.
// - With a quota (StorageConfig::quota_bytes_per_user), a new POST_BEGIN or
//   POST_IMAGE is QUOTA_EXCEEDED, giving the figures, when the owner's committed
//   images and other pending uploads and this image (padded sizes) would exceed
//   it; nothing is stored. The owner is the sender, so only the owner's own
//   images count and only the owner's post is refused. The commit
//   is durable only after the backend's sync(): make_durable() syncs every
//   commit since the last one at once (group commit), and serve() has the
//   worker hold every reply from a commit's on until then, so no
//   acknowledgement, and no answer that shows the image, leaves before it is
//   durable.
// - An e2e image the sender may not see is answered exactly like a missing
//   name (NOT_FOUND, same message) and never listed.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/certificate.h"
#include "common/clock.h"
#include "common/error.h"
#include "common/protocol/messages.h"
#include "common/service/service_worker.h"
#include "storage-node/image_catalog.h"
#include "storage-node/storage_backend.h"
#include "storage-node/upload_sessions.h"

namespace imgshare::storage {

struct StorageConfig {
    Bytes ca_verify_key;                         // verifies owners' certificates
    std::uint64_t max_image_bytes = 1ull << 30;  // largest padded image accepted
    std::int64_t upload_timeout_ms = 600'000;    // idle pending uploads are removed
    std::size_t max_pending_uploads_per_user = 4;
    // Padded bytes each user may store, committed and pending together; 0: no quota.
    std::uint64_t quota_bytes_per_user = 0;
    std::uint32_t list_scan_budget = 4 * kMaxListLimit;  // feed entries examined per LIST
    std::size_t list_reply_bytes = kMaxListReplyBytes;   // encoded items per LIST page
    // How long an image may be kept at most (0: no bound): a later signed expires_at is
    // refused at POST_BEGIN, and an image posted without one expires then.
    std::int64_t max_expiry_seconds = 0;
    // How long an image posted without an expiry is kept (0: for good; at most the above).
    std::int64_t default_expiry_seconds = 0;
};

// GET_CHUNK's reply and the chunk, its payload frame.
using ChunkReply = service::WithPayload<GetChunkReply>;

class StorageService {
  public:
    // Loads the pending uploads and the feed position from `backend`;
    // `backend` and `clock` must outlive the service.
    [[nodiscard]] static Result<StorageService> open(StorageBackend& backend, const Clock& clock,
                                                     StorageConfig config);

    [[nodiscard]] Result<PostBeginReply> post_begin(const PostBeginRequest& request,
                                                    const service::RequestContext& context);
    [[nodiscard]] Result<PostChunkReply> post_chunk(const PostChunkRequest& request,
                                                    const service::RequestContext& context);
    [[nodiscard]] Result<PostCommitReply> post_commit(const PostCommitRequest& request,
                                                      const service::RequestContext& context);
    // A whole image of one chunk in one request: POST_BEGIN's checks, then the chunk's size
    // and the envelope's ciphertext digest (INTEGRITY), then the image, its chunk, grants and
    // feed entry in one commit (NAME_TAKEN when the name is held), durable before the reply.
    // BAD_REQUEST for an envelope of more chunks, or when the same upload was begun with
    // POST_BEGIN and is pending.
    [[nodiscard]] Result<PostCommitReply> post_image(const PostImageRequest& request,
                                                     const service::RequestContext& context);
    // The sender's pending uploads, oldest first: what each would be, how much of it is
    // stored and when it expires unless it is used.
    [[nodiscard]] Result<UploadsReply> uploads(const UploadsRequest& request,
                                               const service::RequestContext& context);
    // The sender's usage: their committed images (StorageBackend::usage), their pending
    // uploads as this node knows them (UploadSessions::pending_use) and the quota.
    [[nodiscard]] Result<UsageReply> usage(const UsageRequest& request,
                                           const service::RequestContext& context);
    // Ends one of the sender's pending uploads now (UploadSessions::discard): its session
    // and chunks go, and so does its place among the sender's pending uploads. NOT_FOUND as
    // for an unknown upload when it is not pending for the sender (a repeat finds nothing);
    // BAD_REQUEST, naming the image, when it was committed.
    [[nodiscard]] Result<AbandonReply> abandon(const AbandonRequest& request,
                                               const service::RequestContext& context);
    [[nodiscard]] Result<ListReply> list(const ListRequest& request,
                                         const service::RequestContext& context) const;
    // The record a reader needs (the key: the requester's grant, or sealed to the server for
    // the CA to re-wrap).
    [[nodiscard]] Result<DownloadReply> download(const DownloadRequest& request,
                                                 const service::RequestContext& context) const;
    // DOWNLOAD's whole answer: download()'s record with chunk 0 (get_chunk) as its payload.
    // An image with a download limit gets no chunk (an empty payload): every
    // chunk of it comes by GET_CHUNK, whose last one counts the download.
    [[nodiscard]] Result<service::WithPayload<DownloadReply>> download_with_first_chunk(
        const DownloadRequest& request, const service::RequestContext& context) const;
    // For an image with a download limit, serving the last chunk counts one
    // complete download (StorageBackend::count_download; NOT_FOUND, as for a
    // missing name, once the limit was reached), and the download that reaches
    // the limit removes the image, its answer still carrying the chunk.
    [[nodiscard]] Result<ChunkReply> get_chunk(const GetChunkRequest& request,
                                               const service::RequestContext& context);
    // The owner changes an e2e image's recipient list (share_validation.h): the
    // new envelope, its signature and the added grants replace the old at once,
    // the removed readers' grants go, with a new feed entry
    // (StorageBackend::share, durable before the reply), announced to the added
    // recipients only. NOT_FOUND as for a missing name when the sender may not
    // see the image. A repeat of the last share answers as it did and changes
    // nothing.
    [[nodiscard]] Result<ShareReply> share(const ShareRequest& request,
                                           const service::RequestContext& context);

    // The owner deletes an image (common/deletion.h): NOT_FOUND as for a missing name when
    // the sender may not see it; FORBIDDEN when the sender is not its owner; then
    // check_deletion's refusals against the key of the certificate it was posted with
    // (BAD_SIGNATURE, STALE). The image goes at once (ImageCatalog::remove), durable before
    // the reply, which is the image as LIST showed it with the deletion's feed entry as seq.
    [[nodiscard]] Result<DeleteReply> delete_image(const DeleteRequest& request,
                                                   const service::RequestContext& context);

    // Whether a commit or share since the last make_durable() is not yet durable, or the
    // backend has chunk writes under way (StorageBackend::has_unsettled_writes).
    [[nodiscard]] bool has_unsynced_writes() const {
        return unsynced_ || backend_->has_unsettled_writes();
    }
    // One sync for all of them (StorageBackend::sync). When it fails, the chunks stored
    // since the last one may not all be there: the uploads are recovered before their next
    // use (UploadSessions::forget_received).
    [[nodiscard]] Result<void> make_durable();

    // The worker's tick, once a second: ends a stop of writes (a full disk) as soon as the
    // store takes writes again (StorageBackend::resume_writes), then expires uploads and
    // gives back the space of deleted images (StorageBackend::reclaim_space).
    void housekeeping();
    // Removes idle pending uploads.
    void expire_uploads();
    // Removes images whose expiry has passed (a bounded number per call), as a DELETE
    // would but with no event; they were answered NOT_FOUND from their expiry on.
    void expire_images();

  private:
    StorageService(StorageBackend& backend, const Clock& clock, StorageConfig config,
                   UploadSessions sessions, ImageCatalog catalog);

    // The registered user who sent a request; NOT_REGISTERED for any other peer.
    [[nodiscard]] static Result<std::string> sender_of(const service::RequestContext& context);

    struct CheckedPost {
        std::string user;  // the authenticated sender
        Envelope envelope;
    };
    // The upload a POST_CHUNK or POST_COMMIT names, as its sender may see it.
    struct OpenUpload {
        UploadId id;
        std::shared_ptr<const UploadSession> session;  // pending: the sender's own session
        std::optional<ImageRecord> committed;          // or committed already: what it became
        Envelope envelope;                             // of the session or the record
    };
    // NOT_REGISTERED as sender_of; BAD_REQUEST for a malformed id; NOT_FOUND (one message)
    // when the upload is neither pending for the sender nor committed by them.
    // A pending upload is recovered first (UploadSessions::recover).
    [[nodiscard]] Result<OpenUpload> open_upload(std::string_view upload,
                                                 const service::RequestContext& context);
    // The sender, and POST_BEGIN's checks of `request` (post_validation.h).
    [[nodiscard]] Result<CheckedPost> check_post(const PostBeginRequest& request,
                                                 const service::RequestContext& context);
    // A signed expires_at must be in the future (BAD_REQUEST) and within max_expiry_seconds
    // (TOO_LARGE).
    [[nodiscard]] Result<void> check_expiry(const Envelope& envelope) const;
    // When an image committed at `now` stops being served: its signed expires_at, else the
    // node's default or maximum, else never (0).
    [[nodiscard]] std::int64_t expiry_of(const Envelope& envelope, std::int64_t now) const;
    // Removes `record` for a reason of its own (expired, out of downloads): the catalog's
    // remove, a sync owed. Failing costs only space: it stays answered NOT_FOUND.
    void remove_spent(const ImageRecord& record, std::string_view why);
    // When the image holding `name` is spent (expired, or out of downloads) but not yet
    // removed, removes it: true when the name is then free. False when it holds a live
    // image (NAME_TAKEN stands).
    [[nodiscard]] Result<bool> free_spent_name(std::string_view name);
    // QUOTA_EXCEEDED, with the figures, when `user`'s images, their pending uploads but
    // `upload`, and `padded_size` more would exceed the quota.
    [[nodiscard]] Result<void> check_quota(std::string_view user, const UploadId& upload,
                                           std::uint64_t padded_size) const;
    // What upload `upload` of `user` became once committed; NOT_FOUND as for an
    // unknown upload when it was not committed, or not by `user`.
    [[nodiscard]] Result<ImageRecord> committed_from(const UploadId& upload,
                                                     std::string_view user) const;
    // The check a complete upload must pass before it is committed: its chunks hash to the
    // envelope's digest (INTEGRITY). The name is the commit's to check.
    [[nodiscard]] Result<void> check_commit(const UploadId& upload, const Envelope& envelope) const;
    struct VisibleImage {
        std::string user;  // the sender
        SharedRecord record;
    };
    // Image `name` as the sender may see it: NOT_REGISTERED as sender_of; NOT_FOUND, one
    // message, for a missing name and for an image the sender may not see.
    [[nodiscard]] Result<VisibleImage> visible_image(std::string_view name,
                                                     const service::RequestContext& context) const;
    // Commits through the catalog, and notes that a sync is owed (group commit).
    [[nodiscard]] Result<ImageRecord> commit_for_group_sync(const CommitRecord& commit);

    StorageBackend* backend_;
    const Clock* clock_;
    StorageConfig config_;
    CertificateVerifier certificates_;  // owners' certificates, against config_.ca_verify_key
    UploadSessions sessions_;
    ImageCatalog catalog_;
    bool unsynced_ = false;
};

// Registers every handler and the expiry tick on `worker`.
void serve(StorageService& service, service::ServiceWorker& worker);

}  // namespace imgshare::storage
