#include "common/config_file.h"

#include <fmt/format.h>

namespace imgshare {
namespace {

constexpr std::string_view kBlanks = " \t\r\f\v";

std::string_view trim(std::string_view text) {
    auto first = text.find_first_not_of(kBlanks);
    if (first == std::string_view::npos) return {};
    auto last = text.find_last_not_of(kBlanks);
    return text.substr(first, last - first + 1);
}

bool is_key_character(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
}

// Control characters (other than tab) have no business in a text config and
// would garble messages and logs that show keys.
bool has_control_character(std::string_view text) {
    for (unsigned char c : text) {
        if ((c < 0x20 && c != '\t') || c == 0x7f) return true;
    }
    return false;
}

}  // namespace

std::unexpected<Error> fail_at(std::string_view source_name, int line, std::string_view message) {
    if (line <= 0) return fail(ErrorCode::CONFIG, fmt::format("{}: {}", source_name, message));
    return fail(ErrorCode::CONFIG, fmt::format("{}:{}: {}", source_name, line, message));
}

Result<std::vector<ConfigEntry>> parse_key_values(std::string_view text,
                                                  std::string_view source_name) {
    std::vector<ConfigEntry> entries;
    int line_number = 0;
    while (!text.empty()) {
        ++line_number;
        auto end = text.find('\n');
        std::string_view raw_line = text.substr(0, end);
        text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);

        std::string_view line = trim(raw_line);
        if (line.empty() || line.front() == '#') continue;
        if (has_control_character(line)) {
            return fail_at(source_name, line_number, "line contains a control character");
        }
        auto equals = line.find('=');
        if (equals == std::string_view::npos) {
            return fail_at(source_name, line_number, "expected 'key = value'");
        }
        std::string_view key = trim(line.substr(0, equals));
        std::string_view value = trim(line.substr(equals + 1));
        if (key.empty()) return fail_at(source_name, line_number, "missing key before '='");
        for (char c : key) {
            if (!is_key_character(c)) {
                return fail_at(source_name, line_number,
                               "a key may only contain letters, digits, '_', '-' and '.'");
            }
        }
        entries.push_back(ConfigEntry{std::string(key), std::string(value), line_number});
    }
    return entries;
}

}  // namespace imgshare
