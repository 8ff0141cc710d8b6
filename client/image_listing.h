// Every image the user may read after a feed position, page by page over LIST: what `list`
// prints and what the gallery shows (the same set, by the same loop, in the same JSON).
#pragma once

#include <cstdint>
#include <functional>

#include <nlohmann/json.hpp>

#include "client/broker_connection.h"
#include "common/error.h"
#include "common/protocol/messages.h"

namespace imgshare::client {

// Calls `each` for every image after `after`, in feed order; the server's errors otherwise.
[[nodiscard]] Result<void> for_each_listed_image(
    BrokerConnection& connection, std::uint64_t after,
    const std::function<void(const ImageSummary&)>& each);

// An image of LIST as `list --json` prints it and the gallery serves it: seq, name, owner,
// size, created_at (UTC, ISO 8601), mode, and for e2e the recipients; every text that came
// from the network made printable.
[[nodiscard]] nlohmann::json listed_image_json(const ImageSummary& image);

}  // namespace imgshare::client
