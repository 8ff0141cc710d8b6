#include "common/protocol/peer_identity.h"

#include "common/crypto/keys.h"
#include "common/protocol/fields.h"
#include "common/protocol/message_types.h"
#include "common/registration.h"

namespace imgshare {
namespace {

constexpr std::string_view kAnonymousPrefix = "anon:";
constexpr std::string_view kUnconfirmedPrefix = "unknown:";
constexpr std::string_view kServicePrefix = "service:";
constexpr std::string_view kBrokerIdentity = "broker:";

Error malformed(std::string_view text, std::string_view why) {
    return Error{ErrorCode::BAD_REQUEST,
                 "peer identity " + wire::quoted(text) + ": " + std::string(why)};
}

Result<Bytes> key_of(std::string_view text, std::string_view z85) {
    auto key = z85_decode(z85);
    if (!key) return std::unexpected(malformed(text, "its key is not 40 characters of Z85"));
    return key;
}

Result<PeerIdentity> service_of(std::string_view text, std::string_view rest) {
    auto colon = rest.find(':');
    if (colon == std::string_view::npos) {
        return std::unexpected(malformed(text, "a service is service:<service>:<key>"));
    }
    auto service = rest.substr(0, colon);
    if (service != kCaService && service != kStorageService) {
        return std::unexpected(malformed(text, "no service is named " + wire::quoted(service)));
    }
    auto key = key_of(text, rest.substr(colon + 1));
    if (!key) return std::unexpected(std::move(key.error()));
    return PeerIdentity{ServicePeer{std::string(service), std::move(*key)}};
}

}  // namespace

Result<PeerIdentity> PeerIdentity::parse(std::string_view text) {
    if (text.empty()) return std::unexpected(malformed(text, "it is empty"));
    if (text.find(':') == std::string_view::npos) {
        if (auto valid = check_username(text); !valid) {
            return std::unexpected(malformed(text, "not a username: " + valid.error().message));
        }
        return PeerIdentity{UserPeer{std::string(text)}};
    }
    if (text.starts_with(kAnonymousPrefix)) {
        auto key = key_of(text, text.substr(kAnonymousPrefix.size()));
        if (!key) return std::unexpected(std::move(key.error()));
        return PeerIdentity{AnonymousPeer{std::move(*key)}};
    }
    if (text.starts_with(kUnconfirmedPrefix)) {
        auto key = key_of(text, text.substr(kUnconfirmedPrefix.size()));
        if (!key) return std::unexpected(std::move(key.error()));
        return PeerIdentity{UnconfirmedPeer{std::move(*key)}};
    }
    if (text.starts_with(kServicePrefix))
        return service_of(text, text.substr(kServicePrefix.size()));
    if (text == kBrokerIdentity) return PeerIdentity{BrokerPeer{}};
    if (text.starts_with(kBrokerIdentity)) {
        return std::unexpected(malformed(text, "nothing follows 'broker:'"));
    }
    return std::unexpected(malformed(text, "no kind of peer is written so"));
}

std::string PeerIdentity::encode() const {
    struct Encoder {
        std::string operator()(const UserPeer& peer) const { return peer.username; }
        std::string operator()(const AnonymousPeer& peer) const {
            return std::string(kAnonymousPrefix) + z85_encode(peer.curve_key);
        }
        std::string operator()(const UnconfirmedPeer& peer) const {
            return std::string(kUnconfirmedPrefix) + z85_encode(peer.curve_key);
        }
        std::string operator()(const ServicePeer& peer) const {
            return std::string(kServicePrefix) + peer.service + ":" + z85_encode(peer.curve_key);
        }
        std::string operator()(const BrokerPeer&) const { return std::string(kBrokerIdentity); }
    };
    return std::visit(Encoder{}, kind_);
}

}  // namespace imgshare
