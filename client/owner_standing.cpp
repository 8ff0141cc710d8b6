#include "client/owner_standing.h"

#include <fmt/format.h>

#include "client/certificate_state.h"
#include "client/output.h"
#include "client/user_standing.h"

namespace imgshare::client {
namespace {

std::unexpected<Error> owner_error(const Error& error) {
    return fail(error.code, "the owner's certificate: " + error.message);
}

}  // namespace

Result<std::int64_t> check_owner_standing(BrokerConnection& connection, const DownloadReply& record,
                                          ByteView ca_verify_key, std::int64_t now_seconds) {
    auto signer = decode_certificate(record.certificate);
    if (!signer) return owner_error(signer.error());
    if (auto ok = verify_certificate_ignoring_time(*signer, ca_verify_key); !ok) {
        return owner_error(ok.error());
    }

    auto standing =
        fetch_user_standing(connection, ca_verify_key, signer->username, now_seconds);
    if (!standing) {
        const auto code = standing.error().code;
        const bool about_the_answer = code == ErrorCode::BAD_SIGNATURE ||
                                      code == ErrorCode::BAD_REQUEST || code == ErrorCode::STALE;
        if (about_the_answer) return owner_error(standing.error());
        return std::unexpected(standing.error());  // the request's own (NOT_FOUND, TIMEOUT...)
    }
    const std::string owner = printable(signer->username);
    if (standing->revoked) {
        return fail(ErrorCode::REVOKED,
                    fmt::format("the owner {} has been revoked: their images are no longer "
                                "trusted; nothing was written",
                                owner));
    }
    // A certificate other than the owner's current one (an older one of a renewed owner) is
    // proved in the log on its own; the current one was, with the standing.
    if (!(standing->certificate == *signer)) {
        if (auto logged = prove_logged(connection, record.certificate, signer->username,
                                       signer->serial, now_seconds);
            !logged) {
            return owner_error(logged.error());
        }
    }
    if (state_of(*signer, false, now_seconds) != CertificateState::Expired) return now_seconds;

    const Certificate& current = standing->certificate;
    bool renewed = verify_certificate(current, ca_verify_key, now_seconds).has_value() &&
                   current.sign_pk == signer->sign_pk;
    if (!renewed) {
        return fail(ErrorCode::EXPIRED,
                    fmt::format("the certificate {} signed this image with expired at {} and was "
                                "not renewed; nothing was written",
                                owner, format_utc(signer->not_after)));
    }
    return signer->not_after - 1;
}

}  // namespace imgshare::client
