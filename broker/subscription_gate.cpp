#include "broker/subscription_gate.h"

namespace imgshare::broker {

std::string user_topic(std::string_view username) {
    std::string topic = "user.";
    topic += username;
    topic.push_back('\0');
    return topic;
}

bool is_anonymous(std::string_view user_id) {
    return user_id.empty() || user_id.starts_with("anon:") || user_id.starts_with("unknown:") ||
           user_id.starts_with("service:");
}

std::optional<std::string> admitted_subscription(std::string_view requested,
                                                 std::string_view user_id) {
    if (is_anonymous(user_id)) return std::nullopt;
    if (requested == kImageTopic) return std::string(kImageTopic);
    constexpr std::string_view prefix = "user.";
    if (requested.starts_with(prefix) && requested.substr(prefix.size()) == user_id) {
        return user_topic(user_id);
    }
    return std::nullopt;
}

}  // namespace imgshare::broker
