// The object and omap-key layout of the RADOS backend (rados_backend.h), in one place, so
// the backend, its tests' probe and the migration tool agree on it (docs/STORAGE.md, "The
// RADOS backend"):
//
//   img.<name>        data: ImageRecord as finished (empty until the post is finished)
//                     omap: stage.<k8>   -> StagedChange: change k staged, not yet finished
//                           applied      -> <k8>, the last change finished (0: the post)
//                           grant.<user> -> sealed content key (e2e)
//                           dl.<upload id hex> -> u64be complete downloads counted
//   feed              omap: head         -> u64be, the last seq taken
//                           s.<seq16>    -> name (a post's or a share's entry)
//                           p.<name>/<k8> -> u64be seq: change k of name is published
//                           x.<upload id hex> -> u64be seq: the deletion of the image that
//                                                upload became is published
//                           u.<user>/<upload id hex> -> u64be padded size: an image of
//                                                <user> (the usage index; usage() scans it)
//                           o.<upload id hex> -> <user>: whose u. key that image has, so
//                                                the deletion's write can remove it
//                           (u. and o. are set by the write that adds p.<name>/00000000, removed
//                           by the one that adds x.<upload>: the index moves with the feed)
//                           usage_index -> "1": the u./o. keys are complete (a pool from
//                                                before them has them built at open)
//   uploads           omap: <upload id hex> -> "" (every upload that may be pending)
//   deletions         omap: <upload id hex> -> "<unix s>/<chunk count>/<name>": a deletion
//                           begun; its chunks go (reclaim_space), then the key
//   expiries          omap: <unix s hex16>.<name> -> "": the image expires then (an index:
//                           written before its commit, removed after its deletion)
//   up.<upload id>    omap: session      -> UploadSession
//                           n.<i8>       -> u64be Unix second chunk i arrived (the notes)
//                           committing   -> name (a commit of this upload began)
//                           committed    -> name (the image this upload became)
//   chk.<upload id>.<i8>  data: one ciphertext chunk
//
// <k8>, <i8>, <seq16>: lower-case hex of 8 or 16 digits, so key order is numeric order.
// Image names never contain 0x00 or control characters (image_name.h); omap keys are exact.
#pragma once

#include <fmt/format.h>

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/protocol/fields.h"
#include "common/protocol/messages.h"
#include "storage-node/storage_keys.h"

namespace imgshare::storage::rados_layout {

inline constexpr std::string_view kFeedObject = "feed";
inline constexpr std::string_view kUploadsObject = "uploads";
inline constexpr std::string_view kDeletionsObject = "deletions";
inline constexpr std::string_view kExpiriesObject = "expiries";
inline constexpr std::string_view kHeadKey = "head";
inline constexpr std::string_view kUsageIndexKey = "usage_index";
inline constexpr std::string_view kAppliedKey = "applied";
inline constexpr std::string_view kSessionKey = "session";
inline constexpr std::string_view kCommittingKey = "committing";
inline constexpr std::string_view kCommittedKey = "committed";
inline constexpr std::string_view kStagePrefix = "stage.";
inline constexpr std::string_view kGrantPrefix = "grant.";
inline constexpr std::string_view kEntryPrefix = "s.";
inline constexpr std::string_view kNotePrefix = "n.";

inline std::string hex8(std::uint32_t value) { return fmt::format("{:08x}", value); }

inline std::string image_object(std::string_view name) { return fmt::format("img.{}", name); }
inline std::string upload_object(const UploadId& upload) {
    return fmt::format("up.{}", upload.text());
}
inline std::string chunk_object(const UploadId& upload, std::uint32_t index) {
    return fmt::format("chk.{}.{:08x}", upload.text(), index);
}
inline std::string stage_key(std::uint32_t change) {
    return fmt::format("{}{:08x}", kStagePrefix, change);
}
inline std::string grant_omap_key(std::string_view recipient) {
    return fmt::format("{}{}", kGrantPrefix, recipient);
}
inline std::string entry_key(std::uint64_t seq) {
    return fmt::format("{}{:016x}", kEntryPrefix, seq);
}
inline std::string published_key(std::string_view name, std::uint32_t change) {
    return fmt::format("p.{}/{:08x}", name, change);
}
inline std::string deleted_key(const UploadId& upload) {
    return fmt::format("x.{}", upload.text());
}
inline std::string downloads_omap_key(const UploadId& upload) {
    return fmt::format("dl.{}", upload.text());
}
inline std::string expiry_omap_key(std::int64_t expires_at, std::string_view name) {
    return fmt::format("{:016x}.{}", static_cast<std::uint64_t>(expires_at), name);
}
inline std::string usage_prefix(std::string_view user) { return fmt::format("u.{}/", user); }
inline std::string usage_key(std::string_view user, const UploadId& upload) {
    return fmt::format("u.{}/{}", user, upload.text());
}
inline std::string usage_owner_key(const UploadId& upload) {
    return fmt::format("o.{}", upload.text());
}
inline std::string note_key(std::uint32_t index) {
    return fmt::format("{}{:08x}", kNotePrefix, index);
}

// A change staged in an image's object (stage.<k>, step 1 of a commit or share): the record
// as it is to become, its seq (or its last share's) still 0, and the grants it adds.
struct StagedChange {
    Bytes record;  // encode_record(ImageRecord)
    std::vector<Grant> grants;
    static constexpr auto fields() {
        return std::make_tuple(field("record", &StagedChange::record),
                               field("grants", &StagedChange::grants, kMaxRecipients));
    }
};
inline Bytes encode_staged(const StagedChange& change) { return encode_map(change); }

// The number after `prefix` in a key made above; nullopt for any other key.
template <class Int>
std::optional<Int> number_after(std::string_view key, std::string_view prefix) {
    if (!key.starts_with(prefix) || key.size() != prefix.size() + 2 * sizeof(Int)) {
        return std::nullopt;
    }
    Int value = 0;
    const char* begin = key.data() + prefix.size();
    const char* end = key.data() + key.size();
    auto [stop, error] = std::from_chars(begin, end, value, 16);
    if (error != std::errc() || stop != end) return std::nullopt;
    return value;
}

}  // namespace imgshare::storage::rados_layout
