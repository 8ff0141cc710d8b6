#include "broker/authenticator.h"

#include "common/crypto/keys.h"
#include "common/registration.h"

namespace imgshare::broker {
namespace {

Verdict admit(PeerIdentity peer) {
    return {Verdict::Kind::Admit, std::move(peer), {}};
}

Verdict refuse(std::string reason, ErrorCode refusal = ErrorCode::FORBIDDEN) {
    return {Verdict::Kind::Refuse, std::nullopt, std::move(reason), refusal};
}

}  // namespace

Verdict Authenticator::decide(const ZapRequest& request, std::int64_t now_ms,
                              std::int64_t now_seconds) const {
    if (request.domain == kServicesDomain) {
        auto allowed = service_keys_.find(request.client_key);
        if (allowed != service_keys_.end()) {
            return admit(ServicePeer{allowed->second, request.client_key});
        }
        return refuse("service key is not on the allow list");
    }
    if (request.domain != kClientsDomain) return refuse("unknown ZAP domain");
    return decide_client(request.client_key, now_ms, now_seconds);
}

Verdict Authenticator::decide_client(const Bytes& client_key, std::int64_t now_ms,
                                     std::int64_t now_seconds) const {
    auto cached = known_keys_.find(client_key);
    if (cached == known_keys_.end() || cached->second.expires_at_ms <= now_ms) {
        return {Verdict::Kind::AskCa, std::nullopt, {}};
    }
    if (auto allowed = check_user(cached->second.username, now_seconds); !allowed) {
        // A certificate that ended may have been reissued (imgshare-ca reissue): only the
        // CA knows, so it is asked again rather than the cache trusted for the end it knew.
        if (allowed.error().code == ErrorCode::EXPIRED)
            return {Verdict::Kind::AskCa, std::nullopt, {}};
        return revoked();
    }
    return admit(UserPeer{cached->second.username});
}

Error unconfirmed_sender() {
    return Error{ErrorCode::SERVICE_UNAVAILABLE, "the CA could not confirm who you are; try again"};
}

bool may_serve(const PeerIdentity& peer, std::string_view service) {
    const auto* backend = peer.get_if<ServicePeer>();
    return backend != nullptr && !service.empty() && backend->service == service;
}

Verdict Authenticator::registered(const Bytes& client_key, const std::string& username,
                                  bool revoked_now, std::int64_t not_after, std::int64_t now_ms,
                                  std::int64_t now_seconds) {
    // A released name's retired key, answered for before the release arrived: refused, and
    // the name, someone else's now, left alone.
    if (client_key.size() == 32 && retired_keys_.contains(z85_encode(client_key))) {
        return revoked();
    }
    // Revocation is final: a lookup answered before a notice arrived cannot undo it.
    if (revoked_now || revoked_.contains(username)) {
        revoke(username);
        return revoked();
    }
    // The name becomes the User-Id every service parses: one the username rule refuses
    // would leave the client with a connection nothing can be asked on.
    if (!check_username(username)) return refuse("the CA named the key's holder wrongly");
    not_after_[username] = not_after;
    if (now_seconds >= not_after) return expired();
    known_keys_[client_key] = Cached{username, now_ms + kIdentityCacheMs};
    return admit(UserPeer{username});
}

Verdict Authenticator::not_registered(const Bytes& client_key) {
    return admit(AnonymousPeer{client_key});
}

Verdict Authenticator::too_many_strangers(const std::string& source) {
    return refuse("too many connections of unknown keys from " + source + "; try again later",
                  ErrorCode::RATE_LIMITED);
}

Verdict Authenticator::ca_unreachable(const Bytes& client_key) {
    return admit(UnconfirmedPeer{client_key});
}

Verdict Authenticator::revoked() {
    return refuse("certificate revoked", ErrorCode::REVOKED);
}

Verdict Authenticator::expired() {
    return refuse("certificate expired", ErrorCode::EXPIRED);
}

void Authenticator::revoke(const std::string& username) {
    revoked_.insert(username);
    std::erase_if(known_keys_,
                  [&](const auto& entry) { return entry.second.username == username; });
}

void Authenticator::released(const std::string& username, const Bytes& retired_curve_key) {
    if (retired_curve_key.size() == 32) retired_keys_.insert(z85_encode(retired_curve_key));
    std::erase_if(known_keys_, [&](const auto& entry) {
        return entry.first == retired_curve_key || entry.second.username == username;
    });
    not_after_.erase(username);
    revoked_.erase(username);
}

Result<void> Authenticator::check_connection(std::string_view client_key_z85) const {
    if (retired_keys_.contains(client_key_z85)) {
        return fail(ErrorCode::REVOKED, "this key was revoked");
    }
    return {};
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
