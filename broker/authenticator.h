// Decides who a connecting peer is, for the ZAP handler. Services are
// admitted only by allow-listed keys, each listed for one service, as
// "service:<service>:<key>"; may_serve() then holds a READY to that service.
// A client key registered at the CA gets
// its username as User-Id; any other key is admitted as "anon:<key>" (it may
// only register), and when the CA cannot be asked, as "unknown:<key>" (its
// requests get SERVICE_UNAVAILABLE rather than a misleading NOT_REGISTERED).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "broker/zap.h"
#include "common/bytes.h"

namespace imgshare::broker {

// How long a looked-up username is trusted before the CA is asked again
// (bounds how long a revoked key keeps connecting).
inline constexpr std::int64_t kIdentityCacheMs = 30'000;

struct Verdict {
    enum class Kind { Admit, Refuse, AskCa } kind;
    std::string user_id;  // Admit: the User-Id; Refuse: the reason
};

// Backend CURVE public keys, each with the one service it may serve ("ca", "storage").
using ServiceKeys = std::map<Bytes, std::string>;

// Whether a backend peer admitted as `user_id` may announce itself as `service`: a storage
// node's key must not serve as the CA, which vouches for who every client is.
[[nodiscard]] bool may_serve(std::string_view user_id, std::string_view service);

class Authenticator {
  public:
    explicit Authenticator(ServiceKeys service_keys) : service_keys_(std::move(service_keys)) {}

    [[nodiscard]] Verdict decide(const ZapRequest& request, std::int64_t now_ms) const;

    // The CA's answer for a client key: a registered username, or nothing.
    [[nodiscard]] Verdict registered(const Bytes& client_key, const std::string& username,
                                     std::int64_t now_ms);
    [[nodiscard]] static Verdict not_registered(const Bytes& client_key);
    [[nodiscard]] static Verdict ca_unreachable(const Bytes& client_key);
    [[nodiscard]] static Verdict revoked();

  private:
    struct Cached {
        std::string username;
        std::int64_t expires_at_ms;
    };
    ServiceKeys service_keys_;
    std::map<Bytes, Cached> known_users_;
};

}  // namespace imgshare::broker
