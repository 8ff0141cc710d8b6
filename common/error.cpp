#include "common/error.h"

#include <array>
#include <utility>

namespace imgshare {
namespace {

constexpr std::array<std::pair<ErrorCode, std::string_view>, 25> kNames{{
    {ErrorCode::BAD_REQUEST, "BAD_REQUEST"},
    {ErrorCode::NOT_REGISTERED, "NOT_REGISTERED"},
    {ErrorCode::NAME_TAKEN, "NAME_TAKEN"},
    {ErrorCode::NOT_FOUND, "NOT_FOUND"},
    {ErrorCode::FORBIDDEN, "FORBIDDEN"},
    {ErrorCode::TOO_LARGE, "TOO_LARGE"},
    {ErrorCode::INTEGRITY, "INTEGRITY"},
    {ErrorCode::BAD_SIGNATURE, "BAD_SIGNATURE"},
    {ErrorCode::EXPIRED, "EXPIRED"},
    {ErrorCode::NOT_YET_VALID, "NOT_YET_VALID"},
    {ErrorCode::REVOKED, "REVOKED"},
    {ErrorCode::SERVICE_UNAVAILABLE, "SERVICE_UNAVAILABLE"},
    {ErrorCode::TIMEOUT, "TIMEOUT"},
    {ErrorCode::RATE_LIMITED, "RATE_LIMITED"},
    {ErrorCode::BAD_PASSPHRASE, "BAD_PASSPHRASE"},
    {ErrorCode::IO_ERROR, "IO_ERROR"},
    {ErrorCode::CONFIG, "CONFIG"},
    {ErrorCode::INTERNAL, "INTERNAL"},
    {ErrorCode::STORAGE_FULL, "STORAGE_FULL"},
    {ErrorCode::STALE, "STALE"},
    {ErrorCode::QUOTA_EXCEEDED, "QUOTA_EXCEEDED"},
    {ErrorCode::NOT_LOGGED, "NOT_LOGGED"},
    {ErrorCode::LOG_INCONSISTENT, "LOG_INCONSISTENT"},
    {ErrorCode::IMPERSONATION, "IMPERSONATION"},
    {ErrorCode::NOT_WITNESSED, "NOT_WITNESSED"},
}};

}  // namespace

std::string_view to_string(ErrorCode code) {
    for (const auto& [value, name] : kNames) {
        if (value == code) return name;
    }
    return "INTERNAL";
}

std::optional<ErrorCode> error_code_from_string(std::string_view text) {
    for (const auto& [value, name] : kNames) {
        if (name == text) return value;
    }
    return std::nullopt;
}

std::string describe(const Error& error) {
    std::string text(to_string(error.code));
    text += ": ";
    text += error.message;
    return text;
}

}  // namespace imgshare
