// imgshare audit: the whole certificate log read and checked once (client/log_audit.h):
// it hashes to a signed head that extends the one this home kept, and every certificate in
// it for my name carries my keys. Exit 1 with IMPERSONATION naming each one that does not.
#include <fmt/format.h>

#include "client/commands/command.h"
#include "client/log_audit.h"
#include "client/output.h"
#include "common/clock.h"

namespace imgshare::client {
namespace {

std::string describe_impostors(const std::vector<LoggedCertificate>& impostors,
                               const std::string& username) {
    std::string text = fmt::format(
        "the certificate log holds {} certificate(s) for {} with keys that are not this "
        "home's: the CA issued the name to someone else;",
        impostors.size(), username);
    for (const auto& impostor : impostors) {
        text += fmt::format(" entry {}: certificate #{}, sign_pk {}, issued {};", impostor.index,
                            impostor.certificate.serial, to_hex(impostor.certificate.sign_pk),
                            format_utc(impostor.certificate.not_before));
    }
    text.pop_back();
    return text;
}

Result<void> run_audit(const CommandContext& context) {
    auto session = Session::open(context.options, context.stop);
    if (!session) return std::unexpected(session.error());
    auto identity = (*session)->unlock();
    if (!identity) return std::unexpected(identity.error());
    auto connection = (*session)->connect(identity->keys.curve);
    const auto& username = identity->certificate.username;
    auto report = audit_log(*connection, (*session)->certificate_log(),
                            (*session)->trust().ca_verify_key, username,
                            OwnKeys{identity->keys.sign.public_key, identity->keys.box.public_key,
                                    identity->keys.curve.public_key},
                            SystemClock().now_seconds());
    if (!report) return std::unexpected(report.error());
    if (context.options.json) {
        nlohmann::json impostors = nlohmann::json::array();
        for (const auto& impostor : report->impostors) {
            impostors.push_back({{"entry", impostor.index},
                                 {"serial", impostor.certificate.serial},
                                 {"sign_pk", to_hex(impostor.certificate.sign_pk)}});
        }
        print_json_line(context.out, {{"entries", report->size},
                                      {"root", to_hex(report->root)},
                                      {"own_certificates", report->own_certificates},
                                      {"impersonations", impostors}});
    } else if (report->impostors.empty()) {
        context.out << fmt::format(
            "audit: the certificate log of {} entries checks out (root {}); {} certificate(s) "
            "for {}, each with this home's keys\n",
            report->size, to_hex(report->root), report->own_certificates, username);
    }
    if (!report->impostors.empty()) {
        return fail(ErrorCode::IMPERSONATION, describe_impostors(report->impostors, username));
    }
    return {};
}

}  // namespace

CommandAction define_audit(CLI::App& command) {
    command.footer(
        "Reads the whole certificate log and checks that it hashes to a signed tree head "
        "extending the one this home kept, and that every certificate for your name carries "
        "this home's keys.\n"
        "Output: `audit: the certificate log of N entries checks out (root HEX); M "
        "certificate(s) for NAME, each with this home's keys`\n"
        "--json: {\"entries\", \"root\", \"own_certificates\", \"impersonations\": [{\"entry\", "
        "\"serial\", \"sign_pk\"}]}\n"
        "Exit 1: IMPERSONATION (a certificate for your name with other keys: each is named), "
        "LOG_INCONSISTENT (the log does not extend what this home saw; evidence in "
        "HOME/evidence/), or the error that stopped the audit");
    return [](const CommandContext& context) { return run_audit(context); };
}

}  // namespace imgshare::client
