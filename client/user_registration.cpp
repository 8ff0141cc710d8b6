#include "client/user_registration.h"

#include <fmt/format.h>

#include "common/clock.h"
#include "common/protocol/messages.h"
#include "common/registration.h"

namespace imgshare::client {
namespace {

Result<Bytes> request_certificate(const ConnectAsRegistering& connect, const std::string& username,
                                  const UserKeys& keys, RegistrationAttempt attempt,
                                  std::string_view invite) {
    RegisterRequest request{
        username, keys.sign.public_key, keys.box.public_key, keys.curve.public_key,
        make_registration_proof(username, keys.sign.public_key, keys.box.public_key,
                                keys.curve.public_key, keys.sign.secret_key),
        std::string(invite)};
    auto reply = connect()->call<RegisterReply>(request);
    if (reply) return std::move(reply->certificate);
    if (attempt != RegistrationAttempt::Resumed || reply.error().code != ErrorCode::NAME_TAKEN) {
        return std::unexpected(reply.error());
    }
    auto existing = connect()->call<GetCertReply>(GetCertRequest{username});
    if (!existing) return std::unexpected(reply.error());
    auto theirs = decode_certificate(existing->certificate);
    if (!theirs || theirs->curve_pk != keys.curve.public_key) return std::unexpected(reply.error());
    return std::move(existing->certificate);
}

}  // namespace

bool certifies(const Certificate& certificate, std::string_view username, const UserKeys& keys) {
    return certificate.username == username && certificate.sign_pk == keys.sign.public_key &&
           certificate.box_pk == keys.box.public_key &&
           certificate.curve_pk == keys.curve.public_key;
}

Result<Certificate> accept_certificate(ByteView encoded, std::string_view username,
                                       const UserKeys& keys, const TrustAnchors& trust,
                                       std::int64_t now) {
    auto certificate = decode_certificate(encoded);
    if (!certificate) return std::unexpected(certificate.error());
    if (auto ok = verify_certificate(*certificate, trust.ca_verify_key, now); !ok) {
        return std::unexpected(ok.error());
    }
    if (!certifies(*certificate, username, keys)) {
        return fail(ErrorCode::BAD_SIGNATURE,
                    fmt::format("the CA's certificate for {} does not carry exactly the name and "
                                "keys sent; not storing it",
                                username));
    }
    return certificate;
}

Result<Certificate> register_keys(const ConnectAsRegistering& connect, const std::string& username,
                                  const UserKeys& keys, RegistrationAttempt attempt,
                                  const TrustAnchors& trust, std::string_view invite) {
    auto encoded = request_certificate(connect, username, keys, attempt, invite);
    if (!encoded) return std::unexpected(encoded.error());
    return accept_certificate(*encoded, username, keys, trust, SystemClock().now_seconds());
}

}  // namespace imgshare::client
