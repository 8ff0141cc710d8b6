// Helpers for the wire protocol tests: hex literals, raw msgpack map surgery
// (remove, replace or add one key of an encoded map) and seeded random bytes.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/bytes.h"
#include "common/protocol/msgpack_scan.h"
#include "common/protocol/msgpack_writer.h"

namespace imgshare::testing {

inline Bytes hex(std::string_view text) {
    return from_hex(text).value();
}

inline Bytes concat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const auto& part : parts)
        out.insert(out.end(), part.begin(), part.end());
    return out;
}

struct RawEntry {
    std::string key;
    Bytes value;  // the value's msgpack encoding, as is
};

// Splits an encoded msgpack map (with string keys) into its raw entries.
inline std::vector<RawEntry> split_map(ByteView map) {
    std::size_t count = 0;
    std::size_t offset = 0;
    if (map[0] >= 0x80 && map[0] <= 0x8f) {
        count = map[0] & 0x0f;
        offset = 1;
    } else if (map[0] == 0xde) {
        count = (std::size_t{map[1]} << 8) | map[2];
        offset = 3;
    } else {
        throw std::invalid_argument("split_map: not a fixmap or map16");
    }
    std::vector<RawEntry> entries;
    for (std::size_t i = 0; i < count; ++i) {
        std::size_t key_length = measure_msgpack_value(map.subspan(offset)).value();
        Bytes key_bytes(map.begin() + offset + 1, map.begin() + offset + key_length);
        if (key_length > 32) throw std::invalid_argument("split_map: key is not a fixstr");
        offset += key_length;
        std::size_t value_length = measure_msgpack_value(map.subspan(offset)).value();
        entries.push_back({std::string(as_string(key_bytes)),
                           Bytes(map.begin() + offset, map.begin() + offset + value_length)});
        offset += value_length;
    }
    return entries;
}

inline Bytes join_map(const std::vector<RawEntry>& entries) {
    MsgpackWriter writer;
    writer.map(entries.size());
    Bytes out = writer.take();
    for (const auto& entry : entries) {
        writer.string(entry.key);
        Bytes key = writer.take();
        out.insert(out.end(), key.begin(), key.end());
        out.insert(out.end(), entry.value.begin(), entry.value.end());
    }
    return out;
}

inline Bytes without_key(ByteView map, std::string_view key) {
    auto entries = split_map(map);
    std::erase_if(entries, [&](const RawEntry& entry) { return entry.key == key; });
    return join_map(entries);
}

inline Bytes with_value(ByteView map, std::string_view key, Bytes value) {
    auto entries = split_map(map);
    for (auto& entry : entries) {
        if (entry.key == key) entry.value = value;
    }
    return join_map(entries);
}

inline Bytes with_extra_key(ByteView map, std::string key, Bytes value) {
    auto entries = split_map(map);
    entries.push_back({std::move(key), std::move(value)});
    return join_map(entries);
}

// Encoded single values, for building hostile maps by hand.
inline Bytes packed_string(std::string_view text) {
    MsgpackWriter writer;
    writer.string(text);
    return writer.take();
}
inline Bytes packed_unsigned(std::uint64_t value) {
    MsgpackWriter writer;
    writer.unsigned_integer(value);
    return writer.take();
}
inline Bytes packed_signed(std::int64_t value) {
    MsgpackWriter writer;
    writer.signed_integer(value);
    return writer.take();
}
inline Bytes packed_binary(ByteView bytes) {
    MsgpackWriter writer;
    writer.binary(bytes);
    return writer.take();
}
inline const Bytes kPackedNil{0xc0};

inline Bytes random_bytes(std::mt19937_64& random, std::size_t size) {
    Bytes bytes(size);
    for (auto& byte : bytes)
        byte = static_cast<std::uint8_t>(random());
    return bytes;
}

}  // namespace imgshare::testing
