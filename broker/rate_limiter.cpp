#include "broker/rate_limiter.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace imgshare::broker {
namespace {

constexpr std::size_t kMaxRateDigits = 9;

}  // namespace

Result<double> parse_rate(std::string_view text) {
    std::string_view digits = text;
    double per = 1;
    if (text.ends_with("/s")) {
        digits = text.substr(0, text.size() - 2);
    } else if (text.ends_with("/m")) {
        digits = text.substr(0, text.size() - 2);
        per = 60;
    }
    bool valid = !digits.empty() && digits.size() <= kMaxRateDigits;
    double count = 0;
    for (char c : digits) {
        valid = valid && c >= '0' && c <= '9';
        count = count * 10 + (c - '0');
    }
    if (!valid || count == 0) {
        return fail(ErrorCode::CONFIG, "'" + std::string(text.substr(0, 32)) +
                                           "' is not a rate: write e.g. 500/s or 600/m");
    }
    return count / per;
}

RateLimiter::RateLimiter(RateLimit limit) : limit_(limit) {
    if (!(limit_.per_second > 0) || !(limit_.burst >= 1)) {
        throw std::invalid_argument("a rate limit needs a positive rate and a burst of at least 1");
    }
}

double RateLimiter::refilled(const Bucket& bucket, std::int64_t now_ms) const {
    auto elapsed_ms = std::max<std::int64_t>(0, now_ms - bucket.updated_ms);
    return std::min(limit_.burst,
                    bucket.tokens + static_cast<double>(elapsed_ms) * limit_.per_second / 1000.0);
}

std::optional<std::uint32_t> RateLimiter::admit(const std::string& sender, std::int64_t now_ms) {
    Bucket& bucket = buckets_.try_emplace(sender, Bucket{limit_.burst, now_ms}).first->second;
    bucket.tokens = refilled(bucket, now_ms);
    bucket.updated_ms = now_ms;
    if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return std::nullopt;
    }
    // The epsilon keeps float noise (0.6 * 100 = 60.000000000000007) from adding a ms.
    double wait_ms = std::ceil((1 - bucket.tokens) * 1000.0 / limit_.per_second - 1e-6);
    return static_cast<std::uint32_t>(std::clamp(wait_ms, 1.0, 3'600'000.0));
}

void RateLimiter::forget_idle(std::int64_t now_ms) {
    std::erase_if(buckets_, [&](const auto& entry) {
        return refilled(entry.second, now_ms) >= limit_.burst;
    });
}

}  // namespace imgshare::broker
