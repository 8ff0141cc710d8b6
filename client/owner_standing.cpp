#include "client/owner_standing.h"

#include <fmt/format.h>

#include "client/certificate_state.h"
#include "client/output.h"

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

    auto standing = connection.call<GetCertReply>(GetCertRequest{signer->username});
    if (!standing) return std::unexpected(standing.error());
    const std::string owner = printable(signer->username);
    if (standing->revoked) {
        return fail(ErrorCode::REVOKED,
                    fmt::format("the owner {} has been revoked: their images are no longer "
                                "trusted; nothing was written",
                                owner));
    }
    if (state_of(*signer, false, now_seconds) != CertificateState::Expired) return now_seconds;

    auto current = decode_certificate(standing->certificate);
    if (!current) return owner_error(current.error());
    bool renewed = verify_certificate(*current, ca_verify_key, now_seconds).has_value() &&
                   current->username == signer->username && current->sign_pk == signer->sign_pk;
    if (!renewed) {
        return fail(ErrorCode::EXPIRED,
                    fmt::format("the certificate {} signed this image with expired at {} and was "
                                "not renewed; nothing was written",
                                owner, format_utc(signer->not_after)));
    }
    return signer->not_after - 1;
}

}  // namespace imgshare::client
