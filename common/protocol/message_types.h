// The names on the wire: reply type names, the services, who may send a
// request; and which message type names exist, derived from the Request
// variant so that the list cannot drift from the structs.
//
// Every request struct states where it goes and who may send it:
//   static constexpr std::string_view kService = kCaService;  // the service that answers
//   static constexpr Sender kSentBy = Sender::registered_user;
// and every control message (READY, HEARTBEAT, DISCONNECT, USER_REVOKED, USER_RELEASED) says
// `static constexpr bool kControl = true` instead. routes.h derives the
// broker's routing table from these; a struct in the Request variant with
// neither does not compile.
#pragma once

#include <span>
#include <string_view>

namespace imgshare {

// The header types of replies; the reply structs' kType.
inline constexpr std::string_view kOkType = "OK";
inline constexpr std::string_view kErrorType = "ERROR";

// The services behind the broker (ReadyMessage::service, a request's kService).
inline constexpr std::string_view kCaService = "ca";
inline constexpr std::string_view kStorageService = "storage";
// Not behind the broker: a certificate log witness (imgshare-witness), which the CA's log
// reaches directly (docs/TRANSPARENCY.md). The broker routes nothing there.
inline constexpr std::string_view kWitnessService = "witness";

// Who may send a request (its kSentBy).
enum class Sender {
    anyone,           // any client, registered or not (CA_INFO, REGISTER)
    registered_user,  // a client whose key the CA registered
    broker,           // the broker itself, never a client (LOOKUP_CURVE_KEY, REWRAP)
    certificate_log,  // the CA's certificate log, straight to a witness (ADD_CHECKPOINT)
};

// Every request and control type, in the order of the Request variant.
[[nodiscard]] std::span<const std::string_view> request_type_names();
[[nodiscard]] bool is_request_type(std::string_view type);
// A request or control type, or "OK" / "ERROR": what a header may carry.
[[nodiscard]] bool is_known_message_type(std::string_view type);
// True only for request types whose message has a payload frame (POST_CHUNK).
[[nodiscard]] bool request_carries_payload(std::string_view type);

}  // namespace imgshare
