// Peer identities the broker treats as unregistered.
// subscription only takes effect when the broker applies it; the rule itself
// (exactly `image` for a registered user, exactly `user.<self>/`) is
// common/protocol/event.h's subscription_allowed().
#pragma once

#include <string_view>

namespace imgshare::broker {

// True for peers ZAP admitted without a registered key ("anon:…", "unknown:…")
// and for services: none of them may subscribe or send user requests.
[[nodiscard]] bool is_anonymous(std::string_view user_id);

}  // namespace imgshare::broker
