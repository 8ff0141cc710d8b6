#include "common/frame_summary.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <msgpack.hpp>

#include "common/binary_summary.h"
#include "common/json_text.h"
#include "common/msgpack_util.h"

namespace imgshare {
namespace {

constexpr int kMaxShownValues = 4096;
// Matched to the protocol's maxima (DESIGN.md §7): nothing legitimate nests
// deeper or carries more; anything that does is shown as undecodable.
const msgpack::unpack_limit kLimits(/*array=*/1024, /*map=*/64, /*str=*/4096,
                                    /*bin=*/2 * 1024 * 1024, /*ext=*/0, /*depth=*/8);

constexpr std::array<std::string_view, 7> kSecretNameParts{
    "secret", "private", "passphrase", "password", "passwd", "seed", "content_key"};

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

void append_undecodable(std::string& out, ByteView frame) {
    std::string binary;
    append_binary_summary(binary, frame);
    out.append(R"({"undecodable":true,)");
    out.append(std::string_view(binary).substr(1));  // the binary summary's members
}

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
                append_binary_summary(
                    *out_,
                    {reinterpret_cast<const std::uint8_t*>(value.via.bin.ptr), value.via.bin.size});
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
    append_binary_summary(text, bytes);
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
