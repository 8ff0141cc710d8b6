#include "broker/routing_table.h"

namespace imgshare::broker {

std::optional<Route> route_for(std::string_view type) {
    auto route = route_of(type);
    if (!route || route->sent_by == Sender::broker) return std::nullopt;
    return route;
}

}  // namespace imgshare::broker
