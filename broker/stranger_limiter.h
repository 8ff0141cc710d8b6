// A per-source limit on what strangers cost the broker (issue #25, docs/SECURITY.md 3.19):
// every connection of a key the broker does not know costs a LOOKUP_CURVE_KEY at the CA,
// so a source address opening connections with fresh keys could keep the CA and the
// broker's loop busy for everyone. One token bucket per source address (the address ZAP
// and ZeroMQ's Peer-Address give) holds those lookups to a rate; past it the broker asks
// the CA nothing, and the handshake is refused (the client's ZeroMQ tries again later).
//
// A key the CA has confirmed as a registered user's since the broker started is never
// charged: a flood from the same address or another cannot keep a known user out. Only
// keys the broker has not seen as a user's are limited: strangers, registrations, and
// users it has not seen since it started.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "broker/rate_limiter.h"

namespace imgshare::broker {

// Defaults of imgshare-broker run --handshake-limit / --handshake-burst.
inline constexpr RateLimit kDefaultStrangerLimit{50, 200};

class StrangerLimiter {
  public:
    explicit StrangerLimiter(RateLimit limit) : buckets_(limit) {}

    // Whether the broker may ask the CA about a key that came from `source`: always when
    // `known_user` (the CA confirmed the key as a user's before), else while the source's
    // bucket holds a token. nullopt: ask; else the milliseconds until the next token.
    [[nodiscard]] std::optional<std::uint32_t> admit(bool known_user, const std::string& source,
                                                     std::int64_t now_ms);

    // Whether this refusal is the first for `source` since the last forget_idle(): the one
    // worth an operational log line (a flood refused thousands of times logs once a while).
    [[nodiscard]] bool first_refusal(const std::string& source);

    // Drops the sources whose buckets are full again; forgets who was refused.
    void forget_idle(std::int64_t now_ms);

  private:
    RateLimiter buckets_;
    std::set<std::string> refused_;
};

}  // namespace imgshare::broker
