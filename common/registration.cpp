#include "common/registration.h"

#include <fmt/format.h>

#include "common/crypto/keys.h"
#include "common/crypto/signing.h"
#include "common/msgpack_util.h"

namespace imgshare {
namespace {

constexpr std::string_view kUsernameRule =
    "a username is 1 to 32 characters from a-z, 0-9, '_', '.', '-', and not '.' or '..'";

bool is_username_character(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

}  // namespace

Result<void> check_username(std::string_view username) {
    bool valid = !username.empty() && username.size() <= kMaxUsernameLength && username != "." &&
                 username != "..";
    for (char c : username)
        valid = valid && is_username_character(c);
    if (!valid) return fail(ErrorCode::BAD_REQUEST, std::string(kUsernameRule));
    return {};
}

Bytes registration_proof_message(std::string_view username, ByteView sign_pk, ByteView box_pk,
                                 ByteView curve_pk) {
    Bytes out;
    msgpack_util::BytesWriter writer(out);
    msgpack::packer<msgpack_util::BytesWriter> packer(writer);
    packer.pack_array(4);
    msgpack_util::pack_str(packer, username);
    msgpack_util::pack_bin(packer, sign_pk);
    msgpack_util::pack_bin(packer, box_pk);
    msgpack_util::pack_bin(packer, curve_pk);
    return out;
}

Bytes make_registration_proof(std::string_view username, ByteView sign_pk, ByteView box_pk,
                              ByteView curve_pk, const SecretBytes& sign_sk) {
    return sign(kRegistrationSigningContext,
                registration_proof_message(username, sign_pk, box_pk, curve_pk), sign_sk);
}

Result<void> check_registration_proof(std::string_view username, ByteView sign_pk, ByteView box_pk,
                                      ByteView curve_pk, ByteView proof) {
    if (auto valid =
            verify(kRegistrationSigningContext,
                   registration_proof_message(username, sign_pk, box_pk, curve_pk), proof, sign_pk);
        !valid) {
        return fail(ErrorCode::BAD_SIGNATURE,
                    "registration proof is not a signature by sign_pk over these keys and name");
    }
    return {};
}

Result<void> check_registration(std::string_view username, ByteView sign_pk, ByteView box_pk,
                                ByteView curve_pk, ByteView proof) {
    if (auto name_ok = check_username(username); !name_ok) return name_ok;
    struct KeyField {
        std::string_view name;
        ByteView key;
        KeyKind kind;
    };
    const KeyField key_fields[] = {{"sign_pk", sign_pk, KeyKind::Signing},
                                   {"box_pk", box_pk, KeyKind::Box},
                                   {"curve_pk", curve_pk, KeyKind::Box}};
    for (const KeyField& field : key_fields) {
        if (auto key_ok = check_public_key(field.key, field.kind); !key_ok) {
            return fail(ErrorCode::BAD_REQUEST,
                        fmt::format("{}: {}", field.name, key_ok.error().message));
        }
    }
    return check_registration_proof(username, sign_pk, box_pk, curve_pk, proof);
}

}  // namespace imgshare
