#include "common/invitation.h"

#include <sodium.h>

#include "common/crypto/signing.h"
#include "common/crypto/sodium_init.h"
#include "common/msgpack_util.h"
#include "common/registration.h"

namespace imgshare {
namespace {

constexpr std::uint32_t kInvitationVersion = 1;
constexpr std::size_t kMaxTokenLength = 512;
const msgpack::unpack_limit kInvitationLimit(/*array=*/5, /*map=*/0, /*str=*/64, /*bin=*/64,
                                             /*ext=*/0, /*depth=*/2);

using Packer = msgpack::packer<msgpack_util::BytesWriter>;

void pack_fields(Packer& packer, const Invitation& invitation, bool with_signature) {
    packer.pack_array(with_signature ? 5 : 4);
    packer.pack_uint32(kInvitationVersion);
    msgpack_util::pack_bin(packer, invitation.nonce);
    packer.pack(invitation.name);
    packer.pack_int64(invitation.expires_at);
    if (with_signature) msgpack_util::pack_bin(packer, invitation.signature);
}

Bytes encode(const Invitation& invitation, bool with_signature) {
    Bytes out;
    msgpack_util::BytesWriter writer(out);
    Packer packer(writer);
    pack_fields(packer, invitation, with_signature);
    return out;
}

Error malformed() {
    return Error{ErrorCode::BAD_REQUEST,
                 "not an invitation token (it starts with imgshare-invite-; copy all of it)"};
}

}  // namespace

std::string make_invitation(std::string_view name, std::int64_t expires_at,
                            const SecretBytes& ca_signing_secret_key) {
    ensure_sodium();
    Invitation invitation;
    invitation.nonce.resize(kInvitationNonceSize);
    randombytes_buf(invitation.nonce.data(), invitation.nonce.size());
    invitation.name = std::string(name);
    invitation.expires_at = expires_at;
    invitation.signature =
        sign(kInvitationSigningContext, encode(invitation, false), ca_signing_secret_key);
    const Bytes encoded = encode(invitation, true);
    std::string text(sodium_base64_ENCODED_LEN(encoded.size(),
                                               sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                     '\0');
    sodium_bin2base64(text.data(), text.size(), encoded.data(), encoded.size(),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    text.resize(text.find('\0'));
    return std::string(kInvitationPrefix) + text;
}

Result<Invitation> decode_invitation(std::string_view token) {
    ensure_sodium();
    if (token.size() > kMaxTokenLength || !token.starts_with(kInvitationPrefix)) {
        return std::unexpected(malformed());
    }
    token.remove_prefix(kInvitationPrefix.size());
    // Nothing after the prefix: no buffer to decode into (libsodium must not get a null one).
    if (token.empty()) return std::unexpected(malformed());
    Bytes encoded(token.size());
    std::size_t length = 0;
    if (sodium_base642bin(encoded.data(), encoded.size(), token.data(), token.size(), nullptr,
                          &length, nullptr, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
        return std::unexpected(malformed());
    }
    encoded.resize(length);
    auto handle = msgpack_util::unpack_bounded(encoded, kInvitationLimit, "invitation");
    if (!handle) return std::unexpected(malformed());
    auto fields = msgpack_util::read_array(handle->get(), "invitation", 5);
    if (!fields) return std::unexpected(malformed());
    auto version = msgpack_util::read_uint(fields->data()[0], "version");
    auto nonce = msgpack_util::read_bin(fields->data()[1], "nonce", kInvitationNonceSize,
                                        kInvitationNonceSize);
    auto name = msgpack_util::read_string(fields->data()[2], "name", 64);
    auto expires_at = msgpack_util::read_int(fields->data()[3], "expires_at");
    auto signature = msgpack_util::read_bin(fields->data()[4], "signature", 64, 64);
    if (!version || *version != kInvitationVersion || !nonce || !name || !expires_at ||
        !signature) {
        return std::unexpected(malformed());
    }
    if (!name->empty() && !check_username(*name)) return std::unexpected(malformed());
    Invitation invitation{Bytes(nonce->begin(), nonce->end()), std::move(*name), *expires_at,
                          Bytes(signature->begin(), signature->end())};
    if (encode(invitation, true) != encoded) return std::unexpected(malformed());
    return invitation;
}

Result<void> check_invitation(const Invitation& invitation, ByteView ca_verify_key,
                              std::string_view username, std::int64_t now_seconds) {
    if (!verify(kInvitationSigningContext, encode(invitation, false), invitation.signature,
                ca_verify_key)) {
        return fail(ErrorCode::BAD_SIGNATURE, "not an invitation from this CA");
    }
    if (now_seconds >= invitation.expires_at) {
        return fail(ErrorCode::EXPIRED, "this invitation has expired; ask for a new one");
    }
    if (!invitation.name.empty() && invitation.name != username) {
        return fail(ErrorCode::FORBIDDEN, "this invitation is for the name " + invitation.name);
    }
    return {};
}

}  // namespace imgshare
