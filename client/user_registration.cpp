#include "client/user_registration.h"

#include <fmt/format.h>

#include "client/certificate_log.h"
#include "common/clock.h"
#include "common/protocol/messages.h"
#include "common/registration.h"

namespace imgshare::client {
namespace {

// The CA's answer: the certificate, its place in the log, and the log to check it against.
struct Answer {
    Bytes certificate;
    LogProof proof;
    CertificateLog* log = nullptr;
    std::uint64_t size_sent = 0;  // the request's log_size_seen
};



Result<Answer> request_certificate(const ConnectAsRegistering& connect, const std::string& username,
                                   const UserKeys& keys, RegistrationAttempt attempt,
                                   std::string_view invite) {
    auto connection = connect();
    auto* log = connection->certificate_log();
    if (log == nullptr) return fail(ErrorCode::NOT_LOGGED, "no certificate log to check against");
    auto seen = log->size_seen();
    if (!seen) return std::unexpected(seen.error());
    RegisterRequest request{
        username, keys.sign.public_key, keys.box.public_key, keys.curve.public_key,
        make_registration_proof(username, keys.sign.public_key, keys.box.public_key,
                                keys.curve.public_key, keys.sign.secret_key),
        std::string(invite), *seen};
    auto reply = connection->call<RegisterReply>(request);
    if (reply) return Answer{std::move(reply->certificate), std::move(reply->log), log, *seen};
    if (attempt != RegistrationAttempt::Resumed || reply.error().code != ErrorCode::NAME_TAKEN) {
        return std::unexpected(reply.error());
    }
    auto existing = connect()->call<GetCertReply>(GetCertRequest{username, *seen});
    if (!existing) return std::unexpected(reply.error());
    auto theirs = decode_certificate(existing->certificate);
    if (!theirs || theirs->curve_pk != keys.curve.public_key) return std::unexpected(reply.error());
    return Answer{std::move(existing->certificate), std::move(existing->log), log, *seen};
}

}  // namespace

Result<void> accept_own_logged(const ConnectAsRegistering& connect, const std::string& username,
                               ByteView certificate, LogProof proof, std::uint64_t size_sent,
                               CertificateLog& log) {
    const auto now = SystemClock().now_seconds();
    for (int attempt = 1;; ++attempt) {
        auto logged = log.accept(certificate, proof, size_sent, now);
        if (!logged) return std::unexpected(logged.error());
        if (*logged == Accepted::yes) return {};
        if (attempt == kMaxLookupsWhileLogGrows) {
            return fail(ErrorCode::SERVICE_UNAVAILABLE,
                        "the certificate log grew during each lookup of my certificate; try again");
        }
        auto seen = log.size_seen();
        if (!seen) return std::unexpected(seen.error());
        auto again = connect()->call<GetCertReply>(GetCertRequest{username, *seen});
        if (!again) return std::unexpected(again.error());
        if (again->certificate != Bytes(certificate.begin(), certificate.end())) {
            return fail(ErrorCode::BAD_SIGNATURE,
                        "the CA answered with another certificate for " + username);
        }
        proof = std::move(again->log);
        size_sent = *seen;
    }
}

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
    auto answer = request_certificate(connect, username, keys, attempt, invite);
    if (!answer) return std::unexpected(answer.error());
    const auto now = SystemClock().now_seconds();
    auto certificate = accept_certificate(answer->certificate, username, keys, trust, now);
    if (!certificate) return certificate;
    // Stored only once it is in the log: a certificate issued out of sight would be refused by
    // everyone who looks it up.
    if (auto logged = accept_own_logged(connect, username, answer->certificate,
                                        std::move(answer->proof), answer->size_sent, *answer->log);
        !logged) {
        return std::unexpected(logged.error());
    }
    return certificate;
}

}  // namespace imgshare::client
