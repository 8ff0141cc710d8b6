// imgshare renew: a new certificate for my keys, before the current one expires. The CA
// must answer with a certificate it signed, valid now, for exactly my name and keys.
#include <fmt/format.h>

#include "client/commands/command.h"
#include "client/output.h"
#include "common/clock.h"
#include "common/renewal.h"

namespace imgshare::client {
namespace {

Result<Certificate> accept_renewal(ByteView encoded, const Certificate& current,
                                   const TrustAnchors& trust) {
    auto renewed = decode_certificate(encoded);
    if (!renewed) return std::unexpected(renewed.error());
    if (auto ok = verify_certificate(*renewed, trust.ca_verify_key, SystemClock().now_seconds());
        !ok) {
        return std::unexpected(ok.error());
    }
    if (renewed->username != current.username || renewed->sign_pk != current.sign_pk ||
        renewed->box_pk != current.box_pk || renewed->curve_pk != current.curve_pk) {
        return fail(ErrorCode::BAD_SIGNATURE,
                    "the CA's new certificate is not for exactly my name and keys; keeping the "
                    "current one");
    }
    return renewed;
}

Result<void> run_renew(const CommandContext& context) {
    auto session = Session::open(context.options, context.stop);
    if (!session) return std::unexpected(session.error());
    auto identity = (*session)->unlock();  // EXPIRED here: too late to renew
    if (!identity) return std::unexpected(identity.error());
    const Certificate& current = identity->certificate;
    const auto& trust = (*session)->trust();
    auto requested_at = SystemClock().now_seconds();
    RenewRequest request{current.username, current.serial, requested_at,
                         make_renewal_proof(trust.ca_verify_key, current, requested_at,
                                            identity->keys.sign.secret_key)};
    auto reply = (*session)->connect(identity->keys.curve)->call<RenewReply>(request);
    if (!reply) return std::unexpected(reply.error());
    auto renewed = accept_renewal(reply->certificate, current, trust);
    if (!renewed) return std::unexpected(renewed.error());
    if (auto saved = (*session)->home().keystore().save_certificate(*renewed, /*replace=*/true);
        !saved) {
        return saved;
    }
    if (context.options.json) {
        print_json_line(context.out, {{"username", renewed->username},
                                      {"serial", renewed->serial},
                                      {"valid_until", format_utc(renewed->not_after)}});
    } else {
        print_line(context.out,
                   fmt::format("renewed {} (serial {}, valid until {})", renewed->username,
                               renewed->serial, format_utc(renewed->not_after)));
    }
    return {};
}

}  // namespace

CommandAction define_renew(CLI::App& command) {
    command.footer(
        "Asks the CA for a new certificate for the same keys (a new serial, a new validity), "
        "proving with your signing key that you hold them. Only before the current certificate "
        "expires: an expired or revoked user cannot renew. The new certificate replaces the "
        "stored one once it is verified; images you posted stay readable.\n"
        "Output: renewed USERNAME (serial N, valid until YYYY-MM-DDTHH:MM:SSZ)\n"
        "--json: {\"username\":…,\"serial\":…,\"valid_until\":…}");
    return [](const CommandContext& context) { return run_renew(context); };
}

}  // namespace imgshare::client
