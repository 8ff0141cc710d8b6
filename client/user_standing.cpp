#include "client/user_standing.h"

#include <optional>
#include <string>

#include "client/certificate_log.h"
#include "client/certificate_state.h"
#include "common/protocol/messages.h"
#include "common/standing.h"

namespace imgshare::client {
namespace {

// One GET_CERT and its checks; nullopt when the log's kept head moved meanwhile.
Result<std::optional<UserStanding>> fetch_once(BrokerConnection& connection, CertificateLog& log,
                                               ByteView ca_verify_key, const std::string& username,
                                               std::int64_t now_seconds) {
    auto seen = log.size_seen();
    if (!seen) return std::unexpected(seen.error());
    auto reply = connection.call<GetCertReply>(GetCertRequest{username, *seen});
    if (!reply) return std::unexpected(reply.error());
    auto certificate = decode_certificate(reply->certificate);
    if (!certificate) return std::unexpected(certificate.error());
    if (auto ok = verify_certificate_ignoring_time(*certificate, ca_verify_key); !ok) {
        return std::unexpected(ok.error());
    }
    if (certificate->username != username) {
        return fail(ErrorCode::BAD_SIGNATURE, "the CA answered with another user's certificate");
    }
    auto revoked = check_standing(reply->standing, *certificate, ca_verify_key, now_seconds);
    if (!revoked) return std::unexpected(revoked.error());
    auto logged = log.accept(reply->certificate, reply->log, *seen, now_seconds);
    if (!logged) return std::unexpected(logged.error());
    if (*logged == Accepted::moved) return std::nullopt;
    return UserStanding{std::move(*certificate), *revoked};
}

}  // namespace

Result<UserStanding> fetch_user_standing(BrokerConnection& connection, ByteView ca_verify_key,
                                         const std::string& username, std::int64_t now_seconds) {
    auto* log = connection.certificate_log();
    if (log == nullptr) return fail(ErrorCode::NOT_LOGGED, "no certificate log to check against");
    // Another command or thread may keep a newer head while this request is out: then the
    // answer's consistency proof starts from a head no longer kept, and it is asked again.
    for (int attempt = 1;; ++attempt) {
        auto standing = fetch_once(connection, *log, ca_verify_key, username, now_seconds);
        if (!standing) return std::unexpected(standing.error());
        if (*standing) return std::move(**standing);
        if (attempt == kMaxLookupsWhileLogGrows) {
            return fail(ErrorCode::SERVICE_UNAVAILABLE,
                        "the certificate log grew during each of " + std::to_string(kMaxLookupsWhileLogGrows) +
                            " lookups of " + username + "; try again");
        }
    }
}

Result<void> prove_logged(BrokerConnection& connection, ByteView encoded_certificate,
                          const std::string& username, std::uint64_t serial,
                          std::int64_t now_seconds) {
    auto* log = connection.certificate_log();
    if (log == nullptr) return fail(ErrorCode::NOT_LOGGED, "no certificate log to check against");
    for (int attempt = 1;; ++attempt) {
        auto seen = log->size_seen();
        if (!seen) return std::unexpected(seen.error());
        auto reply = connection.call<LogProofReply>(LogProofRequest{username, serial, *seen});
        if (!reply) return std::unexpected(reply.error());
        auto logged = log->accept(encoded_certificate, reply->log, *seen, now_seconds);
        if (!logged) return std::unexpected(logged.error());
        if (*logged == Accepted::yes) return {};
        if (attempt == kMaxLookupsWhileLogGrows) {
            return fail(ErrorCode::SERVICE_UNAVAILABLE,
                        "the certificate log grew during each of " + std::to_string(kMaxLookupsWhileLogGrows) +
                            " proofs of a certificate of " + username + "; try again");
        }
    }
}

}  // namespace imgshare::client
