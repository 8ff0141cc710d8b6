#include "common/protocol/routes.h"

#include <algorithm>
#include <array>
#include <type_traits>

#include "common/protocol/messages.h"

namespace imgshare {
namespace {

template <class M>
constexpr bool is_routed() {
    return requires {
        M::kService;
    };
}

template <class M>
constexpr bool is_control() {
    if constexpr (requires { M::kControl; }) {
        return M::kControl;
    } else {
        return false;
    }
}

// A message in the Request variant is either routed to a service (kService and kSentBy) or
// one of the broker's control messages (kControl): never neither, never both.
template <class M>
constexpr bool is_classified() {
    constexpr bool has_sender = requires {
        M::kSentBy;
    };
    return is_routed<M>() ? has_sender && !is_control<M>() : !has_sender && is_control<M>();
}

template <class... Messages>
constexpr auto routes_of(std::type_identity<std::variant<Messages...>>) {
    static_assert((is_classified<Messages>() && ...),
                  "each request states kService and kSentBy; each control message kControl");
    std::array<Route, (std::size_t{is_routed<Messages>()} + ...)> routes{};
    std::size_t next = 0;
    auto add = [&]<class M>(std::type_identity<M>) {
        if constexpr (is_routed<M>()) routes[next++] = Route{M::kType, M::kService, M::kSentBy};
    };
    (add(std::type_identity<Messages>{}), ...);
    return routes;
}

constexpr auto kRoutes = routes_of(std::type_identity<Request>{});

static_assert(std::ranges::all_of(kRoutes,
                                  [](const Route& route) {
                                      return route.service == kCaService ||
                                             route.service == kStorageService ||
                                             (route.service == kWitnessService &&
                                              route.sent_by == Sender::certificate_log);
                                  }),
              "a request goes to a service the broker knows, or from the log to a witness");

}  // namespace

std::span<const Route> request_routes() {
    return kRoutes;
}

std::optional<Route> route_of(std::string_view type) {
    auto found = std::ranges::find(kRoutes, type, &Route::type);
    if (found == kRoutes.end()) return std::nullopt;
    return *found;
}

std::vector<std::string> types_routed_to(std::string_view service) {
    std::vector<std::string> types;
    for (const auto& route : kRoutes) {
        if (route.service == service) types.emplace_back(route.type);
    }
    std::ranges::sort(types);
    return types;
}

}  // namespace imgshare
