// Frame 0 of every message: the header map {v, type, id[, user]}.
//
// `user` is set by the broker on the broker -> service leg, on every request it
// sends there, and nowhere else: who sent the request, as PeerIdentity::encode()
// writes it (peer_identity.h) — the client's ZAP User-Id, or "broker:" for the
// broker's own requests. A service trusts it because only the broker can reach
// the service, and refuses a request without one (ServiceWorker); the broker
// never passes on a `user` a client put in its own header.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>

#include "common/bytes.h"
#include "common/error.h"
#include "common/protocol/fields.h"
#include "common/protocol/limits.h"

namespace imgshare {

struct Header {
    std::uint32_t v = kProtocolVersion;
    std::string type;
    std::uint64_t id = 0;  // chosen by the requester, echoed in the reply
    std::optional<std::string> user;
    static constexpr auto fields() {
        return std::make_tuple(field("v", &Header::v), field("type", &Header::type),
                               field("id", &Header::id), field("user", &Header::user));
    }
    bool operator==(const Header&) const = default;
};

// The header frame; `user` is written only when set.
[[nodiscard]] Bytes encode_header(const Header& header);

// Parses a header frame (hostile). Failures, all prefixed "header: ":
//   TOO_LARGE / BAD_REQUEST  from MsgpackDocument::parse;
//   BAD_REQUEST  not a map; a missing or ill-typed key (named); a `v` other
//                than kProtocolVersion ("unsupported protocol version N",
//                checked before any other key); a `type` that is not a
//                request, control, OK or ERROR type ("unknown message type X").
[[nodiscard]] Result<Header> decode_header(ByteView frame);

}  // namespace imgshare
