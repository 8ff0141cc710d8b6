#include "client/user_standing.h"

#include "client/certificate_log.h"
#include "client/certificate_state.h"
#include "common/protocol/messages.h"
#include "common/standing.h"

namespace imgshare::client {

Result<UserStanding> fetch_user_standing(BrokerConnection& connection, ByteView ca_verify_key,
                                         const std::string& username, std::int64_t now_seconds) {
    auto* log = connection.certificate_log();
    if (log == nullptr) return fail(ErrorCode::NOT_LOGGED, "no certificate log to check against");
    auto seen = log->size_seen();
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
    if (auto logged = log->accept(reply->certificate, reply->log, now_seconds); !logged) {
        return std::unexpected(logged.error());
    }
    return UserStanding{std::move(*certificate), *revoked};
}

}  // namespace imgshare::client
