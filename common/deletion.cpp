#include "common/deletion.h"

#include <fmt/format.h>

#include "common/crypto/sha256.h"
#include "common/crypto/signing.h"
#include "common/image_name.h"
#include "common/msgpack_util.h"
#include "common/protocol/limits.h"
#include "common/registration.h"

namespace imgshare {
namespace {

constexpr std::uint32_t kDeletionVersion = 1;
const msgpack::unpack_limit kDeletionLimit(/*array=*/6, /*map=*/0, /*str=*/kMaxImageNameBytes,
                                           /*bin=*/64, /*ext=*/0, /*depth=*/2);

using Packer = msgpack::packer<msgpack_util::BytesWriter>;

Bytes encode(const Deletion& deletion, bool with_signature) {
    Bytes out;
    msgpack_util::BytesWriter writer(out);
    Packer packer(writer);
    packer.pack_array(with_signature ? 6 : 5);
    packer.pack_uint32(kDeletionVersion);
    packer.pack(deletion.name);
    packer.pack(deletion.owner);
    msgpack_util::pack_bin(packer, deletion.envelope_digest);
    packer.pack_int64(deletion.stated_at);
    if (with_signature) msgpack_util::pack_bin(packer, deletion.signature);
    return out;
}

Error malformed() {
    return Error{ErrorCode::BAD_REQUEST, "not a deletion statement"};
}

}  // namespace

Bytes make_deletion(std::string_view name, std::string_view owner, ByteView envelope,
                    std::int64_t stated_at, const SecretBytes& owner_signing_secret_key) {
    Deletion deletion{std::string(name), std::string(owner), sha256(envelope), stated_at, {}};
    deletion.signature =
        sign(kDeletionSigningContext, encode(deletion, false), owner_signing_secret_key);
    return encode(deletion, true);
}

Result<Deletion> decode_deletion(ByteView encoded) {
    if (encoded.size() > kMaxDeletionBytes) return std::unexpected(malformed());
    auto handle = msgpack_util::unpack_bounded(encoded, kDeletionLimit, "deletion");
    if (!handle) return std::unexpected(malformed());
    auto fields = msgpack_util::read_array(handle->get(), "deletion", 6);
    if (!fields) return std::unexpected(malformed());
    auto version = msgpack_util::read_uint(fields->data()[0], "version");
    auto name = msgpack_util::read_string(fields->data()[1], "name", kMaxImageNameBytes);
    auto owner = msgpack_util::read_string(fields->data()[2], "owner", kMaxUsernameLength);
    auto digest =
        msgpack_util::read_bin(fields->data()[3], "envelope_digest", kSha256Size, kSha256Size);
    auto stated_at = msgpack_util::read_int(fields->data()[4], "stated_at");
    auto signature = msgpack_util::read_bin(fields->data()[5], "signature", 64, 64);
    if (!version || *version != kDeletionVersion || !name || !owner || !digest || !stated_at ||
        !signature) {
        return std::unexpected(malformed());
    }
    if (!check_image_name(*name) || !check_username(*owner)) return std::unexpected(malformed());
    Deletion deletion{std::move(*name), std::move(*owner), Bytes(digest->begin(), digest->end()),
                      *stated_at, Bytes(signature->begin(), signature->end())};
    // Canonical only: one statement has one encoding.
    if (encode(deletion, true) != Bytes(encoded.begin(), encoded.end())) {
        return std::unexpected(malformed());
    }
    return deletion;
}

Result<void> check_deletion(ByteView encoded, const DeletionTarget& target,
                            std::int64_t now_seconds) {
    auto deletion = decode_deletion(encoded);
    if (!deletion) return std::unexpected(std::move(deletion.error()));
    if (!verify(kDeletionSigningContext, encode(*deletion, false), deletion->signature,
                target.owner_sign_key)) {
        return fail(ErrorCode::BAD_SIGNATURE,
                    fmt::format("the deletion of '{}' is not signed by its owner's key",
                                target.name));
    }
    if (deletion->name != target.name || deletion->owner != target.owner ||
        deletion->envelope_digest != sha256(target.envelope)) {
        return fail(ErrorCode::BAD_SIGNATURE,
                    fmt::format("the deletion is signed for another image than '{}' (another "
                                "name, owner or post under that name)",
                                target.name));
    }
    // stated_at is the peer's number: only the clock's side of each comparison is computed.
    if (deletion->stated_at < now_seconds - kDeletionWindowSeconds ||
        deletion->stated_at > now_seconds + kDeletionWindowSeconds) {
        return fail(ErrorCode::STALE,
                    fmt::format("the deletion of '{}' was stated at {}, more than {} s from "
                                "this node's clock ({}): replayed, or a wrong clock",
                                target.name, deletion->stated_at, kDeletionWindowSeconds,
                                now_seconds));
    }
    return {};
}

}  // namespace imgshare
