// Per-sender request rate limits for the broker: one token bucket per
// authenticated identity (a username, or "anon:<key>" so anonymous peers are
// limited per connection key). A refused request is answered RATE_LIMITED
// with the time until a token is available, never dropped silently.
//
// Memory: a bucket that has refilled completely holds nothing worth keeping;
// forget_idle() drops those, so peers that come and go (new anonymous keys)
// cannot grow the table beyond the ones active within the last burst's worth
// of refill time.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"

namespace imgshare::broker {

struct RateLimit {
    double per_second = 500;  // sustained requests per second per sender
    double burst = 1000;      // requests a sender may send at once after being idle
};

// "N/s", "N/m" or a bare N (per second), N a positive integer. CONFIG otherwise.
[[nodiscard]] Result<double> parse_rate(std::string_view text);

class RateLimiter {
  public:
    // per_second and burst must be positive (burst at least 1).
    explicit RateLimiter(RateLimit limit);

    // Takes a token from `sender`'s bucket: nullopt when the request may go on, else the
    // milliseconds until the next token (at least 1).
    [[nodiscard]] std::optional<std::uint32_t> admit(const std::string& sender,
                                                     std::int64_t now_ms);

    // Drops the buckets that are full again at `now_ms`.
    void forget_idle(std::int64_t now_ms);
    [[nodiscard]] std::size_t tracked() const { return buckets_.size(); }

  private:
    struct Bucket {
        double tokens;
        std::int64_t updated_ms;
    };
    [[nodiscard]] double refilled(const Bucket& bucket, std::int64_t now_ms) const;

    RateLimit limit_;
    std::map<std::string, Bucket, std::less<>> buckets_;
};

}  // namespace imgshare::broker
