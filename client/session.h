// What every command that talks to the broker starts from: the home's
// configuration and trust anchors, the protocol log, the user's unlocked
// keys and verified certificate, and connections to the broker.
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>

#include "client/broker_connection.h"
#include "client/certificate_log.h"
#include "client/client_home.h"
#include "common/certificate.h"
#include "common/error.h"
#include "common/keys_file.h"
#include "common/protocol_log.h"
#include "common/trust_file.h"

namespace imgshare::client {

// The options every command takes.
struct GlobalOptions {
    std::string home;      // --home; empty: $IMGSHARE_HOME, else ~/.imgshare
    bool json = false;     // --json
    std::string log_file;  // --log-file; empty: HOME/protocol.log
};

// The home a command works on, as the global options and the environment say.
[[nodiscard]] Result<ClientHome> home_of(const GlobalOptions& options);

// The user's keys with the certificate that the pinned CA issued for them.
struct Identity {
    UserKeys keys;
    Certificate certificate;
};

class Session {
  public:
    // Loads the home's configuration and trust anchors (CONFIG if it is not initialised) and
    // opens the protocol log (IO_ERROR if it cannot be). `stop` ends network waits.
    [[nodiscard]] static Result<std::unique_ptr<Session>> open(const GlobalOptions& options,
                                                               const std::atomic<bool>& stop);

    [[nodiscard]] const ClientHome& home() const { return home_; }
    [[nodiscard]] const ClientConfig& config() const { return config_; }
    [[nodiscard]] const TrustAnchors& trust() const { return trust_; }
    [[nodiscard]] ProtocolLog& log() { return log_; }
    // The certificate log as this home has seen it; every connection from connect() checks
    // certificates against it.
    [[nodiscard]] CertificateLog& certificate_log() const { return *certificate_log_; }
    [[nodiscard]] const std::atomic<bool>& stop() const { return stop_; }

    // How the stored certificate's dates are judged: valid now (every command), or not at
    // all (`renew` of a certificate that has ended, to pick up one the operator reissued).
    enum class Dates { ValidNow, Ignored };

    // The stored certificate, verified with the pinned CA key now (or, with Dates::Ignored,
    // apart from its dates). NOT_REGISTERED if the home has no keys or no certificate yet;
    // the verification's error otherwise.
    [[nodiscard]] Result<Certificate> own_certificate(Dates dates = Dates::ValidNow) const;

    // The keys (asking for the passphrase) with the verified certificate. NOT_REGISTERED as
    // above (checked before any passphrase is asked for); BAD_PASSPHRASE; INTEGRITY if the
    // certificate is not for these keys.
    [[nodiscard]] Result<Identity> unlock(Dates dates = Dates::ValidNow) const;

    // A connection to the broker authenticated by `keys`. When they are the keys of the
    // home's certificate, a broker that refuses them makes every call fail at once with
    // EXPIRED (the certificate's not_after has passed on this machine's clock) or REVOKED.
    [[nodiscard]] std::unique_ptr<BrokerConnection> connect(const CurveKeyPair& keys);

  private:
    Session(ClientHome home, ClientConfig config, TrustAnchors trust, ProtocolLog log,
            const std::atomic<bool>& stop)
        : home_(std::move(home)),
          config_(std::move(config)),
          trust_(std::move(trust)),
          log_(std::move(log)),
          stop_(stop),
          certificate_log_(std::make_shared<CertificateLog>(home_.dir(), trust_.log_verify_key,
                                                             trust_.witnesses)) {}

    ClientHome home_;
    ClientConfig config_;
    TrustAnchors trust_;
    ProtocolLog log_;
    const std::atomic<bool>& stop_;
    std::shared_ptr<CertificateLog> certificate_log_;
};

}  // namespace imgshare::client
