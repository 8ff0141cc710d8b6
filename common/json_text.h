// JSON strings for the protocol log, written from bytes that may be hostile.
//
// Promises: the output is always one valid JSON string of valid UTF-8,
// whatever `text` holds. Quotes, backslashes and control characters are
// escaped; each byte that starts no valid UTF-8 sequence becomes U+FFFD.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace imgshare {

// Strings longer than this are cut by append_shown_string.
inline constexpr std::size_t kMaxShownStringBytes = 256;

// `text` as a JSON string, appended to `out`.
void append_json_string(std::string& out, std::string_view text);

// The same, cut after kMaxShownStringBytes with a marker giving the length:
// "<first 256 bytes>...[truncated, N bytes]".
void append_shown_string(std::string& out, std::string_view text);

// The part of `text` that append_shown_string shows before its marker.
[[nodiscard]] inline std::string_view shown_part(std::string_view text) {
    return text.substr(0, kMaxShownStringBytes);
}

}  // namespace imgshare
