#include "common/frame_summary.h"

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <iterator>
#include <utility>
#include <vector>
#include <array>
#include <cctype>
#include <optional>
#include <stdexcept>
#include <string>

#include <fmt/format.h>
#include <msgpack.hpp>

#include "common/crypto/sha256.h"
#include "common/msgpack_util.h"

namespace imgshare {
namespace {

constexpr std::size_t kMaxShownStringBytes = 256;
constexpr int kMaxShownValues = 4096;
constexpr std::size_t kDigestHexChars = 16;
// Keys, signatures, certificates and envelopes are hashed whole; a larger
// binary is an image chunk, whose whole-frame SHA-256 cost more than every
// other step of relaying it (docs/BENCHMARKS.md). Its ends identify it.
constexpr std::size_t kFullDigestMaxBytes = 16 * 1024;
constexpr std::size_t kSampledEndBytes = 4 * 1024;

// Matched to the protocol's maxima (DESIGN.md §7): nothing legitimate nests
// deeper or carries more; anything that does is shown as undecodable.
const msgpack::unpack_limit kLimits(/*array=*/1024, /*map=*/64, /*str=*/4096,
                                    /*bin=*/2 * 1024 * 1024, /*ext=*/0, /*depth=*/8);

constexpr std::array<std::string_view, 7> kSecretNameParts{
    "secret", "private", "passphrase", "password", "passwd", "seed", "content_key"};

std::string short_sha256(ByteView bytes) {
    return to_hex(sha256(bytes)).substr(0, kDigestHexChars);
}

std::string_view shown_part(std::string_view text) {
    return text.substr(0, kMaxShownStringBytes);
}

std::string short_sampled_sha256(ByteView bytes) {
    Sha256 ends;
    ends.update(bytes.first(kSampledEndBytes));
    ends.update(bytes.last(kSampledEndBytes));
    return to_hex(ends.finish()).substr(0, kDigestHexChars);
}

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

// A JSON string: quotes, backslashes and control characters escaped; each
// byte that does not start a valid UTF-8 sequence becomes U+FFFD, so hostile
// bytes can never make a line that is not JSON.
void write_json_string(std::string& out, std::string_view text) {
    out.push_back('"');
    std::size_t i = 0;
    while (i < text.size()) {
        auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            std::size_t run = i + 1;
            while (run < text.size()) {
                auto next = static_cast<unsigned char>(text[run]);
                if (next < 0x20 || next >= 0x80 || next == '"' || next == '\\') break;
                ++run;
            }
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

// A string as the log shows it: at most 256 bytes, then a length marker.
void append_shown_string(std::string& out, std::string_view text) {
    if (text.size() <= kMaxShownStringBytes) {
        write_json_string(out, text);
        return;
    }
    write_json_string(out, fmt::format("{}...[truncated, {} bytes]", shown_part(text),
                                        text.size()));
}

// How the log shows a map key: quoted, escaped and cut as any string, then ':'.
struct ShownKey {
    std::string name;
    std::string text;  // empty: the slot holds no key yet
    bool secret = false;
};

// Map keys repeat from message to message (every LIST item has the same six),
// so each key's text and whether it is secret are remembered per thread: 64
// slots, each holding the last key that hashed to it. The returned key is
// valid until the next call on this thread.
const ShownKey& shown_key(std::string_view name) {
    constexpr std::size_t kSlots = 64;
    constexpr std::size_t kMaxRememberedName = 64;
    thread_local std::array<ShownKey, kSlots> slots;
    thread_local ShownKey unremembered;
    ShownKey* key = &unremembered;
    if (name.size() <= kMaxRememberedName) {
        std::size_t hash = name.size();
        for (char c : name)
            hash = hash * 31 + static_cast<unsigned char>(c);
        key = &slots[hash % kSlots];
        if (!key->text.empty() && key->name == name) return *key;
    }
    // Built aside and moved in last: a slot whose text is set is complete, so
    // an allocation failure half way can never leave a name with another
    // name's secret flag.
    key->text.clear();
    std::string text;
    append_shown_string(text, name);
    text.push_back(':');
    key->name.assign(name);
    key->secret = is_secret_field_name(name);
    key->text = std::move(text);
    return *key;
}

void append_binary(std::string& out, ByteView bytes) {
    if (bytes.size() <= kFullDigestMaxBytes) {
        fmt::format_to(std::back_inserter(out), R"({{"len":{},"sha256":"{}"}})", bytes.size(),
                       short_sha256(bytes));
    } else {
        fmt::format_to(std::back_inserter(out), R"({{"len":{},"sampled_sha256":"{}"}})",
                       bytes.size(), short_sampled_sha256(bytes));
    }
}

void append_undecodable(std::string& out, ByteView frame) {
    std::string binary;
    append_binary(binary, frame);
    out.append(R"({"undecodable":true,)");
    out.append(std::string_view(binary).substr(1));  // the binary summary's members
}

// The chunk a broker relays is logged twice, received and sent. A binary's
// summary depends only on its length and the bytes append_binary hashes (all
// of them up to kFullDigestMaxBytes, else the two ends), so the last payload's
// summary is reused when those are the same.
class LastPayloadSummary {
  public:
    void append(std::string& out, ByteView payload) {
        const bool sampled = payload.size() > kFullDigestMaxBytes;
        ByteView head = sampled ? payload.first(kSampledEndBytes) : payload;
        ByteView tail = sampled ? payload.last(kSampledEndBytes) : ByteView{};
        if (valid_ && payload.size() == size_ && same(head, head_) && same(tail, tail_)) {
            out.append(text_);
            return;
        }
        valid_ = false;
        text_.clear();
        append_binary(text_, payload);
        size_ = payload.size();
        head_.assign(head.begin(), head.end());
        tail_.assign(tail.begin(), tail.end());
        valid_ = true;
        out.append(text_);
    }

  private:
    static bool same(ByteView bytes, const std::vector<std::uint8_t>& kept) {
        return bytes.size() == kept.size() && std::equal(bytes.begin(), bytes.end(), kept.begin());
    }

    std::size_t size_ = 0;
    std::vector<std::uint8_t> head_;
    std::vector<std::uint8_t> tail_;
    std::string text_;
    bool valid_ = false;
};

// msgpack-c may point strings and binaries into the frame instead of copying
// them: the frame outlives the rendering.
bool reference_frame(msgpack::type::object_type, std::size_t, void*) {
    return true;
}

std::optional<msgpack::object_handle> decode(ByteView frame) {
    try {
        std::size_t offset = 0;
        auto handle = msgpack_util::unpack_sized(reinterpret_cast<const char*>(frame.data()),
                                                 frame.size(), offset, reference_frame, kLimits);
        if (offset != frame.size()) return std::nullopt;  // trailing bytes
        return handle;
    } catch (...) {
        // msgpack-c reports malformed input and exceeded limits by throwing.
        return std::nullopt;
    }
}

std::string_view string_of(const msgpack::object& value) {
    return {value.via.str.ptr, value.via.str.size};
}

// Writes JSON text straight from the decoded msgpack: a JSON document per
// message cost the broker more than relaying it (docs/BENCHMARKS.md).
class TextRenderer {
  public:
    explicit TextRenderer(std::string& out) : out_(&out) {}

    void render(const msgpack::object& value) {
        if (values_left_ <= 0) {
            out_->append(R"("[elided]")");
            return;
        }
        --values_left_;
        switch (value.type) {
            case msgpack::type::NIL:
                out_->append("null");
                return;
            case msgpack::type::BOOLEAN:
                out_->append(value.via.boolean ? "true" : "false");
                return;
            case msgpack::type::POSITIVE_INTEGER:
                append_integer(value.via.u64);
                return;
            case msgpack::type::NEGATIVE_INTEGER:
                append_integer(value.via.i64);
                return;
            case msgpack::type::FLOAT32:
            case msgpack::type::FLOAT64:
                // JSON has no NaN or infinity.
                if (std::isfinite(value.via.f64)) {
                    fmt::format_to(std::back_inserter(*out_), "{}", value.via.f64);
                } else {
                    out_->append("null");
                }
                return;
            case msgpack::type::STR:
                append_shown_string(*out_, string_of(value));
                return;
            case msgpack::type::BIN:
                append_binary(*out_, {reinterpret_cast<const std::uint8_t*>(value.via.bin.ptr),
                                      value.via.bin.size});
                return;
            case msgpack::type::ARRAY:
                render_array(value.via.array);
                return;
            case msgpack::type::MAP:
                render_map(value.via.map);
                return;
            default:
                // EXT never decodes under kLimits; shown opaquely should that change.
                out_->append(R"("[unsupported msgpack type]")");
        }
    }

    // A map's entries without the braces, skipping the keys in `skipped`;
    // whether any entry was written.
    bool render_members(const msgpack::object_map& map,
                        std::initializer_list<std::string_view> skipped = {}) {
        bool plain = std::all_of(map.ptr, map.ptr + map.size, [](const msgpack::object_kv& kv) {
            return kv.key.type == msgpack::type::STR;
        });
        for (std::uint32_t i = 0; plain && i < map.size; ++i) {
            for (std::uint32_t j = 0; plain && j < i; ++j)
                plain = shown_part(string_of(map.ptr[i].key)) !=
                        shown_part(string_of(map.ptr[j].key));
        }
        return plain ? render_plain_members(map, skipped) : render_general_members(map, skipped);
    }

  private:
    // fmt::format_int: no format string to parse, as "{}" had for every number.
    template <class Integer>
    void append_integer(Integer value) {
        fmt::format_int text(value);
        out_->append(text.data(), text.size());
    }

    void render_array(const msgpack::object_array& array) {
        out_->push_back('[');
        for (std::uint32_t i = 0; i < array.size; ++i) {
            if (i > 0) out_->push_back(',');
            render(array.ptr[i]);
        }
        out_->push_back(']');
    }

    void render_map(const msgpack::object_map& map) {
        out_->push_back('{');
        render_members(map);
        out_->push_back('}');
    }

    // String keys, none repeated: written as they come.
    bool render_plain_members(const msgpack::object_map& map,
                              std::initializer_list<std::string_view> skipped) {
        bool any = false;
        for (std::uint32_t i = 0; i < map.size; ++i) {
            std::string_view name = string_of(map.ptr[i].key);
            if (std::find(skipped.begin(), skipped.end(), name) != skipped.end()) continue;
            if (any) out_->push_back(',');
            any = true;
            const ShownKey& key = shown_key(name);
            out_->append(key.text);
            const bool secret = key.secret;  // `key` is not valid once render() recurses
            if (secret) {
                out_->append(R"("[redacted]")");
            } else {
                render(map.ptr[i].val);
            }
        }
        return any;
    }

    // Other keys are shown as their JSON text; a name seen again keeps its
    // first place and takes the last value, as a JSON object would.
    bool render_general_members(const msgpack::object_map& map,
                                std::initializer_list<std::string_view> skipped) {
        std::vector<std::pair<std::string, std::string>> members;
        for (std::uint32_t i = 0; i < map.size; ++i) {
            std::string name = key_name(map.ptr[i].key);
            std::string value;
            if (is_secret_field_name(name)) {
                value = R"("[redacted]")";
            } else {
                TextRenderer nested(value);
                nested.values_left_ = values_left_;
                nested.render(map.ptr[i].val);
                values_left_ = nested.values_left_;
            }
            std::string shown;
            append_shown_string(shown, name);
            auto same = std::find_if(members.begin(), members.end(),
                                     [&](const auto& member) { return member.first == shown; });
            if (same != members.end()) {
                same->second = std::move(value);
            } else {
                members.emplace_back(std::move(shown), std::move(value));
            }
        }
        bool any = false;
        for (const auto& [shown, value] : members) {
            // `shown` is quoted JSON; compare the names the caller skips the same way.
            bool skip = std::any_of(skipped.begin(), skipped.end(), [&](std::string_view name) {
                return shown.size() == name.size() + 2 && shown.substr(1, name.size()) == name;
            });
            if (skip) continue;
            if (any) out_->push_back(',');
            any = true;
            out_->append(shown);
            out_->push_back(':');
            out_->append(value);
        }
        return any;
    }

    // JSON keys are strings; any other msgpack key is shown as its JSON text.
    std::string key_name(const msgpack::object& key) {
        if (key.type == msgpack::type::STR) return std::string(string_of(key));
        std::string text;
        TextRenderer nested(text);
        nested.values_left_ = values_left_;
        nested.render(key);
        values_left_ = nested.values_left_;
        return text;
    }

    std::string* out_;
    int values_left_ = kMaxShownValues;
};

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
    write_json_string(out, text);
}

void append_binary_summary(std::string& out, ByteView bytes) {
    append_binary(out, bytes);
}

void append_payload_summary(std::string& out, ByteView payload) {
    thread_local LastPayloadSummary last;
    last.append(out, payload);
}

void append_msgpack_frame_summary(std::string& out, ByteView frame) {
    auto handle = decode(frame);
    if (!handle) {
        append_undecodable(out, frame);
        return;
    }
    TextRenderer(out).render(handle->get());
}

void append_header_summary(std::string& out, ByteView frame) {
    auto handle = decode(frame);
    if (!handle || handle->get().type != msgpack::type::MAP) {
        out.append(R"("type":null,"id":null,"header":)");
        append_msgpack_frame_summary(out, frame);
        return;
    }
    const msgpack::object_map& map = handle->get().via.map;
    // The last of a repeated key wins, as in a JSON object.
    auto lifted = [&](std::string_view name) -> const msgpack::object* {
        const msgpack::object* found = nullptr;
        for (std::uint32_t i = 0; i < map.size; ++i) {
            const auto& key = map.ptr[i].key;
            if (key.type == msgpack::type::STR && string_of(key) == name) found = &map.ptr[i].val;
        }
        return found;
    };
    TextRenderer renderer(out);
    out.append(R"("type":)");
    if (const auto* type = lifted("type")) {
        renderer.render(*type);
    } else {
        out.append("null");
    }
    out.append(R"(,"id":)");
    if (const auto* id = lifted("id")) {
        renderer.render(*id);
    } else {
        out.append("null");
    }
    // The rest, unless it is only the expected version {"v":1}.
    std::string rest;
    TextRenderer rest_renderer(rest);
    if (!rest_renderer.render_members(map, {"type", "id"}) || rest == R"("v":1)") return;
    out.append(R"(,"header":{)");
    out.append(rest);
    out.push_back('}');
}

LogJson summarize_binary(ByteView bytes) {
    std::string text;
    append_binary(text, bytes);
    return LogJson::parse(text);
}

LogJson summarize_msgpack_frame(ByteView frame) {
    std::string text;
    append_msgpack_frame_summary(text, frame);
    return LogJson::parse(text);
}

bool is_secret_field_name(std::string_view name) {
    // Folded once, ASCII only (as std::tolower in the C locale): this runs for
    // every key of every logged message.
    constexpr std::size_t kShortName = 64;
    char short_buffer[kShortName];
    std::string long_buffer;
    char* folded = short_buffer;
    if (name.size() > kShortName) {
        long_buffer.resize(name.size());
        folded = long_buffer.data();
    }
    for (std::size_t i = 0; i < name.size(); ++i) {
        char c = name[i];
        folded[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
    std::string_view lowered(folded, name.size());
    return std::any_of(kSecretNameParts.begin(), kSecretNameParts.end(),
                       [&](auto part) { return lowered.find(part) != std::string_view::npos; });
}

}  // namespace imgshare
