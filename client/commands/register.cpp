// imgshare register USERNAME: create my keys (encrypted at rest), have the CA certify them,
// check the certificate says exactly what was asked, and keep it.
#include <memory>

#include <fmt/format.h>

#include "client/commands/command.h"
#include "client/output.h"
#include "client/passphrase.h"
#include "common/clock.h"
#include "common/registration.h"

namespace imgshare::client {
namespace {

// The keys to register: new ones in a new keystore, or those of a keystore left without a
// certificate (a registration that failed or was interrupted).
struct KeysToRegister {
    UserKeys keys;
    bool resumed = false;
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
        return KeysToRegister{std::move(*keys), true};
    }
    auto passphrase = obtain_passphrase(PassphrasePurpose::Create);
    if (!passphrase) return std::unexpected(passphrase.error());
    UserKeys keys = generate_user_keys();
    if (auto ok = keystore.create(keys, as_string(passphrase->view()), keystore_kdf_strength());
        !ok) {
        return std::unexpected(ok.error());
    }
    return KeysToRegister{std::move(keys), false};
}

// The CA's answer, decoded and held to what was asked: the pinned CA's signature, valid now,
// exactly this name and these three keys.
Result<Certificate> accept_certificate(ByteView encoded, const std::string& username,
                                       const UserKeys& keys, const TrustAnchors& trust) {
    auto certificate = decode_certificate(encoded);
    if (!certificate) return std::unexpected(certificate.error());
    if (auto ok =
            verify_certificate(*certificate, trust.ca_verify_key, SystemClock().now_seconds());
        !ok) {
        return std::unexpected(ok.error());
    }
    if (certificate->username != username || certificate->sign_pk != keys.sign.public_key ||
        certificate->box_pk != keys.box.public_key ||
        certificate->curve_pk != keys.curve.public_key) {
        return fail(ErrorCode::BAD_SIGNATURE,
                    "the CA's certificate does not carry exactly the name and keys sent; not "
                    "storing it");
    }
    return certificate;
}

// REGISTER over an anonymous connection (the CA checks that curve_pk is its key). If a
// resumed registration finds the name taken, it may be ours from the interrupted attempt:
// the key is then registered, so a new connection is authenticated and may ask GET_CERT.
Result<Bytes> request_certificate(Session& session, const std::string& username,
                                  const KeysToRegister& registering) {
    const UserKeys& keys = registering.keys;
    RegisterRequest request{
        username, keys.sign.public_key, keys.box.public_key, keys.curve.public_key,
        make_registration_proof(username, keys.sign.public_key, keys.box.public_key,
                                keys.curve.public_key, keys.sign.secret_key)};
    auto reply = session.connect(keys.curve)->call<RegisterReply>(request);
    if (reply) return std::move(reply->certificate);
    if (!registering.resumed || reply.error().code != ErrorCode::NAME_TAKEN) {
        return std::unexpected(reply.error());
    }
    auto existing = session.connect(keys.curve)->call<GetCertReply>(GetCertRequest{username});
    if (!existing) return std::unexpected(reply.error());
    auto theirs = decode_certificate(existing->certificate);
    if (!theirs || theirs->curve_pk != keys.curve.public_key) return std::unexpected(reply.error());
    return std::move(existing->certificate);
}

Result<void> run_register(const std::string& username, const CommandContext& context) {
    if (auto ok = check_username(username); !ok) return ok;
    auto session = Session::open(context.options, context.stop);
    if (!session) return std::unexpected(session.error());
    auto registering = keys_to_register(**session);
    if (!registering) return std::unexpected(registering.error());
    auto encoded = request_certificate(**session, username, *registering);
    if (!encoded) return std::unexpected(encoded.error());
    auto certificate =
        accept_certificate(*encoded, username, registering->keys, (*session)->trust());
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
    command.add_option("USERNAME", *username, "1 to 32 characters of a-z 0-9 _ . -")->required();
    command.footer(
        "Generates your three key pairs, stores them encrypted under your passphrase "
        "($IMGSHARE_PASSPHRASE, else asked on the terminal), registers them with the CA and "
        "keeps the certificate once it is verified. A home whose registration was interrupted "
        "retries with the keys it holds.\n"
        "Output: registered USERNAME (serial N, valid until YYYY-MM-DDTHH:MM:SSZ)\n"
        "--json: {\"username\":…,\"serial\":…,\"valid_until\":…}");
    return [username](const CommandContext& context) { return run_register(*username, context); };
}

}  // namespace imgshare::client
