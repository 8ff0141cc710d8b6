// The `key = value` text format shared by the trust file and the services'
// configuration files.
//
// One entry per line; the key and the value are trimmed of surrounding
// whitespace; blank lines and lines whose first non-blank character is `#`
// are skipped. The line is split at its first `=`, so a value may itself
// contain `=` and `#` (Z85 text does). A `#` after a value is part of the
// value, not a comment. Keys are made of letters, digits, `_`, `-` and `.`.
// Values may be empty; callers decide what each key requires.
//
// Every error is CONFIG with a message "source:line: what is wrong". Messages
// never quote a line's value, so a misplaced secret is not echoed.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"

namespace imgshare {

struct ConfigEntry {
    std::string key;
    std::string value;
    int line;  // 1-based line number in the source text

    bool operator==(const ConfigEntry&) const = default;
};

// The entries in file order. Duplicate keys are returned as they are: callers
// that forbid them report both line numbers.
[[nodiscard]] Result<std::vector<ConfigEntry>> parse_key_values(std::string_view text,
                                                                std::string_view source_name);

// A CONFIG error located in a source: "source:line: message". A line of 0
// means the whole source ("source: message"), e.g. for a missing key.
[[nodiscard]] std::unexpected<Error> fail_at(std::string_view source_name, int line,
                                             std::string_view message);

}  // namespace imgshare
