#include "common/protocol/event.h"

#include "common/protocol/limits.h"

namespace imgshare {
namespace {

bool is_topic(std::string_view topic) {
    if (topic == kImageTopic) return true;
    if (topic.size() > kMaxStringBytes) return false;
    return topic.size() > kUserTopicPrefix.size() + 1 && topic.starts_with(kUserTopicPrefix) &&
           topic.back() == kTopicTerminator &&
           topic.substr(0, topic.size() - 1).find(kTopicTerminator) == std::string_view::npos;
}

}  // namespace

std::string user_topic(std::string_view username) {
    std::string topic(kUserTopicPrefix);
    topic += username;
    topic += kTopicTerminator;
    return topic;
}

bool subscription_allowed(std::string_view subscription, const PeerIdentity& peer) {
    const auto* user = peer.username();
    if (user == nullptr) return false;
    // A username never holds the terminator (check_username); this keeps the topic exact
    // even for a UserPeer built by hand.
    if (user->find(kTopicTerminator) != std::string::npos) return false;
    return subscription == kImageTopic || subscription == user_topic(*user);
}

Frames encode_event(const ImageEvent& event, std::string_view topic) {
    Frames frames;
    frames.reserve(2);
    frames.push_back(to_bytes(topic));
    frames.push_back(encode_map(event));
    return frames;
}

Result<DecodedEvent> decode_event(std::span<const Bytes> frames) {
    if (frames.size() != 2) {
        return fail(ErrorCode::BAD_REQUEST,
                    "an event has 2 frames, got " + std::to_string(frames.size()));
    }
    auto topic = as_string(frames[0]);
    if (!is_topic(topic)) {
        return fail(ErrorCode::BAD_REQUEST, "unknown event topic " + wire::quoted(topic));
    }
    auto event = decode_body<ImageEvent>(frames[1]);
    if (!event) return std::unexpected(std::move(event.error()));
    if (event->event && !event->is_deletion()) {
        return fail(ErrorCode::BAD_REQUEST, "unknown event " + wire::quoted(*event->event));
    }
    return DecodedEvent{std::string(topic), std::move(*event)};
}

}  // namespace imgshare
