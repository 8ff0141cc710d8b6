// The one table from client message type to where the broker sends it.
// Adding a client request touches the protocol definition and one row here.
#pragma once

#include <optional>
#include <string_view>

#include "common/protocol/messages.h"  // kCaService, kStorageService

namespace imgshare::broker {

struct Route {
    std::string_view type;
    std::string_view service;
    bool anonymous_allowed;  // unregistered peers may send it (CA_INFO, REGISTER)
};

// The route for a request a client may send; nullopt for anything else
// (unknown types and internal ones such as REWRAP or READY).
[[nodiscard]] std::optional<Route> route_for(std::string_view type);

}  // namespace imgshare::broker
