// The client's home directory (--home, $IMGSHARE_HOME, ~/.imgshare): where a
// user's configuration, trust anchors, keys, protocol log and watcher state
// live.
//
//   DIR/config        key = value: broker_endpoint, events_endpoint
//   DIR/trust         the trust file, copied at init (common/trust_file.h)
//   DIR/keys.sealed   the keystore (common/keystore.h), DIR/certificate
//   DIR/protocol.log  every message sent and received (common/protocol_log.h)
//   DIR/state         key = value: last_seq, the last feed position seen
//   DIR/uploads/      posts kept until they commit (client/kept_posts.h)
//
// Promises: the directory is kept 0700 and every file written here is 0600
// and replaced atomically; init never replaces an existing configuration, and
// refuses a trust file that does not parse. Errors name the file concerned.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "common/endpoint.h"
#include "common/error.h"
#include "common/keystore.h"
#include "common/trust_file.h"

namespace imgshare::client {

struct ClientConfig {
    Endpoint broker;  // the broker's client ROUTER
    Endpoint events;  // the broker's XPUB

    bool operator==(const ClientConfig&) const = default;
};

// The events endpoint when none is given: the broker's host, port + 1. CONFIG if the broker's
// port is the last one.
[[nodiscard]] Result<Endpoint> default_events_endpoint(const Endpoint& broker);

// CONFIG for unknown, duplicate or missing keys and bad endpoints, naming source and line.
[[nodiscard]] Result<ClientConfig> parse_client_config(std::string_view text,
                                                       std::string_view source_name);
// The text parse_client_config reads back to an equal value.
[[nodiscard]] std::string format_client_config(const ClientConfig& config);

// --home if given, else $IMGSHARE_HOME, else $HOME/.imgshare (values as read from the
// environment, null when unset or empty). CONFIG if none is available.
[[nodiscard]] Result<std::filesystem::path> resolve_home(std::string_view home_flag,
                                                         const char* imgshare_home_env,
                                                         const char* home_env);

class ClientHome {
  public:
    explicit ClientHome(std::filesystem::path dir) : dir_(std::move(dir)) {}

    [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }
    [[nodiscard]] std::filesystem::path config_path() const { return dir_ / "config"; }
    [[nodiscard]] std::filesystem::path trust_path() const { return dir_ / "trust"; }
    [[nodiscard]] std::filesystem::path protocol_log_path() const { return dir_ / "protocol.log"; }
    [[nodiscard]] std::filesystem::path state_path() const { return dir_ / "state"; }
    [[nodiscard]] std::filesystem::path uploads_dir() const { return dir_ / "uploads"; }
    [[nodiscard]] Keystore keystore() const { return Keystore(dir_); }

    // Creates the directory (0700), checks that `trust_file` parses, copies it to DIR/trust
    // and writes DIR/config. BAD_REQUEST if DIR/config exists already.
    [[nodiscard]] Result<void> initialise(const ClientConfig& config,
                                          const std::filesystem::path& trust_file) const;

    // CONFIG "… not initialised: run `imgshare init`" when there is no configuration.
    [[nodiscard]] Result<ClientConfig> load_config() const;
    [[nodiscard]] Result<TrustAnchors> load_trust() const;

    // 0 when there is no state yet; CONFIG if the file is malformed.
    [[nodiscard]] Result<std::uint64_t> load_last_seq() const;
    [[nodiscard]] Result<void> save_last_seq(std::uint64_t seq) const;

  private:
    std::filesystem::path dir_;
};

}  // namespace imgshare::client
