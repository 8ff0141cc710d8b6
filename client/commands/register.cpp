// imgshare register USERNAME: create my keys (encrypted at rest), have the CA certify them,
// check the certificate says exactly what was asked, and keep it.
#include <memory>

#include <fmt/format.h>

#include "client/commands/command.h"
#include "client/output.h"
#include "client/passphrase.h"
#include "client/user_registration.h"
#include "common/invitation.h"
#include "common/registration.h"

namespace imgshare::client {
namespace {

// The keys to register: new ones in a new keystore, or those of a keystore left without a
// certificate (a registration that failed or was interrupted).
struct KeysToRegister {
    UserKeys keys;
    RegistrationAttempt attempt = RegistrationAttempt::First;
};

Result<KeysToRegister> keys_to_register(const Session& session) {
    Keystore keystore = session.home().keystore();
    if (keystore.exists()) {
        if (auto certificate = keystore.load_certificate(); certificate) {
            return fail(ErrorCode::BAD_REQUEST,
                        fmt::format("{} is already registered as {}", session.home().dir().string(),
                                    certificate->username));
        }
        auto passphrase = obtain_passphrase(PassphrasePurpose::Unlock);
        if (!passphrase) return std::unexpected(passphrase.error());
        auto keys = keystore.load(as_string(passphrase->view()));
        if (!keys) return std::unexpected(keys.error());
        return KeysToRegister{std::move(*keys), RegistrationAttempt::Resumed};
    }
    auto passphrase = obtain_passphrase(PassphrasePurpose::Create);
    if (!passphrase) return std::unexpected(passphrase.error());
    UserKeys keys = generate_user_keys();
    if (auto ok = keystore.create(keys, as_string(passphrase->view()), keystore_kdf_strength());
        !ok) {
        return std::unexpected(ok.error());
    }
    return KeysToRegister{std::move(keys), RegistrationAttempt::First};
}

Result<void> run_register(const std::string& username, const std::string& invite,
                          const CommandContext& context) {
    if (auto ok = check_username(username); !ok) return ok;
    // A mistyped token is told here, before a key is made or the CA asked.
    if (!invite.empty()) {
        if (auto token = decode_invitation(invite); !token) {
            return std::unexpected(token.error());
        }
    }
    auto session = Session::open(context.options, context.stop);
    if (!session) return std::unexpected(session.error());
    auto registering = keys_to_register(**session);
    if (!registering) return std::unexpected(registering.error());
    const UserKeys& keys = registering->keys;
    auto certificate = register_keys([&] { return (*session)->connect(keys.curve); }, username,
                                     keys, registering->attempt, (*session)->trust(), invite);
    if (!certificate) return std::unexpected(certificate.error());
    if (auto ok = (*session)->home().keystore().save_certificate(*certificate); !ok) return ok;
    if (context.options.json) {
        print_json_line(context.out, {{"username", certificate->username},
                                      {"serial", certificate->serial},
                                      {"valid_until", format_utc(certificate->not_after)}});
    } else {
        print_line(context.out,
                   fmt::format("registered {} (serial {}, valid until {})", certificate->username,
                               certificate->serial, format_utc(certificate->not_after)));
    }
    return {};
}

}  // namespace

CommandAction define_register(CLI::App& command) {
    auto username = std::make_shared<std::string>();
    auto invite = std::make_shared<std::string>();
    command.add_option("USERNAME", *username, "1 to 32 characters of a-z 0-9 _ . -")->required();
    command.add_option("--invite", *invite,
                       "The invitation token a CA that registers by invitation asks for "
                       "(imgshare-invite-…, from its operator's 'imgshare-ca invite'); good once");
    command.footer(
        "Generates your three key pairs, stores them encrypted under your passphrase "
        "($IMGSHARE_PASSPHRASE, else asked on the terminal), registers them with the CA and "
        "keeps the certificate once it is verified. A home whose registration was interrupted "
        "retries with the keys it holds. A CA that registers by invitation only refuses "
        "without --invite (FORBIDDEN), or with a token that is used (FORBIDDEN), for another "
        "name (FORBIDDEN), expired (EXPIRED) or not its own (BAD_SIGNATURE).\n"
        "Output: registered USERNAME (serial N, valid until YYYY-MM-DDTHH:MM:SSZ)\n"
        "--json: {\"username\":…,\"serial\":…,\"valid_until\":…}");
    return [username, invite](const CommandContext& context) {
        return run_register(*username, *invite, context);
    };
}

}  // namespace imgshare::client
