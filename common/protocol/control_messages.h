// Bodies of the service <-> broker control messages (READY, HEARTBEAT,
// DISCONNECT, USER_REVOKED, USER_RELEASED), of ERROR replies and of NEW_IMAGE events. Part of
// messages.h; see there for the conventions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"
#include "common/protocol/fields.h"
#include "common/protocol/limits.h"
#include "common/protocol/message_types.h"

namespace imgshare {

// ---- Control: service <-> broker --------------------------------------------

struct ReadyMessage {
    static constexpr std::string_view kType = "READY";
    static constexpr bool kControl = true;
    std::string service;  // kCaService or kStorageService (message_types.h)
    std::string node_id;
    static constexpr auto fields() {
        return std::make_tuple(field("service", &ReadyMessage::service),
                               field("node_id", &ReadyMessage::node_id));
    }
    bool operator==(const ReadyMessage&) const = default;
};

struct HeartbeatMessage {
    static constexpr std::string_view kType = "HEARTBEAT";
    static constexpr bool kControl = true;
    static constexpr auto fields() { return std::tuple<>(); }
    bool operator==(const HeartbeatMessage&) const = default;
};

struct DisconnectMessage {
    static constexpr std::string_view kType = "DISCONNECT";
    static constexpr bool kControl = true;
    static constexpr auto fields() { return std::tuple<>(); }
    bool operator==(const DisconnectMessage&) const = default;
};

// CA -> broker: `username` was revoked; the broker refuses them from now on, on open
// connections too. The broker accepts it only from a worker that announced itself as the CA.
struct UserRevokedMessage {
    static constexpr std::string_view kType = "USER_REVOKED";
    static constexpr bool kControl = true;
    std::string username;
    static constexpr auto fields() {
        return std::make_tuple(field("username", &UserRevokedMessage::username));
    }
    bool operator==(const UserRevokedMessage&) const = default;
};

// CA -> broker: the revoked name `username` was released (`imgshare-ca release`): it may be
// registered again with new keys, while its retired certificate's CURVE key `curve_key`
// stays refused for good, on connections opened with it before too. The broker accepts it
// only from a worker that announced itself as the CA.
struct UserReleasedMessage {
    static constexpr std::string_view kType = "USER_RELEASED";
    static constexpr bool kControl = true;
    std::string username;
    Bytes curve_key;
    static constexpr auto fields() {
        return std::make_tuple(field("username", &UserReleasedMessage::username),
                               field("curve_key", &UserReleasedMessage::curve_key));
    }
    bool operator==(const UserReleasedMessage&) const = default;
};

// ---- Failures and events ----------------------------------------------------

struct ErrorReply {
    static constexpr std::string_view kType = kErrorType;
    ErrorCode code = ErrorCode::INTERNAL;  // an unknown code name decodes to INTERNAL
    std::string message;
    // RATE_LIMITED from the broker: how long to wait before sending the request again.
    std::optional<std::uint32_t> retry_after_ms = std::nullopt;
    static constexpr auto fields() {
        return std::make_tuple(field("code", &ErrorReply::code),
                               field("message", &ErrorReply::message),
                               field("retry_after_ms", &ErrorReply::retry_after_ms));
    }
    bool operator==(const ErrorReply&) const = default;
};

}  // namespace imgshare
