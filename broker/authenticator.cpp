#include "broker/authenticator.h"

#include "common/crypto/keys.h"

namespace imgshare::broker {

Verdict Authenticator::decide(const ZapRequest& request, std::int64_t now_ms,
                              std::int64_t now_seconds) const {
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
    auto cached = known_keys_.find(request.client_key);
    if (cached == known_keys_.end() || cached->second.expires_at_ms <= now_ms) {
        return {Verdict::Kind::AskCa, {}};
    }
    if (auto allowed = check_user(cached->second.username, now_seconds); !allowed) {
        return allowed.error().code == ErrorCode::REVOKED ? revoked() : expired();
    }
    return {Verdict::Kind::Admit, cached->second.username};
}

bool may_serve(std::string_view user_id, std::string_view service) {
    std::string prefix = "service:" + std::string(service) + ":";
    return !service.empty() && user_id.starts_with(prefix);
}

Verdict Authenticator::registered(const Bytes& client_key, const std::string& username,
                                  bool revoked_now, std::int64_t not_after, std::int64_t now_ms,
                                  std::int64_t now_seconds) {
    // Revocation is final: a lookup answered before a notice arrived cannot undo it.
    if (revoked_now || revoked_.contains(username)) {
        revoke(username);
        return revoked();
    }
    not_after_[username] = not_after;
    if (now_seconds >= not_after) return expired();
    known_keys_[client_key] = Cached{username, now_ms + kIdentityCacheMs};
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

Verdict Authenticator::expired() {
    return {Verdict::Kind::Refuse, "certificate expired"};
}

void Authenticator::revoke(const std::string& username) {
    revoked_.insert(username);
    std::erase_if(known_keys_,
                  [&](const auto& entry) { return entry.second.username == username; });
}

void Authenticator::renewed(const std::string& username, std::int64_t not_after) {
    not_after_[username] = not_after;
}

Result<void> Authenticator::check_user(const std::string& username,
                                       std::int64_t now_seconds) const {
    if (revoked_.contains(username)) {
        return fail(ErrorCode::REVOKED, "the certificate of " + username + " was revoked");
    }
    auto end = not_after_.find(username);
    if (end != not_after_.end() && now_seconds >= end->second) {
        return fail(ErrorCode::EXPIRED, "the certificate of " + username + " has expired");
    }
    return {};
}

}  // namespace imgshare::broker
