// imgshare renew: a new certificate for my keys. Before the current one expires, by RENEW;
// after, by picking up the certificate the CA's operator reissued (`imgshare-ca reissue`),
// which the CA answers GET_CERT with. Either way the new certificate must be one the pinned CA
// signed, valid now, for exactly my name and keys; a reissued one must also be newer than mine
// and, as the CA's signed standing says, not revoked.
#include <fmt/format.h>

#include "client/commands/command.h"
#include "client/output.h"
#include "client/user_registration.h"
#include "client/user_standing.h"
#include "common/clock.h"
#include "common/renewal.h"

namespace imgshare::client {
namespace {

Result<Certificate> accept_renewal(const Certificate& renewed, const Certificate& current,
                                   const TrustAnchors& trust) {
    if (auto ok = verify_certificate(renewed, trust.ca_verify_key, SystemClock().now_seconds());
        !ok) {
        return std::unexpected(ok.error());
    }
    if (renewed.username != current.username || renewed.sign_pk != current.sign_pk ||
        renewed.box_pk != current.box_pk || renewed.curve_pk != current.curve_pk) {
        return fail(ErrorCode::BAD_SIGNATURE,
                    "the CA's new certificate is not for exactly my name and keys; keeping the "
                    "current one");
    }
    return renewed;
}

// RENEW, while `identity`'s certificate is valid.
Result<Certificate> renewed_certificate(Session& session, const Identity& identity) {
    const Certificate& current = identity.certificate;
    const auto& trust = session.trust();
    auto requested_at = SystemClock().now_seconds();
    auto seen = session.certificate_log().size_seen();
    if (!seen) return std::unexpected(seen.error());
    RenewRequest request{current.username, current.serial, requested_at,
                         make_renewal_proof(trust.ca_verify_key, current, requested_at,
                                            identity.keys.sign.secret_key),
                         *seen};
    auto reply = session.connect(identity.keys.curve)->call<RenewReply>(request);
    if (!reply) return std::unexpected(reply.error());
    auto renewed = decode_certificate(reply->certificate);
    if (!renewed) return std::unexpected(renewed.error());
    auto accepted = accept_renewal(*renewed, current, trust);
    if (!accepted) return accepted;
    // Only a certificate in the log is stored: one issued out of sight would be refused by
    // everyone who looks it up.
    if (auto logged = accept_own_logged([&] { return session.connect(identity.keys.curve); },
                                        current.username, reply->certificate,
                                        std::move(reply->log), *seen, session.certificate_log());
        !logged) {
        return std::unexpected(logged.error());
    }
    return accepted;
}

// Once `identity`'s certificate has ended, RENEW is refused; the broker admits the key again
// only when the operator has reissued it, and the CA's current certificate is then the new one.
Result<Certificate> reissued_certificate(Session& session, const Identity& identity,
                                         std::int64_t now_seconds) {
    const Certificate& current = identity.certificate;
    auto connection = session.connect(identity.keys.curve);
    auto standing = fetch_user_standing(*connection, session.trust().ca_verify_key,
                                        current.username, now_seconds);
    if (!standing) return std::unexpected(standing.error());
    if (standing->revoked) {
        return fail(ErrorCode::REVOKED, "the certificate of " + current.username + " was revoked");
    }
    if (standing->certificate.serial == current.serial) {
        return fail(ErrorCode::EXPIRED,
                    fmt::format("my certificate expired at {} and the CA holds no other: ask the "
                                "CA's operator to run `imgshare-ca reissue {}`",
                                format_utc(current.not_after), current.username));
    }
    return accept_renewal(standing->certificate, current, session.trust());
}

Result<void> run_renew(const CommandContext& context) {
    auto session = Session::open(context.options, context.stop);
    if (!session) return std::unexpected(session.error());
    // An ended certificate still identifies my keys to the CA's operator.
    auto identity = (*session)->unlock(Session::Dates::Ignored);
    if (!identity) return std::unexpected(identity.error());
    const auto now = SystemClock().now_seconds();
    const bool ended = now >= identity->certificate.not_after;
    auto renewed = ended ? reissued_certificate(**session, *identity, now)
                         : renewed_certificate(**session, *identity);
    if (!renewed) return std::unexpected(renewed.error());
    if (auto saved = (*session)->home().keystore().save_certificate(*renewed, /*replace=*/true);
        !saved) {
        return saved;
    }
    if (context.options.json) {
        print_json_line(context.out, {{"username", renewed->username},
                                      {"serial", renewed->serial},
                                      {"valid_until", format_utc(renewed->not_after)},
                                      {"reissued", ended}});
    } else {
        print_line(context.out,
                   fmt::format("renewed {} (serial {}, valid until {}{})", renewed->username,
                               renewed->serial, format_utc(renewed->not_after),
                               ended ? "; reissued by the CA's operator" : ""));
    }
    return {};
}

}  // namespace

CommandAction define_renew(CLI::App& command) {
    command.footer(
        "Asks the CA for a new certificate for the same keys (a new serial, a new validity), "
        "proving with your signing key that you hold them. Before the current certificate "
        "expires you renew it yourself; after, only the CA's operator can issue a new one "
        "(`imgshare-ca reissue USERNAME`), and renew then fetches it. A revoked user gets none. "
        "The new certificate replaces the stored one once it is verified; images you posted "
        "stay readable.\n"
        "Output: renewed USERNAME (serial N, valid until YYYY-MM-DDTHH:MM:SSZ[; reissued by the "
        "CA's operator])\n"
        "--json: {\"username\":…,\"serial\":…,\"valid_until\":…,\"reissued\":true|false}");
    return [](const CommandContext& context) { return run_renew(context); };
}

}  // namespace imgshare::client
