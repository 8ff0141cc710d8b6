// Checks the shape of log timestamps ("2026-11-23T20:10:13.123Z") without
// std::regex, which g++ 12 cannot compile warning-free under the sanitizers.
#pragma once

#include <string_view>

namespace imgshare::testing {

// True when `text` is exactly "YYYY-MM-DDTHH:MM:SS.mmmZ".
inline bool is_utc_millis_timestamp(std::string_view text) {
    constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd.dddZ";
    if (text.size() != kShape.size()) return false;
    for (std::size_t i = 0; i < kShape.size(); ++i) {
        bool digit = text[i] >= '0' && text[i] <= '9';
        if (kShape[i] == 'd' ? !digit : text[i] != kShape[i]) return false;
    }
    return true;
}

}  // namespace imgshare::testing
