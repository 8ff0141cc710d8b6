// Who may hear which events. The XPUB socket runs with ZMQ_XPUB_MANUAL, so a
// subscription only takes effect when the broker applies it: `image` for any
// registered user, `user.<name>` only for the subscriber authenticated as
// <name>. Applied user topics end in a NUL byte, as published ones do, so
// bob's subscription cannot prefix-match bobby's events.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace imgshare::broker {

inline constexpr std::string_view kImageTopic = "image";

// The topic frame the broker publishes for an end-to-end event to `username`.
[[nodiscard]] std::string user_topic(std::string_view username);

// True for peers ZAP admitted without a registered key ("anon:…", "unknown:…").
[[nodiscard]] bool is_anonymous(std::string_view user_id);

// The subscription to apply for `requested` from a subscriber authenticated
// as `user_id`; nullopt when it is refused.
[[nodiscard]] std::optional<std::string> admitted_subscription(std::string_view requested,
                                                               std::string_view user_id);

}  // namespace imgshare::broker
