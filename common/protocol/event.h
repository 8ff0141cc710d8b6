// NEW_IMAGE and IMAGE_DELETED events as published on the broker's XPUB socket: two frames,
// [topic][body], the body an ImageEvent map (no header frame).
//
// Topics. ZeroMQ matches subscriptions by prefix, so a user topic ends with
// kTopicTerminator, a byte no username contains: otherwise a subscription to
// bob's topic would also receive bobby's events. The topics are exactly
//   "image"          escrow-mode posts, for every registered user;
//   "user.<name>/"   end-to-end posts, one event per recipient <name>.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/error.h"
#include "common/protocol/codec.h"
#include "common/protocol/messages.h"
#include "common/protocol/peer_identity.h"

namespace imgshare {

inline constexpr std::string_view kImageTopic = "image";
inline constexpr std::string_view kUserTopicPrefix = "user.";
inline constexpr char kTopicTerminator = '/';

// "user.<name>/".
[[nodiscard]] std::string user_topic(std::string_view username);

// Whether the broker may admit `subscription` (the bytes after the 0x01 of an
// XPUB subscribe message) from subscriber `peer`: only a registered user
// (UserPeer), and only exactly kImageTopic or exactly user_topic(their name).
// Anything else, the empty (match-all) subscription included, is refused.
[[nodiscard]] bool subscription_allowed(std::string_view subscription, const PeerIdentity& peer);

struct DecodedEvent {
    std::string topic;
    ImageEvent event;
};

[[nodiscard]] Frames encode_event(const ImageEvent& event, std::string_view topic);

// Hostile input. BAD_REQUEST unless exactly 2 frames, a topic of the forms
// above (at most kMaxStringBytes), and a valid ImageEvent body whose `event` is
// NEW_IMAGE or IMAGE_DELETED; TOO_LARGE as for any body.
[[nodiscard]] Result<DecodedEvent> decode_event(std::span<const Bytes> frames);

}  // namespace imgshare
