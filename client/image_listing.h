// Every image the user may read after a feed position, page by page over LIST: what `list`
// prints and what the gallery shows (the same set, by the same loop).
#pragma once

#include <cstdint>
#include <functional>

#include "client/broker_connection.h"
#include "common/error.h"
#include "common/protocol/messages.h"

namespace imgshare::client {

// Calls `each` for every image after `after`, in feed order; the server's errors otherwise.
[[nodiscard]] Result<void> for_each_listed_image(
    BrokerConnection& connection, std::uint64_t after,
    const std::function<void(const ImageSummary&)>& each);

}  // namespace imgshare::client
