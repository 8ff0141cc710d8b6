// imgshare whois USERNAME: another user's certificate from the CA, verified with the
// pinned CA key.
#include <memory>

#include "client/commands/certificate_output.h"
#include "client/commands/command.h"
#include "common/clock.h"
#include "common/registration.h"

namespace imgshare::client {
namespace {

Result<void> run_whois(const std::string& username, const CommandContext& context) {
    if (auto ok = check_username(username); !ok) return ok;
    auto session = Session::open(context.options, context.stop);
    if (!session) return std::unexpected(session.error());
    auto identity = (*session)->unlock();
    if (!identity) return std::unexpected(identity.error());
    auto connection = (*session)->connect(identity->keys.curve);
    auto reply = connection->call<GetCertReply>(GetCertRequest{username});
    if (!reply) return std::unexpected(reply.error());
    auto certificate = decode_certificate(reply->certificate);
    if (!certificate) return std::unexpected(certificate.error());
    if (auto ok = verify_certificate(*certificate, (*session)->trust().ca_verify_key,
                                     SystemClock().now_seconds());
        !ok) {
        return ok;
    }
    if (certificate->username != username) {
        return fail(ErrorCode::BAD_SIGNATURE, "the CA answered with another user's certificate");
    }
    print_certificate(context.out, *certificate, context.options.json, reply->revoked);
    return {};
}

}  // namespace

CommandAction define_whois(CLI::App& command) {
    auto username = std::make_shared<std::string>();
    command.add_option("USERNAME", *username, "The user to look up")->required();
    command.footer(
        "Output: as whoami, plus `revoked: yes|no`\n"
        "--json: one object with the same fields (revoked as a boolean)");
    return [username](const CommandContext& context) { return run_whois(*username, context); };
}

}  // namespace imgshare::client
