#include "common/json_text.h"

#include <iterator>

#include <fmt/format.h>

namespace imgshare {
namespace {

// The length of the valid UTF-8 sequence at the start of `text`, or 0.
std::size_t utf8_sequence_length(std::string_view text) {
    auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    auto continuation = [&](std::size_t i) { return i < text.size() && (byte(i) & 0xC0) == 0x80; };
    unsigned char lead = byte(0);
    if (lead < 0x80) return 1;
    if (lead >= 0xC2 && lead <= 0xDF) return continuation(1) ? 2 : 0;
    if (lead >= 0xE0 && lead <= 0xEF) {
        if (!continuation(1) || !continuation(2)) return 0;
        if (lead == 0xE0 && byte(1) < 0xA0) return 0;   // overlong
        if (lead == 0xED && byte(1) >= 0xA0) return 0;  // a surrogate
        return 3;
    }
    if (lead >= 0xF0 && lead <= 0xF4) {
        if (!continuation(1) || !continuation(2) || !continuation(3)) return 0;
        if (lead == 0xF0 && byte(1) < 0x90) return 0;   // overlong
        if (lead == 0xF4 && byte(1) >= 0x90) return 0;  // beyond U+10FFFF
        return 4;
    }
    return 0;
}

bool plain_ascii(unsigned char c) {
    return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
    out.push_back('"');
    std::size_t i = 0;
    while (i < text.size()) {
        auto c = static_cast<unsigned char>(text[i]);
        if (plain_ascii(c)) {
            // Runs of plain characters are copied at once: most text is such a run.
            std::size_t run = i + 1;
            while (run < text.size() && plain_ascii(static_cast<unsigned char>(text[run])))
                ++run;
            out.append(text.substr(i, run - i));
            i = run;
            continue;
        }
        switch (c) {
            case '"':
                out.append("\\\"");
                break;
            case '\\':
                out.append("\\\\");
                break;
            case '\n':
                out.append("\\n");
                break;
            case '\r':
                out.append("\\r");
                break;
            case '\t':
                out.append("\\t");
                break;
            case '\b':
                out.append("\\b");
                break;
            case '\f':
                out.append("\\f");
                break;
            default:
                if (c < 0x20) {
                    fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);
                    break;
                }
                if (auto length = utf8_sequence_length(text.substr(i)); length > 0) {
                    out.append(text.substr(i, length));
                    i += length;
                    continue;
                }
                out.append("\xEF\xBF\xBD");  // U+FFFD
        }
        ++i;
    }
    out.push_back('"');
}

void append_shown_string(std::string& out, std::string_view text) {
    if (text.size() <= kMaxShownStringBytes) {
        append_json_string(out, text);
        return;
    }
    append_json_string(out,
                       fmt::format("{}...[truncated, {} bytes]", shown_part(text), text.size()));
}

}  // namespace imgshare
