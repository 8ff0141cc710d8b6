#include "common/frame_summary.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <stdexcept>
#include <string>

#include <fmt/format.h>
#include <msgpack.hpp>

#include "common/crypto/sha256.h"

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

std::string shown_string(std::string_view text) {
    if (text.size() <= kMaxShownStringBytes) return std::string(text);
    return fmt::format("{}...[truncated, {} bytes]", text.substr(0, kMaxShownStringBytes),
                       text.size());
}

std::string short_sampled_sha256(ByteView bytes) {
    Sha256 ends;
    ends.update(bytes.first(kSampledEndBytes));
    ends.update(bytes.last(kSampledEndBytes));
    return to_hex(ends.finish()).substr(0, kDigestHexChars);
}

LogJson undecodable(ByteView frame) {
    LogJson summary = LogJson::object();
    summary["undecodable"] = true;
    summary.update(summarize_binary(frame));
    return summary;
}

// msgpack-c may point strings and binaries into the frame instead of copying
// them: the frame outlives the rendering.
bool reference_frame(msgpack::type::object_type, std::size_t, void*) {
    return true;
}

std::optional<msgpack::object_handle> decode(ByteView frame) {
    try {
        std::size_t offset = 0;
        auto handle = msgpack::unpack(reinterpret_cast<const char*>(frame.data()), frame.size(),
                                      offset, reference_frame, nullptr, kLimits);
        if (offset != frame.size()) return std::nullopt;  // trailing bytes
        return handle;
    } catch (...) {
        // msgpack-c reports malformed input and exceeded limits by throwing.
        return std::nullopt;
    }
}

class Renderer {
  public:
    LogJson render(const msgpack::object& value) {
        if (values_left_ <= 0) return "[elided]";
        --values_left_;
        switch (value.type) {
            case msgpack::type::NIL:
                return nullptr;
            case msgpack::type::BOOLEAN:
                return value.via.boolean;
            case msgpack::type::POSITIVE_INTEGER:
                return value.via.u64;
            case msgpack::type::NEGATIVE_INTEGER:
                return value.via.i64;
            case msgpack::type::FLOAT32:
            case msgpack::type::FLOAT64:
                return value.via.f64;
            case msgpack::type::STR:
                return shown_string({value.via.str.ptr, value.via.str.size});
            case msgpack::type::BIN:
                return summarize_binary(
                    {reinterpret_cast<const std::uint8_t*>(value.via.bin.ptr), value.via.bin.size});
            case msgpack::type::ARRAY:
                return render_array(value.via.array);
            case msgpack::type::MAP:
                return render_map(value.via.map);
            default:
                // EXT never decodes under kLimits; shown opaquely should that change.
                return "[unsupported msgpack type]";
        }
    }

  private:
    LogJson render_array(const msgpack::object_array& array) {
        LogJson items = LogJson::array();
        for (std::uint32_t i = 0; i < array.size; ++i)
            items.push_back(render(array.ptr[i]));
        return items;
    }

    LogJson render_map(const msgpack::object_map& map) {
        LogJson fields = LogJson::object();
        for (std::uint32_t i = 0; i < map.size; ++i) {
            const msgpack::object_kv& entry = map.ptr[i];
            std::string name = key_name(entry.key);
            if (is_secret_field_name(name)) {
                fields[shown_string(name)] = "[redacted]";
            } else {
                fields[shown_string(name)] = render(entry.val);
            }
        }
        return fields;
    }

    // JSON keys are strings; any other msgpack key is shown as its JSON text.
    std::string key_name(const msgpack::object& key) {
        if (key.type == msgpack::type::STR) return std::string(key.via.str.ptr, key.via.str.size);
        return render(key).dump(-1, ' ', false, LogJson::error_handler_t::replace);
    }

    int values_left_ = kMaxShownValues;
};

}  // namespace

LogJson summarize_binary(ByteView bytes) {
    LogJson summary = LogJson::object();
    summary["len"] = bytes.size();
    if (bytes.size() <= kFullDigestMaxBytes) {
        summary["sha256"] = short_sha256(bytes);
    } else {
        summary["sampled_sha256"] = short_sampled_sha256(bytes);
    }
    return summary;
}

LogJson summarize_msgpack_frame(ByteView frame) {
    auto handle = decode(frame);
    if (!handle) return undecodable(frame);
    return Renderer{}.render(handle->get());
}

bool is_secret_field_name(std::string_view name) {
    std::string lower(name);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return std::any_of(kSecretNameParts.begin(), kSecretNameParts.end(),
                       [&](auto part) { return lower.find(part) != std::string::npos; });
}

}  // namespace imgshare
