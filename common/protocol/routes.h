// Where each request goes and who may send it: one Route per request type,
// derived at compile time from the Request variant (each struct's kType,
// kService and kSentBy, message_types.h). The broker routes by it and each
// service's handler table is checked against it
// (tests/{ca-service,storage-node}/handler_table_test.cpp), so a message named
// in one place and missed in another fails a build or a test, never a user.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/protocol/message_types.h"

namespace imgshare {

struct Route {
    std::string_view type;
    std::string_view service;  // kCaService or kStorageService
    Sender sent_by = Sender::registered_user;
    bool operator==(const Route&) const = default;
};

// Every request a service answers, client requests and the broker's own (sent_by ==
// Sender::broker), in the order of the Request variant. Control messages have none.
[[nodiscard]] std::span<const Route> request_routes();

// The route of request type `type`; nullopt for control messages, replies and unknown types.
[[nodiscard]] std::optional<Route> route_of(std::string_view type);

// The request types routed to `service`, sorted: exactly those its handler table must hold.
[[nodiscard]] std::vector<std::string> types_routed_to(std::string_view service);

}  // namespace imgshare
