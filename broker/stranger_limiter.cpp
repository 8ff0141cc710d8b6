#include "broker/stranger_limiter.h"

namespace imgshare::broker {

std::optional<std::uint32_t> StrangerLimiter::admit(bool known_user, const std::string& source,
                                                    std::int64_t now_ms) {
    if (known_user) return std::nullopt;
    return buckets_.admit(source, now_ms);
}

bool StrangerLimiter::first_refusal(const std::string& source) {
    return refused_.insert(source).second;
}

void StrangerLimiter::forget_idle(std::int64_t now_ms) {
    buckets_.forget_idle(now_ms);
    refused_.clear();
}

}  // namespace imgshare::broker
