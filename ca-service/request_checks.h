// Who may send the CA a request, and reading back a stored certificate: checked the same way
// by every handler of the CA (certificate_authority.cpp, renewal_handlers.cpp,
// log_requests.cpp). Private to ca-service/.
#pragma once

#include <spdlog/spdlog.h>

#include <string>
#include <string_view>

#include "common/certificate.h"
#include "common/error.h"
#include "common/service/service_worker.h"

namespace imgshare::ca {

// The broker's own requests (LOOKUP_CURVE_KEY, REWRAP): FORBIDDEN for anyone else.
inline Result<void> require_broker(const service::RequestContext& context,
                                   std::string_view type) {
    if (context.peer.is<BrokerPeer>()) return {};
    return fail(ErrorCode::FORBIDDEN, std::string(type) + " is for the broker only");
}

// A registered user (or, for GET_CERT and the log's requests, the broker); an unregistered
// client is told to register; any other peer is trusted with nothing.
inline Result<void> require_registered(const service::RequestContext& context,
                                       std::string_view type, bool broker_too) {
    if (context.peer.is<UserPeer>() || (broker_too && context.peer.is<BrokerPeer>())) return {};
    if (context.peer.is<AnonymousPeer>()) {
        return fail(ErrorCode::NOT_REGISTERED,
                    std::string(type) + " needs a registered key; run 'imgshare register'");
    }
    return fail(ErrorCode::FORBIDDEN, std::string(type) + " is for registered users");
}

// A certificate read back from the registry; INTERNAL (and an operational log line) if it
// does not decode.
inline Result<Certificate> decode_stored(const Bytes& encoded, std::string_view username) {
    auto certificate = decode_certificate(encoded);
    if (!certificate) {
        spdlog::error("registry: the certificate of {} does not decode: {}", username,
                      certificate.error().message);
        return fail(ErrorCode::INTERNAL, "the CA's registry is damaged");
    }
    return certificate;
}

}  // namespace imgshare::ca
