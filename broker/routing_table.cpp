#include "broker/routing_table.h"

#include <array>

namespace imgshare::broker {
namespace {

// One route per line: it reads as the table it is.
// clang-format off
constexpr std::array kRoutes{
    Route{"CA_INFO", kCaService, true},
    Route{"REGISTER", kCaService, true},
    Route{"GET_CERT", kCaService, false},
    Route{"RENEW", kCaService, false},
    Route{"POST_BEGIN", kStorageService, false},
    Route{"POST_CHUNK", kStorageService, false},
    Route{"POST_COMMIT", kStorageService, false},
    Route{"POST_IMAGE", kStorageService, false},
    Route{"LIST", kStorageService, false},
    Route{"DOWNLOAD", kStorageService, false},  // then REWRAP at the CA (escrow mode)
    Route{"GET_CHUNK", kStorageService, false},
    Route{"SHARE", kStorageService, false},
};
// clang-format on

}  // namespace

std::optional<Route> route_for(std::string_view type) {
    for (const auto& route : kRoutes) {
        if (route.type == type) return route;
    }
    return std::nullopt;
}

}  // namespace imgshare::broker
