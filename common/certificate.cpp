#include "common/certificate.h"

#include <fmt/format.h>

#include "common/crypto/keys.h"
#include "common/crypto/signing.h"
#include "common/msgpack_util.h"
#include "common/registration.h"

namespace imgshare {
namespace {

constexpr std::size_t kSignedFieldCount = 9;

// One flat array of scalars: nothing deeper, nothing longer, nothing bigger than a field.
const msgpack::unpack_limit kCertificateLimit(/*array=*/16, /*map=*/0, /*str=*/256, /*bin=*/128,
                                              /*ext=*/0, /*depth=*/2);

void pack_signed_fields(msgpack::packer<msgpack_util::BytesWriter>& packer,
                        const Certificate& certificate) {
    packer.pack_uint32(certificate.version);
    packer.pack_uint64(certificate.serial);
    packer.pack(certificate.username);
    msgpack_util::pack_bin(packer, certificate.sign_pk);
    msgpack_util::pack_bin(packer, certificate.box_pk);
    msgpack_util::pack_bin(packer, certificate.curve_pk);
    packer.pack_int64(certificate.not_before);
    packer.pack_int64(certificate.not_after);
    packer.pack(certificate.issuer);
}

Bytes encode(const Certificate& certificate, bool with_signature) {
    Bytes out;
    msgpack_util::BytesWriter writer(out);
    msgpack::packer<msgpack_util::BytesWriter> packer(writer);
    packer.pack_array(static_cast<std::uint32_t>(kSignedFieldCount + (with_signature ? 1 : 0)));
    pack_signed_fields(packer, certificate);
    if (with_signature) {
        msgpack_util::pack_bin(packer, certificate.signature);
    }
    return out;
}

Result<Bytes> read_key(const msgpack::object& object, std::string_view field) {
    auto key = msgpack_util::read_bin(object, field, kPublicKeySize, kPublicKeySize);
    if (!key) return std::unexpected(std::move(key.error()));
    return Bytes(key->begin(), key->end());
}

Result<Certificate> decode_fields(std::span<const msgpack::object> fields) {
    using namespace msgpack_util;
    Certificate certificate;
    auto version = read_uint(fields[0], "version");
    if (!version) return std::unexpected(std::move(version.error()));
    if (*version != kCertificateVersion) {
        return fail(ErrorCode::BAD_REQUEST,
                    fmt::format("unknown certificate version {}", *version));
    }
    certificate.version = static_cast<std::uint32_t>(*version);

    auto serial = read_uint(fields[1], "serial");
    auto username = read_string(fields[2], "username", kMaxUsernameLength);
    auto sign_pk = read_key(fields[3], "sign_pk");
    auto box_pk = read_key(fields[4], "box_pk");
    auto curve_pk = read_key(fields[5], "curve_pk");
    auto not_before = read_int(fields[6], "not_before");
    auto not_after = read_int(fields[7], "not_after");
    auto issuer = read_string(fields[8], "issuer", kMaxIssuerLength);
    auto signature = read_bin(fields[9], "signature", kSignatureSize, kSignatureSize);
    if (!serial) return std::unexpected(std::move(serial.error()));
    if (!username) return std::unexpected(std::move(username.error()));
    if (!sign_pk) return std::unexpected(std::move(sign_pk.error()));
    if (!box_pk) return std::unexpected(std::move(box_pk.error()));
    if (!curve_pk) return std::unexpected(std::move(curve_pk.error()));
    if (!not_before) return std::unexpected(std::move(not_before.error()));
    if (!not_after) return std::unexpected(std::move(not_after.error()));
    if (!issuer) return std::unexpected(std::move(issuer.error()));
    if (!signature) return std::unexpected(std::move(signature.error()));

    certificate.serial = *serial;
    certificate.username = std::move(*username);
    certificate.sign_pk = std::move(*sign_pk);
    certificate.box_pk = std::move(*box_pk);
    certificate.curve_pk = std::move(*curve_pk);
    certificate.not_before = *not_before;
    certificate.not_after = *not_after;
    certificate.issuer = std::move(*issuer);
    certificate.signature.assign(signature->begin(), signature->end());
    return certificate;
}

}  // namespace

Bytes certificate_signed_bytes(const Certificate& certificate) {
    return encode(certificate, /*with_signature=*/false);
}

Bytes encode_certificate(const Certificate& certificate) {
    return encode(certificate, /*with_signature=*/true);
}

Result<Certificate> decode_certificate(ByteView bytes) {
    if (bytes.size() > kMaxEncodedCertificateSize) {
        return fail(ErrorCode::BAD_REQUEST, "certificate is too large");
    }
    auto handle = msgpack_util::unpack_bounded(bytes, kCertificateLimit, "certificate");
    if (!handle) return std::unexpected(std::move(handle.error()));
    auto fields = msgpack_util::read_array(handle->get(), "certificate", kSignedFieldCount + 1);
    if (!fields) return std::unexpected(std::move(fields.error()));
    auto certificate = decode_fields(*fields);
    if (!certificate) {
        certificate.error().message = "certificate: " + certificate.error().message;
        return certificate;
    }
    // One certificate, one encoding: refuse non-minimal integer or length encodings, so the
    // bytes stored and compared anywhere are the bytes the CA produced.
    if (encode_certificate(*certificate) != Bytes(bytes.begin(), bytes.end())) {
        return fail(ErrorCode::BAD_REQUEST, "certificate is not canonically encoded");
    }
    return certificate;
}

Certificate issue_certificate(Certificate fields, const SecretBytes& ca_signing_secret_key) {
    fields.signature =
        sign(kCertificateSigningContext, certificate_signed_bytes(fields), ca_signing_secret_key);
    return fields;
}

namespace {

Result<void> check_validity_window(const Certificate& certificate, std::int64_t now_seconds) {
    if (now_seconds < certificate.not_before) {
        return fail(ErrorCode::NOT_YET_VALID,
                    fmt::format("certificate of '{}' is not valid before {}", certificate.username,
                                certificate.not_before));
    }
    if (now_seconds >= certificate.not_after) {
        return fail(ErrorCode::EXPIRED, fmt::format("certificate of '{}' expired at {}",
                                                    certificate.username, certificate.not_after));
    }
    return {};
}

}  // namespace

Result<void> verify_certificate(const Certificate& certificate, ByteView ca_verify_key,
                                std::int64_t now_seconds) {
    if (certificate.version != kCertificateVersion) {
        return fail(ErrorCode::BAD_REQUEST,
                    fmt::format("unknown certificate version {}", certificate.version));
    }
    if (auto signature_ok =
            verify(kCertificateSigningContext, certificate_signed_bytes(certificate),
                   certificate.signature, ca_verify_key);
        !signature_ok) {
        // The username is not trusted yet, so it stays out of the message.
        return fail(ErrorCode::BAD_SIGNATURE, "certificate is not signed by the trusted CA");
    }
    if (auto window = check_validity_window(certificate, now_seconds); !window) return window;
    if (auto name_ok = check_username(certificate.username); !name_ok) return name_ok;
    struct KeyField {
        std::string_view name;
        const Bytes& key;
        KeyKind kind;
    };
    const KeyField key_fields[] = {{"sign_pk", certificate.sign_pk, KeyKind::Signing},
                                   {"box_pk", certificate.box_pk, KeyKind::Box},
                                   {"curve_pk", certificate.curve_pk, KeyKind::Box}};
    for (const KeyField& field : key_fields) {
        if (auto key_ok = check_public_key(field.key, field.kind); !key_ok) {
            return fail(ErrorCode::BAD_REQUEST,
                        fmt::format("certificate {}: {}", field.name, key_ok.error().message));
        }
    }
    return {};
}

CertificateVerifier::CertificateVerifier(Bytes ca_verify_key, std::size_t capacity)
    : ca_verify_key_(std::move(ca_verify_key)), capacity_(capacity) {}

Result<void> CertificateVerifier::verify(const Certificate& certificate, std::int64_t now_seconds) {
    auto encoded = encode_certificate(certificate);
    std::string key(encoded.begin(), encoded.end());
    // Everything but the validity window is a function of these bytes alone.
    if (signature_checked_.contains(key)) return check_validity_window(certificate, now_seconds);
    auto checked = verify_certificate(certificate, ca_verify_key_, now_seconds);
    // Remembered only when every check passed: a certificate refused for its
    // time or keys is checked in full again next time.
    if (checked) {
        // Crude but bounded: a full set starts again rather than tracking use.
        if (signature_checked_.size() >= capacity_) signature_checked_.clear();
        signature_checked_.insert(std::move(key));
    }
    return checked;
}

}  // namespace imgshare
