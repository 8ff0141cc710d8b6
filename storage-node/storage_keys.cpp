#include "storage-node/storage_keys.h"

#include <algorithm>

#include "common/protocol/upload_handle.h"

namespace imgshare::storage {
namespace {

void append_big_endian(std::string& out, std::uint64_t value, int bytes) {
    for (int shift = 8 * (bytes - 1); shift >= 0; shift -= 8) {
        out.push_back(static_cast<char>((value >> shift) & 0xff));
    }
}

std::uint64_t read_big_endian(std::string_view bytes) {
    std::uint64_t value = 0;
    for (char byte : bytes)
        value = (value << 8) | static_cast<std::uint8_t>(byte);
    return value;
}

}  // namespace

UploadId UploadId::of(ByteView envelope, ByteView signature) {
    auto handle = upload_handle_bytes(envelope, signature);
    UploadId id;
    std::copy_n(handle.begin(), kUploadIdSize, id.bytes_.begin());
    return id;
}

Result<UploadId> UploadId::parse(std::string_view text) {
    auto bytes = from_hex(text);
    if (!bytes || bytes->size() != kUploadIdSize) {
        return fail(ErrorCode::BAD_REQUEST, "an upload handle is 32 hex characters");
    }
    UploadId id;
    std::copy(bytes->begin(), bytes->end(), id.bytes_.begin());
    return id;
}

std::optional<UploadId> UploadId::from_key(std::string_view key) {
    if (key.size() < kUploadIdSize) return std::nullopt;
    UploadId id;
    std::copy_n(key.begin(), kUploadIdSize, id.bytes_.begin());
    return id;
}

std::string UploadId::text() const {
    return to_hex(as_bytes(key()));
}

std::string_view UploadId::key() const {
    return {bytes_.data(), bytes_.size()};
}

std::string chunk_key(const UploadId& upload, std::uint32_t index) {
    std::string key(upload.key());
    append_big_endian(key, index, 4);
    return key;
}

std::optional<std::uint32_t> chunk_index_of(std::string_view key, const UploadId& upload) {
    if (key.size() != kUploadIdSize + 4 || !key.starts_with(upload.key())) return std::nullopt;
    return static_cast<std::uint32_t>(read_big_endian(key.substr(kUploadIdSize)));
}

std::string grant_key(std::string_view name, std::string_view recipient) {
    std::string key(name);
    key.push_back('\0');
    key.append(recipient);
    return key;
}

std::string feed_key(std::uint64_t seq) {
    return encode_u64(seq);
}

std::optional<std::uint64_t> seq_of_feed_key(std::string_view key) {
    return decode_u64(key);
}

std::string committed_upload_key(const UploadId& upload) {
    return std::string("committed/").append(upload.key());
}

std::string expiry_key(std::int64_t expires_at, std::string_view name) {
    std::string key(kExpiryPrefix);
    append_big_endian(key, static_cast<std::uint64_t>(expires_at), 8);
    key.append(name);
    return key;
}

std::optional<ExpiryEntry> expiry_entry_of(std::string_view key) {
    if (key.size() <= kExpiryPrefix.size() + 8 || !key.starts_with(kExpiryPrefix)) {
        return std::nullopt;
    }
    auto at = read_big_endian(key.substr(kExpiryPrefix.size(), 8));
    if (at > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
    return ExpiryEntry{static_cast<std::int64_t>(at), key.substr(kExpiryPrefix.size() + 8)};
}

std::string downloads_key(const UploadId& upload) {
    return std::string("downloads/").append(upload.key());
}

std::string owner_usage_prefix(std::string_view owner) {
    std::string key("owner/");
    key.append(owner);
    key.push_back('\0');
    return key;
}

std::string owner_usage_key(std::string_view owner, std::string_view name) {
    return owner_usage_prefix(owner).append(name);
}

std::string encode_u64(std::uint64_t value) {
    std::string out;
    append_big_endian(out, value, 8);
    return out;
}

std::optional<std::uint64_t> decode_u64(std::string_view bytes) {
    if (bytes.size() != 8) return std::nullopt;
    return read_big_endian(bytes);
}

std::string prefix_end(std::string_view prefix) {
    std::string end(prefix);
    while (!end.empty()) {
        auto& last = reinterpret_cast<unsigned char&>(end.back());
        if (last != 0xff) {
            ++last;
            return end;
        }
        end.pop_back();
    }
    return end;
}

}  // namespace imgshare::storage
