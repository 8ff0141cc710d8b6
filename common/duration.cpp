#include "common/duration.h"

#include <array>
#include <utility>

namespace imgshare {
namespace {

constexpr std::size_t kMaxDigits = 12;  // keeps the product far from overflow

constexpr std::array<std::pair<char, std::int64_t>, 4> kUnits{
    {{'d', 86'400}, {'h', 3'600}, {'m', 60}, {'s', 1}}};

std::unexpected<Error> bad_duration(std::string_view text) {
    return fail(ErrorCode::CONFIG, "'" + std::string(text.substr(0, 32)) +
                                       "' is not a duration: write e.g. 90s, 30m, 12h or 365d");
}

}  // namespace

Result<std::int64_t> parse_duration_seconds(std::string_view text) {
    std::string_view digits = text;
    std::int64_t unit = 1;
    if (!text.empty()) {
        for (const auto& [suffix, seconds] : kUnits) {
            if (text.back() == suffix) {
                digits = text.substr(0, text.size() - 1);
                unit = seconds;
            }
        }
    }
    if (digits.empty() || digits.size() > kMaxDigits) return bad_duration(text);
    std::int64_t value = 0;
    for (char c : digits) {
        if (c < '0' || c > '9') return bad_duration(text);
        value = value * 10 + (c - '0');
    }
    if (value == 0) return bad_duration(text);
    return value * unit;
}

std::string format_duration(std::int64_t seconds) {
    for (const auto& [suffix, unit] : kUnits) {
        if (seconds > 0 && seconds % unit == 0) return std::to_string(seconds / unit) + suffix;
    }
    return std::to_string(seconds) + "s";
}

}  // namespace imgshare
