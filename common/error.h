// Error values for expected failures (bad input, not found, refused).
//
// Every fallible operation returns Result<T>. ErrorCode names are stable: they
// travel on the wire (ERROR replies), appear on the command line
// ("error: CODE: message") and are asserted by tests. Never renumber or rename
// one; add new codes at the end.
#pragma once

#include <expected>
#include <optional>
#include <string>
#include <string_view>

namespace imgshare {

enum class ErrorCode {
    BAD_REQUEST,
    NOT_REGISTERED,
    NAME_TAKEN,
    NOT_FOUND,
    FORBIDDEN,
    TOO_LARGE,
    INTEGRITY,
    BAD_SIGNATURE,
    EXPIRED,
    NOT_YET_VALID,
    REVOKED,
    SERVICE_UNAVAILABLE,
    TIMEOUT,
    RATE_LIMITED,
    BAD_PASSPHRASE,
    IO_ERROR,
    CONFIG,
    INTERNAL,
    // A write refused because the server's disk is full; it heals by itself
    // once space is freed, so the same request may be sent again later.
    STORAGE_FULL,
    // A signed statement older than the bound its reader allows (or dated in the
    // future): a replay by whoever relayed it, or a wrong clock.
    STALE,
    // A post that would take its owner past their storage quota (pending uploads
    // count); the message gives the figures. Deleting or abandoning frees space.
    QUOTA_EXCEEDED,
    // A certificate that comes without a valid proof that it is in the certificate log
    // (docs/TRANSPARENCY.md): refused, as the CA may have issued it out of everyone's sight.
    NOT_LOGGED,
    // A certificate log whose new tree head does not extend the one seen before (an entry
    // dropped or changed, or another view shown): refused, with the evidence kept.
    LOG_INCONSISTENT,
    // The certificate log holds a certificate for the user's own name with keys that are not
    // the user's: the CA issued it to someone else. Reported by `audit` and `watch`.
    IMPERSONATION,
    // A tree head of the certificate log without cosignatures from as many of the trust
    // file's witnesses as it requires (witness_quorum): the log may be showing this reader a
    // view of its own (a split view). Refused; it heals once the witnesses cosign.
    NOT_WITNESSED,
};

// The last code: tests iterate over all of them.
inline constexpr ErrorCode kLastErrorCode = ErrorCode::NOT_WITNESSED;

struct Error {
    ErrorCode code;
    std::string message;

    bool operator==(const Error&) const = default;
};

template <typename T>
using Result = std::expected<T, Error>;

// Shorthand for returning a failure: `return fail(ErrorCode::NOT_FOUND, "no such image");`
[[nodiscard]] inline std::unexpected<Error> fail(ErrorCode code, std::string message) {
    return std::unexpected<Error>(Error{code, std::move(message)});
}

// The stable text form ("NOT_FOUND").
[[nodiscard]] std::string_view to_string(ErrorCode code);

// Parses the stable text form; nullopt for an unknown name.
[[nodiscard]] std::optional<ErrorCode> error_code_from_string(std::string_view text);

// "CODE: message", as the command line prints it after "error: ".
[[nodiscard]] std::string describe(const Error& error);

}  // namespace imgshare
