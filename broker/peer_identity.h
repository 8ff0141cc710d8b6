// Peer identities the broker treats as unregistered: they may neither
// subscribe to events nor send a user's requests. Which topics a registered
// user may subscribe to (exactly `image`, exactly `user.<self>/`) is
// common/protocol/event.h's subscription_allowed().
#pragma once

#include <string_view>

namespace imgshare::broker {

// True for peers ZAP admitted without a registered key ("anon:…", "unknown:…")
// and for services: none of them may subscribe or send user requests.
[[nodiscard]] bool is_anonymous(std::string_view user_id);

}  // namespace imgshare::broker
