// Where the broker sends a client's request, and whether an unregistered
// client may send it: the client-facing part of the route table that
// common/protocol/routes.h derives from the request structs. Adding a client
// request touches only its struct (kType, kService, kSentBy) and its service's
// handler table.
#pragma once

#include <optional>
#include <string_view>

#include "common/protocol/routes.h"

namespace imgshare::broker {

// The route for a request a client may send; nullopt for anything else (unknown types,
// replies, control messages, the broker's own requests such as REWRAP, and the certificate
// log's to its witnesses).
[[nodiscard]] std::optional<Route> route_for(std::string_view type);

// Whether a peer that is not a registered user may send a request of this route
// (CA_INFO, REGISTER).
[[nodiscard]] constexpr bool anonymous_allowed(const Route& route) {
    return route.sent_by == Sender::anyone;
}

}  // namespace imgshare::broker
