// The CA's renewals: RENEW (a user's own certificate, before it expires) and the operator's
// reissue (after it expired). certificate_authority.h states what each promises.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "ca-service/certificate_authority.h"
#include "ca-service/request_checks.h"
#include "common/certificate.h"
#include "common/registration.h"
#include "common/renewal.h"

namespace imgshare::ca {

Result<RenewReply> CertificateAuthority::renew(const RenewRequest& request,
                                               const RequestContext& context) {
    if (auto allowed = require_registered(context, RenewRequest::kType, false); !allowed) {
        return std::unexpected(std::move(allowed.error()));
    }
    // The name only states intent: who is renewed is the authenticated sender.
    if (request.username != *context.peer.username()) {
        return fail(ErrorCode::FORBIDDEN, "a user may renew only their own certificate");
    }
    auto retired = registry_.is_retired(request.username, request.serial);
    if (!retired) return std::unexpected(std::move(retired.error()));
    if (*retired) {
        return fail(ErrorCode::REVOKED, fmt::format("certificate #{} of {} was revoked",
                                                    request.serial, request.username));
    }
    auto current = current_certificate(request.username);
    if (!current) return std::unexpected(std::move(current.error()));
    const auto now = clock_.now_seconds();
    if (auto fresh = check_renewal_time(request.requested_at, now); !fresh)
        return std::unexpected(fresh.error());

    auto last = registry_.last_renewal_proof(request.username);
    if (!last) return std::unexpected(std::move(last.error()));
    if (*last && **last == request.proof) {
        // A retry of the RENEW that issued the current certificate: the same answer.
        auto logged = log_proof(request.username, current->serial, request.log_size_seen);
        if (!logged) return std::unexpected(std::move(logged.error()));
        return RenewReply{encode_certificate(*current), std::move(*logged)};
    }
    if (request.serial != current->serial) {
        return fail(ErrorCode::BAD_REQUEST,
                    fmt::format("certificate #{} is not {}'s current one (#{}): renew that one",
                                request.serial, request.username, current->serial));
    }
    if (auto proven = check_renewal_proof(keys_.signing.public_key, *current, request.requested_at,
                                          request.proof, now);
        !proven) {
        return std::unexpected(std::move(proven.error()));
    }

    auto renewed = next_certificate(*current, validity_seconds_);
    if (!renewed) return std::unexpected(std::move(renewed.error()));
    const auto serial = renewed->serial;
    auto encoded = encode_certificate(*renewed);
    if (auto stored = registry_.renew(request.username, serial, encoded, request.proof); !stored) {
        spdlog::warn("could not store the renewed certificate of {}: {}", request.username,
                     describe(stored.error()));
        return std::unexpected(std::move(stored.error()));
    }
    spdlog::info("renewed {}: certificate #{} replaces #{}", request.username, serial,
                 current->serial);
    auto logged = log_proof(request.username, serial, request.log_size_seen);
    if (!logged) return std::unexpected(std::move(logged.error()));
    return RenewReply{std::move(encoded), std::move(*logged)};
}

Result<ReissuedCertificate> CertificateAuthority::reissue(
    const std::string& username, std::optional<std::int64_t> validity_seconds) {
    if (auto valid = check_username(username); !valid) {
        return std::unexpected(std::move(valid.error()));
    }
    auto stored = registry_.certificate_of(username);
    if (!stored) return std::unexpected(std::move(stored.error()));
    if (!*stored) return fail(ErrorCode::NOT_FOUND, "no user named " + username);
    auto revoked = registry_.is_revoked(username);
    if (!revoked) return std::unexpected(std::move(revoked.error()));
    if (*revoked) {
        return fail(ErrorCode::REVOKED,
                    "the certificate of " + username +
                        " is revoked: a revoked key is never vouched for again");
    }
    auto current = decode_stored(**stored, username);
    if (!current) return std::unexpected(std::move(current.error()));
    // Everything but the time, checked at the certificate's last valid second.
    if (auto valid = verify_certificate(*current, keys_.signing.public_key, current->not_after - 1);
        !valid) {
        return fail(valid.error().code,
                    "the stored certificate of " + username + ": " + valid.error().message);
    }
    if (clock_.now_seconds() < current->not_after) {
        return fail(ErrorCode::BAD_REQUEST, "certificate of " + username +
                                                " is still valid; the user runs `imgshare renew`");
    }

    auto certificate = next_certificate(*current, validity_seconds.value_or(validity_seconds_));
    if (!certificate) return std::unexpected(std::move(certificate.error()));
    if (auto written = registry_.reissue(username, **stored, certificate->serial,
                                         encode_certificate(*certificate));
        !written) {
        spdlog::warn("could not store the reissued certificate of {}: {}", username,
                     describe(written.error()));
        return std::unexpected(std::move(written.error()));
    }
    spdlog::info("reissued {}: certificate #{} replaces #{}", username, certificate->serial,
                 current->serial);
    return ReissuedCertificate{std::move(*certificate), current->serial};
}

}  // namespace imgshare::ca
