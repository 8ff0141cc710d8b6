#include "client/session.h"

#include <cstdlib>

#include <fmt/format.h>

#include "client/certificate_state.h"
#include "client/output.h"
#include "client/passphrase.h"
#include "common/clock.h"

namespace imgshare::client {
namespace {

constexpr std::string_view kProcessName = "imgshare";

std::unexpected<Error> not_registered(const ClientHome& home) {
    return fail(ErrorCode::NOT_REGISTERED,
                fmt::format("{} holds no registered user: run `imgshare --home {} register "
                            "USERNAME` first",
                            home.dir().string(), home.dir().string()));
}

// What the holder of an expired certificate can do: only the CA's operator issues another.
std::string reissue_remedy(std::string_view username) {
    return fmt::format(" (the CA's operator can reissue it: `imgshare-ca reissue {}`, then "
                       "`imgshare renew`)",
                       username);
}

// What it means when the broker refuses `curve_public_key`: for the key of a certificate it
// once accepted, that the CA no longer vouches for it. Only the message depends on the stored
// certificate, which is why it need not be verified here.
std::optional<Error> refusal_meaning(const ClientHome& home, ByteView curve_public_key) {
    auto keystore = home.keystore();
    if (!keystore.exists()) return std::nullopt;
    auto certificate = keystore.load_certificate();
    if (!certificate ||
        certificate->curve_pk != Bytes(curve_public_key.begin(), curve_public_key.end())) {
        return std::nullopt;
    }
    if (SystemClock().now_seconds() >= certificate->not_after) {
        return Error{ErrorCode::EXPIRED,
                     fmt::format("the broker refused this key; the certificate expired at {}{}",
                                 format_utc(certificate->not_after),
                                 reissue_remedy(certificate->username))};
    }
    return Error{ErrorCode::REVOKED, "the broker refused this key; the certificate was revoked"};
}

}  // namespace

Result<ClientHome> home_of(const GlobalOptions& options) {
    auto dir = resolve_home(options.home, std::getenv("IMGSHARE_HOME"), std::getenv("HOME"));
    if (!dir) return std::unexpected(dir.error());
    return ClientHome(std::move(*dir));
}

Result<std::unique_ptr<Session>> Session::open(const GlobalOptions& options,
                                               const std::atomic<bool>& stop) {
    auto home = home_of(options);
    if (!home) return std::unexpected(home.error());
    auto config = home->load_config();
    if (!config) return std::unexpected(config.error());
    auto trust = home->load_trust();
    if (!trust) return std::unexpected(trust.error());
    std::filesystem::path log_path = options.log_file.empty()
                                         ? home->protocol_log_path()
                                         : std::filesystem::path(options.log_file);
    try {
        ProtocolLog log(std::string(kProcessName), log_path);
        return std::unique_ptr<Session>(new Session(std::move(*home), std::move(*config),
                                                    std::move(*trust), std::move(log), stop));
    } catch (const std::exception& error) {
        return fail(ErrorCode::IO_ERROR, fmt::format("cannot open the protocol log {}: {}",
                                                     log_path.string(), error.what()));
    }
}

Result<Certificate> Session::own_certificate(Dates dates) const {
    auto keystore = home_.keystore();
    if (!keystore.exists()) return not_registered(home_);
    auto certificate = keystore.load_certificate();
    if (!certificate) {
        if (certificate.error().code == ErrorCode::NOT_FOUND) return not_registered(home_);
        return certificate;
    }
    if (auto ok = dates == Dates::Ignored
                      ? verify_certificate_ignoring_time(*certificate, trust_.ca_verify_key)
                      : verify_certificate(*certificate, trust_.ca_verify_key,
                                           SystemClock().now_seconds());
        !ok) {
        // An expired certificate cannot be renewed by its user: say who can help.
        std::string remedy =
            ok.error().code == ErrorCode::EXPIRED ? reissue_remedy(certificate->username) : "";
        return fail(ok.error().code, "my own certificate: " + ok.error().message + remedy);
    }
    return certificate;
}

Result<Identity> Session::unlock(Dates dates) const {
    auto certificate = own_certificate(dates);
    if (!certificate) return std::unexpected(certificate.error());
    auto passphrase = obtain_passphrase(PassphrasePurpose::Unlock);
    if (!passphrase) return std::unexpected(passphrase.error());
    auto keys = home_.keystore().load(as_string(passphrase->view()));
    if (!keys) return std::unexpected(keys.error());
    if (keys->sign.public_key != certificate->sign_pk ||
        keys->box.public_key != certificate->box_pk ||
        keys->curve.public_key != certificate->curve_pk) {
        return fail(ErrorCode::INTEGRITY,
                    fmt::format("the certificate in {} is not for the keys stored beside it",
                                home_.dir().string()));
    }
    return Identity{std::move(*keys), std::move(*certificate)};
}

std::unique_ptr<BrokerConnection> Session::connect(const CurveKeyPair& keys) {
    ConnectionSettings settings;
    settings.endpoint = config_.broker.to_string();
    settings.broker_public_key = trust_.broker_public_key;
    settings.key_refused = refusal_meaning(home_, keys.public_key);
    settings.certificate_log = certificate_log_;
    return std::make_unique<BrokerConnection>(std::move(settings), keys, log_, stop_);
}

}  // namespace imgshare::client
