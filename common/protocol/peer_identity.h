// Who sent a message, as the broker knows it: one type, with one encoding on
// the wire and one parser.
//
// The broker's ZAP handler (broker/authenticator) decides who a CURVE key is
// and hands ZeroMQ the encoding as the connection's User-Id; the broker stamps
// it on every request it forwards as the header's `user` (header.h), and each
// service's ServiceWorker parses it once per request and hands its handlers
// the PeerIdentity, never the string. The encodings (docs/PROTOCOL.md §1, §4):
//
//   <username>                   UserPeer: a client whose key the CA registered
//   anon:<z85 curve key>         AnonymousPeer: a client whose key is registered to no one
//   unknown:<z85 curve key>      UnconfirmedPeer: the CA could not be asked who the key is
//   service:<service>:<z85 key>  ServicePeer: an allow-listed service ("ca", "storage")
//   broker:                      BrokerPeer: the broker's own requests (LOOKUP_CURVE_KEY,
//                                REWRAP); a missing `user` is no one, not the broker
//
// A username never contains ':' (check_username), so the kinds cannot be
// mistaken for one another.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "common/bytes.h"
#include "common/error.h"

namespace imgshare {

struct UserPeer {
    std::string username;  // passes check_username
    bool operator==(const UserPeer&) const = default;
};

struct AnonymousPeer {
    Bytes curve_key;  // 32 bytes: the connection's CURVE public key
    bool operator==(const AnonymousPeer&) const = default;
};

struct UnconfirmedPeer {
    Bytes curve_key;  // 32 bytes
    bool operator==(const UnconfirmedPeer&) const = default;
};

struct ServicePeer {
    std::string service;  // kCaService or kStorageService: the one service its key may serve
    Bytes curve_key;      // 32 bytes
    bool operator==(const ServicePeer&) const = default;
};

struct BrokerPeer {
    bool operator==(const BrokerPeer&) const = default;
};

class PeerIdentity {
  public:
    using Kind = std::variant<UserPeer, AnonymousPeer, UnconfirmedPeer, ServicePeer, BrokerPeer>;

    // From any one kind: PeerIdentity{UserPeer{"alice"}}. The caller vouches for its
    // contents (parse() checks them; encode() throws std::invalid_argument for a key that
    // is not 32 bytes).
    template <class Peer>
    requires std::is_constructible_v<Kind, Peer> PeerIdentity(Peer peer)
        : kind_(std::move(peer)) {}  // NOLINT: implicit by design

    // The one parser (hostile input). BAD_REQUEST, the message starting "peer identity
    // '<text>': ", for: empty text; text without ':' that breaks the username rule; a
    // key that is not 40 characters of Z85; a service other than "ca" or "storage";
    // anything after "broker:"; any other prefix.
    [[nodiscard]] static Result<PeerIdentity> parse(std::string_view text);

    // The one encoding, as in the table above; parse(encode()) gives back the same value.
    [[nodiscard]] std::string encode() const;

    [[nodiscard]] const Kind& kind() const noexcept { return kind_; }
    template <class Peer>
    [[nodiscard]] const Peer* get_if() const noexcept {
        return std::get_if<Peer>(&kind_);
    }
    template <class Peer>
    [[nodiscard]] bool is() const noexcept {
        return std::holds_alternative<Peer>(kind_);
    }
    // The name of a registered user; nullptr for every other kind.
    [[nodiscard]] const std::string* username() const noexcept {
        const auto* user = get_if<UserPeer>();
        return user ? &user->username : nullptr;
    }

    bool operator==(const PeerIdentity&) const = default;

  private:
    Kind kind_;
};

}  // namespace imgshare
