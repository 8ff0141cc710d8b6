// The key layout of the storage node's column families (DESIGN.md §4), in one
// place, so every reader and writer agrees on it:
//
//   images   name                           -> ImageRecord (records.h)
//   chunks   upload id · u32be index        -> ciphertext chunk
//   grants   name · 0x00 · recipient        -> sealed content key (e2e mode)
//   uploads  upload id                      -> UploadSession (records.h)
//            upload id · u32be index        -> u64be Unix second the chunk arrived: "chunk
//                                              index is stored" (empty in older notes)
//   feed     u64be seq                      -> name (a post, or a SHARE: records.h)
//   meta     "last_seq"                     -> u64be, the highest seq assigned
//            "committed/" · upload id       -> name of the image that upload became
//            "expires/" · u64be second · name -> "": the image expires then (the index
//                                              the expiry sweep reads; ImageRecord's
//                                              expires_at is the truth)
//            "downloads/" · upload id       -> u64be complete downloads counted
//            "owner/" · user · 0x00 · name  -> u64be padded size of that committed image: the
//                                              owners' usage index, written with the commit
//                                              and erased with the deletion, in their batches
//            "owner_index"                  -> "1": the index was built (stores written
//                                              before it had one build it once at open)
//
// Big-endian integers make the byte order of keys the numeric order, so a
// prefix scan walks chunks and feed entries in order. Image names and
// usernames never contain 0x00 (image_name.h, registration.h).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/error.h"
#include "common/protocol/upload_handle.h"

namespace imgshare::storage {

inline constexpr std::size_t kUploadIdSize = kUploadHandleBytes;

// Names one upload: derived from the signed envelope, so a retried POST_BEGIN
// finds the same upload. On the wire it is 32 lower-case hex characters.
class UploadId {
  public:
    // The first 16 bytes of SHA-256(envelope ‖ signature): upload_handle.h.
    [[nodiscard]] static UploadId of(ByteView envelope, ByteView signature);
    // BAD_REQUEST unless `text` is 32 hex characters.
    [[nodiscard]] static Result<UploadId> parse(std::string_view text);
    // The upload id a key of the uploads or chunks family starts with (nullopt
    // for a shorter key).
    [[nodiscard]] static std::optional<UploadId> from_key(std::string_view key);

    [[nodiscard]] std::string text() const;
    // The raw 16 bytes: the session's key and the prefix of its chunk keys.
    [[nodiscard]] std::string_view key() const;

    auto operator<=>(const UploadId&) const = default;

  private:
    std::array<char, kUploadIdSize> bytes_{};
};

[[nodiscard]] std::string chunk_key(const UploadId& upload, std::uint32_t index);
// The chunk index in a key made by chunk_key, if it is one.
[[nodiscard]] std::optional<std::uint32_t> chunk_index_of(std::string_view key,
                                                          const UploadId& upload);
[[nodiscard]] std::string grant_key(std::string_view name, std::string_view recipient);
[[nodiscard]] std::string feed_key(std::uint64_t seq);
[[nodiscard]] std::optional<std::uint64_t> seq_of_feed_key(std::string_view key);
[[nodiscard]] std::string committed_upload_key(const UploadId& upload);
// The usage index: every key of `owner`'s images starts with owner_usage_prefix(owner).
[[nodiscard]] std::string owner_usage_prefix(std::string_view owner);
[[nodiscard]] std::string owner_usage_key(std::string_view owner, std::string_view name);
inline constexpr std::string_view kOwnerIndexBuiltKey = "owner_index";

inline constexpr std::string_view kLastSeqKey = "last_seq";
inline constexpr std::string_view kExpiryPrefix = "expires/";

[[nodiscard]] std::string expiry_key(std::int64_t expires_at, std::string_view name);
struct ExpiryEntry {
    std::int64_t expires_at;
    std::string_view name;  // into the key
};
// The second and name of a key made by expiry_key, if it is one.
[[nodiscard]] std::optional<ExpiryEntry> expiry_entry_of(std::string_view key);
[[nodiscard]] std::string downloads_key(const UploadId& upload);

[[nodiscard]] std::string encode_u64(std::uint64_t value);
[[nodiscard]] std::optional<std::uint64_t> decode_u64(std::string_view bytes);

// The smallest key greater than every key that starts with `prefix`: the end of
// a prefix range. Empty when no such key exists (a prefix of only 0xff bytes).
[[nodiscard]] std::string prefix_end(std::string_view prefix);

}  // namespace imgshare::storage
