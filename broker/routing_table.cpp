#include "broker/routing_table.h"

namespace imgshare::broker {

std::optional<Route> route_for(std::string_view type) {
    auto route = route_of(type);
    // Only what clients send: not the broker's own requests, nor the log's to its witnesses.
    if (!route || (route->sent_by != Sender::anyone && route->sent_by != Sender::registered_user)) {
        return std::nullopt;
    }
    return route;
}

}  // namespace imgshare::broker
