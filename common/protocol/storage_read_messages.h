// Bodies of the storage service's read messages (LIST, DOWNLOAD, GET_CHUNK) and their OK
// replies, with ImageSummary (a LIST item) and ImageEvent (what XPUB publishes).
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

struct ListRequest {
    static constexpr std::string_view kType = "LIST";
    static constexpr std::string_view kService = kStorageService;
    static constexpr Sender kSentBy = Sender::registered_user;
    std::uint64_t after_seq = 0;
    std::uint32_t limit = 100;
    static constexpr auto fields() {
        return std::make_tuple(optional_field("after_seq", &ListRequest::after_seq),
                               optional_field("limit", &ListRequest::limit));
    }
    bool operator==(const ListRequest&) const = default;
};

struct ImageSummary {
    std::string name, owner;
    std::uint64_t seq = 0;
    std::uint64_t size = 0;
    std::int64_t created_at = 0;
    std::string mode;
    // e2e only: every reader the owner signed for, owner included. Absent for escrow images.
    std::optional<std::vector<std::string>> recipients = std::nullopt;
    // When the storage node stops serving it (Unix seconds), absent for an image that does
    // not expire; how many more complete downloads it serves, absent for an image without a
    // limit. LIST items only: an event leaves both out.
    std::optional<std::int64_t> expires_at = std::nullopt;
    std::optional<std::uint32_t> downloads_left = std::nullopt;
    static constexpr auto fields() {
        using M = ImageSummary;
        return std::make_tuple(
            field("name", &M::name, kMaxImageNameBytes), field("owner", &M::owner),
            field("seq", &M::seq), field("size", &M::size), field("created_at", &M::created_at),
            field("mode", &M::mode), field("recipients", &M::recipients, kMaxRecipients),
            field("expires_at", &M::expires_at), field("downloads_left", &M::downloads_left));
    }
    bool operator==(const ImageSummary&) const = default;
};

// What an event announces (ImageEvent::event).
inline constexpr std::string_view kNewImageEvent = "NEW_IMAGE";          // a post or a share
inline constexpr std::string_view kImageDeletedEvent = "IMAGE_DELETED";  // its owner deleted it

// Published on XPUB as [topic][body] (see event.h), never with a header. NEW_IMAGE: the
// feed entry the event announces, with the same fields as a LIST item. IMAGE_DELETED: the
// image that was deleted, as LIST showed it but for `seq`, the deletion's own feed entry (so
// a watcher's feed position moves on without a gap), on the topics its NEW_IMAGE went to.
struct ImageEvent : ImageSummary {
    static constexpr std::string_view kType = "event";  // as decode errors name it
    // Absent for NEW_IMAGE (whose body is exactly a LIST item, as before deletions existed);
    // kImageDeletedEvent for IMAGE_DELETED. decode_event refuses any other value.
    std::optional<std::string> event;
    [[nodiscard]] bool is_deletion() const { return event == kImageDeletedEvent; }
    static constexpr auto fields() {
        return std::tuple_cat(ImageSummary::fields(),
                              std::make_tuple(field("event", &ImageEvent::event)));
    }
    bool operator==(const ImageEvent&) const = default;
};

struct ListReply {
    static constexpr std::string_view kType = kOkType;
    std::vector<ImageSummary> items;
    std::uint64_t last_seq = 0;  // the cursor: pass it as after_seq to continue
    bool more = false;           // the feed held entries after last_seq: list again
    static constexpr auto fields() {
        return std::make_tuple(field("items", &ListReply::items, kMaxListLimit),
                               field("last_seq", &ListReply::last_seq),
                               field("more", &ListReply::more));
    }
    bool operator==(const ListReply&) const = default;
};

struct DownloadRequest {
    static constexpr std::string_view kType = "DOWNLOAD";
    static constexpr std::string_view kService = kStorageService;
    static constexpr Sender kSentBy = Sender::registered_user;
    std::string name;
    static constexpr auto fields() {
        return std::make_tuple(field("name", &DownloadRequest::name, kMaxImageNameBytes));
    }
    bool operator==(const DownloadRequest&) const = default;
};

// Followed by the image's first ciphertext chunk as the payload frame, so that a
// reader of an image of one chunk needs no GET_CHUNK (the rest: GET_CHUNK 1, 2, …).
struct DownloadReply {
    static constexpr std::string_view kType = kOkType;
    static constexpr bool kCarriesPayload = true;  // chunk 0
    Bytes certificate;                             // the owner's
    Bytes envelope;
    Bytes signature;
    Bytes wrapped_key;  // the content key sealed to the requester
    std::string mode;   // kEscrowMode (the broker has the CA re-wrap the key) or kEndToEndMode
    static constexpr auto fields() {
        using M = DownloadReply;
        return std::make_tuple(field("certificate", &M::certificate, kMaxCertificateBytes),
                               field("envelope", &M::envelope, kMaxEnvelopeBytes),
                               field("signature", &M::signature),
                               field("wrapped_key", &M::wrapped_key), field("mode", &M::mode));
    }
    bool operator==(const DownloadReply&) const = default;
};

struct GetChunkRequest {
    static constexpr std::string_view kType = "GET_CHUNK";
    static constexpr std::string_view kService = kStorageService;
    static constexpr Sender kSentBy = Sender::registered_user;
    std::string name;
    std::uint32_t index = 0;
    static constexpr auto fields() {
        return std::make_tuple(field("name", &GetChunkRequest::name, kMaxImageNameBytes),
                               field("index", &GetChunkRequest::index));
    }
    bool operator==(const GetChunkRequest&) const = default;
};

struct GetChunkReply {
    static constexpr std::string_view kType = kOkType;
    static constexpr bool kCarriesPayload = true;  // the ciphertext chunk
    std::uint32_t index = 0;
    static constexpr auto fields() {
        return std::make_tuple(field("index", &GetChunkReply::index));
    }
    bool operator==(const GetChunkReply&) const = default;
};

}  // namespace imgshare
