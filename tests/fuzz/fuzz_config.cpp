// Fuzz target: parse_key_values (the services' configuration files and the
// trust file's syntax) and parse_endpoint / parse_bind_endpoint, on the whole
// input and on every value parsed from it.
// Properties: failures are CONFIG only; keys are non-empty and made of key
// characters; keys and values are trimmed and hold no line break; line
// numbers increase; an endpoint that parses prints (to_string) as text that
// parses back to it.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/config_file.h"
#include "common/endpoint.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using namespace imgshare;

bool is_key_character(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
}

bool is_trimmed(std::string_view text) {
    constexpr std::string_view kBlanks = " \t\r\f\v";
    return text.empty() || (kBlanks.find(text.front()) == std::string_view::npos &&
                            kBlanks.find(text.back()) == std::string_view::npos);
}

void check_endpoint(std::string_view text) {
    for (auto parse : {parse_endpoint, parse_bind_endpoint}) {
        auto endpoint = parse(text);
        if (!endpoint) {
            fuzz::require(endpoint.error().code == ErrorCode::CONFIG, "endpoints fail with CONFIG");
            continue;
        }
        fuzz::require(endpoint->port != 0, "a parsed endpoint has a port");
        auto again = parse(endpoint->to_string());
        fuzz::require(again && *again == *endpoint, "parse(endpoint.to_string()) == endpoint");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text = as_string(ByteView(data, size));
    check_endpoint(text);
    auto entries = parse_key_values(text, "fuzz.conf");
    if (!entries) {
        fuzz::require(entries.error().code == ErrorCode::CONFIG,
                      "parse_key_values fails with CONFIG");
        return 0;
    }
    int previous_line = 0;
    for (const auto& entry : *entries) {
        fuzz::require(!entry.key.empty(), "keys are not empty");
        for (char c : entry.key)
            fuzz::require(is_key_character(c), "keys hold key characters only");
        fuzz::require(is_trimmed(entry.value), "values are trimmed");
        fuzz::require(entry.value.find('\n') == std::string::npos, "values hold no line break");
        fuzz::require(entry.line > previous_line, "line numbers increase");
        previous_line = entry.line;
        check_endpoint(entry.value);
    }
    return 0;
}
