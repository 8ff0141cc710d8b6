// imgshare whois USERNAME: another user's certificate from the CA, verified with the
// pinned CA key, and where it stands (valid, revoked, expired), as the CA's signed
// standing says (client/user_standing.h).
#include <memory>

#include "client/commands/certificate_output.h"
#include "client/commands/command.h"
#include "client/user_standing.h"
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
    const auto now = SystemClock().now_seconds();
    // An expired certificate is still the CA's word: shown, with its state.
    auto standing =
        fetch_user_standing(*connection, (*session)->trust().ca_verify_key, username, now);
    if (!standing) return std::unexpected(standing.error());
    print_certificate(context.out, standing->certificate, context.options.json,
                      state_of(standing->certificate, standing->revoked, now));
    return {};
}

}  // namespace

CommandAction define_whois(CLI::App& command) {
    auto username = std::make_shared<std::string>();
    command.add_option("USERNAME", *username, "The user to look up")->required();
    command.footer(
        "Output: as whoami, plus `revoked: yes|no` and `state: valid|revoked|expired|"
        "not_yet_valid` (revoked wins over the dates)\n"
        "--json: one object with the same fields (revoked as a boolean, state as a string)");
    return [username](const CommandContext& context) { return run_whois(*username, context); };
}

}  // namespace imgshare::client
