// Durations as operators write them on command lines: "90s", "30m", "12h",
// "365d" (a bare number is seconds).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/error.h"

namespace imgshare {

// Seconds. CONFIG, quoting the text, unless it is 1 to 12 digits with an optional unit
// s, m, h or d, and the result is at least one second.
[[nodiscard]] Result<std::int64_t> parse_duration_seconds(std::string_view text);

// The shortest exact form: "365d", "12h", "90s".
[[nodiscard]] std::string format_duration(std::int64_t seconds);

}  // namespace imgshare
