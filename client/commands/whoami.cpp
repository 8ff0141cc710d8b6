// imgshare whoami: my own certificate, verified with the pinned CA key. No network, no
// passphrase: a certificate is public.
#include "client/commands/certificate_output.h"
#include "client/commands/command.h"

namespace imgshare::client {

CommandAction define_whoami(CLI::App& command) {
    command.footer(
        "Output: one `field: value` line each for username, serial, valid_from, valid_until, "
        "issuer, sign_pk (hex), box_pk (hex), curve_pk (Z85)\n"
        "--json: one object with the same fields");
    return [](const CommandContext& context) -> Result<void> {
        auto session = Session::open(context.options, context.stop);
        if (!session) return std::unexpected(session.error());
        auto certificate = (*session)->own_certificate();
        if (!certificate) return std::unexpected(certificate.error());
        print_certificate(context.out, *certificate, context.options.json);
        return {};
    };
}

}  // namespace imgshare::client
