// Bodies of the storage service's owner controls (DELETE, SHARE) and their OK replies.
// Part of messages.h; see there for the conventions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"
#include "common/protocol/fields.h"
#include "common/protocol/limits.h"
#include "common/protocol/message_types.h"
#include "common/protocol/storage_upload_messages.h"

namespace imgshare {

// The owner deletes one of their images (common/deletion.h): its record, grants and chunks
// go at once; LIST no longer shows it, DOWNLOAD and GET_CHUNK answer NOT_FOUND, and the name
// may be posted again. Answered with the image as it was (DeleteReply); the broker then
// publishes IMAGE_DELETED on the topics its NEW_IMAGE went to.
struct DeleteRequest {
    static constexpr std::string_view kType = "DELETE";
    static constexpr std::string_view kService = kStorageService;
    static constexpr Sender kSentBy = Sender::registered_user;
    std::string name;
    Bytes statement;  // the owner's signed deletion statement (common/deletion.h)
    static constexpr auto fields() {
        return std::make_tuple(field("name", &DeleteRequest::name, kMaxImageNameBytes),
                               field("statement", &DeleteRequest::statement, kMaxDeletionBytes));
    }
    bool operator==(const DeleteRequest&) const = default;
};

// The image that was deleted, as LIST showed it but for `seq`: the deletion's own feed entry;
// `recipients` (e2e) every reader it had, owner included.
// POST_COMMIT's reply's fields: the broker publishes both to the image's readers.
struct DeleteReply : PostCommitReply {
    static constexpr auto fields() { return PostCommitReply::fields(); }
    bool operator==(const DeleteReply&) const = default;
};

struct ShareRequest {
    static constexpr std::string_view kType = "SHARE";
    static constexpr std::string_view kService = kStorageService;
    static constexpr Sender kSentBy = Sender::registered_user;
    std::string name;
    Bytes envelope;  // the re-signed envelope: the recipient list grown or shrunk, revision + 1
    Bytes signature;
    std::vector<Grant> grants;
    // The owner's current certificate. The envelope names the one the image was posted
    // with, which may have expired since; this one, for the same name and signing key and
    // valid now, shows the owner renewed and may still share.
    Bytes certificate;
    static constexpr auto fields() {
        using M = ShareRequest;
        return std::make_tuple(field("name", &M::name, kMaxImageNameBytes),
                               field("envelope", &M::envelope, kMaxEnvelopeBytes),
                               field("signature", &M::signature),
                               field("grants", &M::grants, kMaxRecipients),
                               field("certificate", &M::certificate, kMaxCertificateBytes));
    }
    bool operator==(const ShareRequest&) const = default;
};

// The image as the share left it, and the feed entry that announces it to the
// recipients the share added (the broker publishes NEW_IMAGE to them alone) and, for a
// revoke, tells the recipients it removed that it is gone for them (IMAGE_DELETED).
struct ShareReply {
    static constexpr std::string_view kType = kOkType;
    std::vector<std::string> recipients;  // every reader afterwards, owner included, sorted
    std::vector<std::string> added = {};  // the recipients this share added, sorted
    std::string name = {};
    std::string owner = {};
    std::uint64_t seq = 0;  // the share's own feed entry
    std::uint64_t size = 0;
    std::int64_t created_at = 0;
    std::string mode = {};
    std::vector<std::string> removed = {};  // the recipients this share took back, sorted
    static constexpr auto fields() {
        using M = ShareReply;
        return std::make_tuple(
            field("recipients", &M::recipients, kMaxRecipients),
            field("added", &M::added, kMaxRecipients), field("name", &M::name, kMaxImageNameBytes),
            field("owner", &M::owner), field("seq", &M::seq), field("size", &M::size),
            field("created_at", &M::created_at), field("mode", &M::mode),
            optional_field("removed", &M::removed, kMaxRecipients));
    }
    bool operator==(const ShareReply&) const = default;
};

}  // namespace imgshare
