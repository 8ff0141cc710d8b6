// Decides who a connecting peer is, for the ZAP handler, and whether a
// registered user may still send requests. The decision is a PeerIdentity
// (common/protocol/peer_identity.h), whose encoding becomes the connection's
// User-Id. Services are admitted only by allow-listed keys, each listed for
// one service, as a ServicePeer; may_serve() then holds a READY to that
// service. A client key registered at the CA is a UserPeer; any other key an
// AnonymousPeer (it may only register), and when the CA cannot be asked, an
// UnconfirmedPeer. ZAP's answer holds for the connection's life, so the broker
// asks again for an unconfirmed peer's requests (decide_client(), then the CA)
// and serves each as whoever the key turns out to be, or refuses it as ZAP
// would have (broker/sender_confirmation.cpp); while the CA still cannot be
// asked, they get SERVICE_UNAVAILABLE rather than a misleading NOT_REGISTERED.
//
// Revoked and expired users: ZAP refuses their keys (the CA's lookup says
// revoked, or its not_after has passed), and check_user() refuses their
// requests on connections opened before — at once after a USER_REVOKED
// notice, and per request against the not_after last heard of (from the
// lookup, or from a RENEW the CA answered). A cached user whose certificate
// has ended is not refused from the cache but looked up again (AskCa): the
// operator may have reissued the certificate (`imgshare-ca reissue`), and the
// user is then admitted at once, not after kIdentityCacheMs; the lookup also
// moves the end check_user() judges their open connections by.
//
// Released names: revocation is by name, so when the CA frees a revoked name
// for a new registration (USER_RELEASED) the broker stops refusing the name
// and refuses the retired key itself instead: the CA's lookup answers REVOKED
// for it at ZAP, and check_connection() refuses the requests of connections
// that were admitted with it before, which carry the name as their User-Id.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "broker/zap.h"
#include "common/bytes.h"
#include "common/error.h"
#include "common/protocol/peer_identity.h"

namespace imgshare::broker {

// How long a looked-up username is trusted before the CA is asked again on a new
// connection (a revocation notice ends it at once).
inline constexpr std::int64_t kIdentityCacheMs = 30'000;

struct Verdict {
    enum class Kind { Admit, Refuse, AskCa } kind;
    std::optional<PeerIdentity> peer;  // Admit: who the key is; its encoding is the User-Id
    std::string reason;                // Refuse: why
    // Refuse: the error a request gets for it (REVOKED, EXPIRED; FORBIDDEN otherwise).
    ErrorCode refusal = ErrorCode::FORBIDDEN;
};

// Backend CURVE public keys, each with the one service it may serve ("ca", "storage").
using ServiceKeys = std::map<Bytes, std::string>;

// What a request gets while the CA cannot say who its sender's key is: SERVICE_UNAVAILABLE,
// worth trying again (never NOT_REGISTERED, which would be a guess).
[[nodiscard]] Error unconfirmed_sender();

// Whether a backend peer admitted as `peer` may announce itself as `service`: a storage
// node's key must not serve as the CA, which vouches for who every client is.
[[nodiscard]] bool may_serve(const PeerIdentity& peer, std::string_view service);

class Authenticator {
  public:
    explicit Authenticator(ServiceKeys service_keys) : service_keys_(std::move(service_keys)) {}

    // now_ms: monotonic (the cache); now_seconds: Unix time (certificate expiry).
    [[nodiscard]] Verdict decide(const ZapRequest& request, std::int64_t now_ms,
                                 std::int64_t now_seconds) const;
    // The part of decide() for a client key: a cached user (Admit), a revoked one (Refuse),
    // else AskCa (also for a cached user whose certificate has ended: it may be reissued). Also
    // what the broker asks again for an unconfirmed peer.
    [[nodiscard]] Verdict decide_client(const Bytes& client_key, std::int64_t now_ms,
                                        std::int64_t now_seconds) const;

    // The CA's answer for a client key: its user, revoked or not, and the end of their
    // current certificate. Refuses a revoked or expired user; otherwise admits and caches.
    [[nodiscard]] Verdict registered(const Bytes& client_key, const std::string& username,
                                     bool revoked, std::int64_t not_after, std::int64_t now_ms,
                                     std::int64_t now_seconds);
    [[nodiscard]] static Verdict not_registered(const Bytes& client_key);
    // Refused without asking the CA: too many unknown keys from `source` (StrangerLimiter).
    [[nodiscard]] static Verdict too_many_strangers(const std::string& source);
    // Whether the CA has confirmed `client_key` as a registered user's since the broker
    // started (cached or not), and the user was not revoked since.
    [[nodiscard]] bool known_user(const Bytes& client_key) const {
        return known_keys_.contains(client_key);
    }
    [[nodiscard]] static Verdict ca_unreachable(const Bytes& client_key);
    [[nodiscard]] static Verdict revoked();
    [[nodiscard]] static Verdict expired();

    // USER_REVOKED from the CA: forgets the user's cached keys and refuses them from now on.
    void revoke(const std::string& username);
    // USER_RELEASED from the CA: the revoked name `username` is free for a new holder, while
    // `retired_curve_key`, a key it had, is refused for good: at ZAP (the CA's lookup says
    // so too) and on connections opened with it before (check_connection()).
    void released(const std::string& username, const Bytes& retired_curve_key);
    // Whether a request may come from a connection admitted with `client_key_z85` (its
    // kClientKeyProperty): REVOKED for a released name's retired key.
    [[nodiscard]] Result<void> check_connection(std::string_view client_key_z85) const;

    // The CA renewed `username`: their certificate now ends at `not_after`.
    void renewed(const std::string& username, std::int64_t not_after);

    // Whether registered user `username` may send a request now: REVOKED, EXPIRED, or fine
    // (also when nothing is known of them: ZAP admitted them).
    [[nodiscard]] Result<void> check_user(const std::string& username,
                                          std::int64_t now_seconds) const;

  private:
    struct Cached {
        std::string username;
        std::int64_t expires_at_ms;
    };
    ServiceKeys service_keys_;
    std::map<Bytes, Cached> known_keys_;
    std::map<std::string, std::int64_t> not_after_;  // by username
    std::set<std::string> revoked_;
    std::set<std::string, std::less<>> retired_keys_;  // Z85, as kClientKeyProperty holds them
};

}  // namespace imgshare::broker
