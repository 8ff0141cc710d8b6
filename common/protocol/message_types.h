// The reply type names, and which message type names exist, derived from the Request variant so
// that the list cannot drift from the structs.
#pragma once

#include <span>
#include <string_view>

namespace imgshare {

// The header types of replies; the reply structs' kType.
inline constexpr std::string_view kOkType = "OK";
inline constexpr std::string_view kErrorType = "ERROR";

// Every request and control type, in the order of the Request variant.
[[nodiscard]] std::span<const std::string_view> request_type_names();
[[nodiscard]] bool is_request_type(std::string_view type);
// A request or control type, or "OK" / "ERROR": what a header may carry.
[[nodiscard]] bool is_known_message_type(std::string_view type);
// True only for request types whose message has a payload frame (POST_CHUNK).
[[nodiscard]] bool request_carries_payload(std::string_view type);

}  // namespace imgshare
