#include "broker/authenticator.h"

#include "common/crypto/keys.h"

namespace imgshare::broker {

Verdict Authenticator::decide(const ZapRequest& request, std::int64_t now_ms) const {
    if (request.domain == kServicesDomain) {
        auto allowed = service_keys_.find(request.client_key);
        if (allowed != service_keys_.end()) {
            return {Verdict::Kind::Admit,
                    "service:" + allowed->second + ":" + z85_encode(request.client_key)};
        }
        return {Verdict::Kind::Refuse, "service key is not on the allow list"};
    }
    if (request.domain != kClientsDomain) {
        return {Verdict::Kind::Refuse, "unknown ZAP domain"};
    }
    auto cached = known_users_.find(request.client_key);
    if (cached != known_users_.end() && cached->second.expires_at_ms > now_ms) {
        return {Verdict::Kind::Admit, cached->second.username};
    }
    return {Verdict::Kind::AskCa, {}};
}

bool may_serve(std::string_view user_id, std::string_view service) {
    std::string prefix = "service:" + std::string(service) + ":";
    return !service.empty() && user_id.starts_with(prefix);
}

Verdict Authenticator::registered(const Bytes& client_key, const std::string& username,
                                  std::int64_t now_ms) {
    known_users_[client_key] = Cached{username, now_ms + kIdentityCacheMs};
    return {Verdict::Kind::Admit, username};
}

Verdict Authenticator::not_registered(const Bytes& client_key) {
    return {Verdict::Kind::Admit, "anon:" + z85_encode(client_key)};
}

Verdict Authenticator::ca_unreachable(const Bytes& client_key) {
    return {Verdict::Kind::Admit, "unknown:" + z85_encode(client_key)};
}

Verdict Authenticator::revoked() {
    return {Verdict::Kind::Refuse, "certificate revoked"};
}

}  // namespace imgshare::broker
