// Finds secret bytes in text: any 16-byte window of the watched byte strings,
// written raw, as hex (either case) or as base64 (standard or URL-safe, at
// any alignment). Used to prove that logs hold no key or image bytes.
#pragma once

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/bytes.h"

namespace imgshare::testing {

class LeakDetector {
  public:
    static constexpr std::size_t kWindow = 16;

    // `secret` must outlive the detector.
    void watch(ByteView secret) {
        for (std::size_t i = 0; i + kWindow <= secret.size(); ++i) {
            windows_.emplace_back(prefix_of(secret.data() + i), secret.data() + i);
        }
        std::sort(windows_.begin(), windows_.end(),
                  [](const auto& a, const auto& b) { return a.first < b.first; });
    }

    // A description of the first leak found, or nullopt.
    [[nodiscard]] std::optional<std::string> find_leak(std::string_view text) const {
        const auto* bytes = reinterpret_cast<const std::uint8_t*>(text.data());
        for (std::size_t p = 0; p + kWindow <= text.size(); ++p) {
            if (contains(bytes + p)) return "raw bytes at " + std::to_string(p);
        }
        for (std::size_t p = 0; p + 2 * kWindow <= text.size(); ++p) {
            if (auto decoded = decode_hex(text.substr(p, 2 * kWindow));
                decoded && contains(decoded->data())) {
                return "hex at " + std::to_string(p);
            }
        }
        constexpr std::size_t kBase64Chars = 22;  // 132 bits: the first 128 are the window
        for (std::size_t p = 0; p + kBase64Chars <= text.size(); ++p) {
            if (auto decoded = decode_base64(text.substr(p, kBase64Chars));
                decoded && contains(decoded->data())) {
                return "base64 at " + std::to_string(p);
            }
        }
        return std::nullopt;
    }

  private:
    static std::uint64_t prefix_of(const std::uint8_t* window) {
        std::uint64_t prefix = 0;
        std::memcpy(&prefix, window, sizeof prefix);
        return prefix;
    }

    [[nodiscard]] bool contains(const std::uint8_t* candidate) const {
        std::uint64_t prefix = prefix_of(candidate);
        auto range =
            std::equal_range(windows_.begin(), windows_.end(),
                             std::pair<std::uint64_t, const std::uint8_t*>{prefix, nullptr},
                             [](const auto& a, const auto& b) { return a.first < b.first; });
        for (auto it = range.first; it != range.second; ++it) {
            if (std::memcmp(it->second, candidate, kWindow) == 0) return true;
        }
        return false;
    }

    static std::optional<Bytes> decode_hex(std::string_view text) {
        Bytes out(text.size() / 2);
        for (std::size_t i = 0; i < out.size(); ++i) {
            int high = hex_value(text[2 * i]);
            int low = hex_value(text[2 * i + 1]);
            if (high < 0 || low < 0) return std::nullopt;
            out[i] = static_cast<std::uint8_t>(high * 16 + low);
        }
        return out;
    }

    static int hex_value(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }

    static int base64_value(char c) {
        if (c >= 'A' && c <= 'Z') return c - 'A';
        if (c >= 'a' && c <= 'z') return c - 'a' + 26;
        if (c >= '0' && c <= '9') return c - '0' + 52;
        if (c == '+' || c == '-') return 62;
        if (c == '/' || c == '_') return 63;
        return -1;
    }

    static std::optional<Bytes> decode_base64(std::string_view text) {
        Bytes out;
        std::uint32_t accumulator = 0;
        int bits = 0;
        for (char c : text) {
            int value = base64_value(c);
            if (value < 0) return std::nullopt;
            accumulator = (accumulator << 6) | static_cast<std::uint32_t>(value);
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                out.push_back(static_cast<std::uint8_t>(accumulator >> bits));
                accumulator &= (1u << bits) - 1;
            }
        }
        return out;
    }

    std::vector<std::pair<std::uint64_t, const std::uint8_t*>> windows_;
};

}  // namespace imgshare::testing
