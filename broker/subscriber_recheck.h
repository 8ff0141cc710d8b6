// When the events socket gives subscribers that ZAP could not confirm another
// handshake. ZAP decides a connection once, and XPUB admits a subscription
// only as it arrives, so a subscriber admitted as `unknown:<key>` (the CA was
// not there to ask: a restarted broker before the CA announced itself) is
// refused every topic and would hear nothing for the connection's life. Once
// the CA is live again, EventChannel reopens the socket and every subscriber
// comes back through ZAP, which asks the CA, so a revoked or expired key is
// refused there as at any first handshake.
//
// Promises: due() is true once after one or more refusals, as soon as the CA
// is live, and never twice within kUnconfirmedRecheckIntervalMs, so a CA that
// keeps failing lookups cannot make every watcher reconnect in a loop.
#pragma once

#include <cstdint>
#include <limits>

namespace imgshare::broker {

inline constexpr std::int64_t kUnconfirmedRecheckIntervalMs = 2000;

class SubscriberRecheck {
  public:
    // A subscription from an unconfirmed peer was refused.
    void refused_unconfirmed() { waiting_ = true; }

    // Whether to reopen the events socket now (monotonic `now_ms`); true consumes the
    // refusals seen so far.
    [[nodiscard]] bool due(std::int64_t now_ms, bool ca_live) {
        if (!waiting_ || !ca_live || now_ms < next_allowed_ms_) return false;
        waiting_ = false;
        next_allowed_ms_ = now_ms + kUnconfirmedRecheckIntervalMs;
        return true;
    }

  private:
    bool waiting_ = false;
    std::int64_t next_allowed_ms_ = std::numeric_limits<std::int64_t>::min();
};

}  // namespace imgshare::broker
