#include "common/protocol/msgpack_scan.h"

#include <array>
#include <cstdint>
#include <string>

#include "common/protocol/limits.h"

namespace imgshare {
namespace {

enum class Shape { scalar, string, binary, array, map, invalid };

// What the first bytes of one value say about it.
struct ValueHead {
    Shape shape = Shape::scalar;
    std::size_t head_bytes = 1;      // type byte plus any length/count field
    std::size_t length_bytes = 0;    // size of the length/count field inside head_bytes
    std::size_t fixed_body = 0;      // body bytes of fixed-size scalars
    std::uint64_t inline_count = 0;  // length/count carried in the type byte itself
};

std::string hex_byte(std::uint8_t byte) {
    constexpr char kDigits[] = "0123456789abcdef";
    return std::string("0x") + kDigits[byte >> 4] + kDigits[byte & 0x0f];
}

// Plain values, no Result: this runs for every value of every frame, and the
// errors are built only when one is found (invalid_type, too_large).
ValueHead classify(std::uint8_t type) {
    if (type <= 0x7f || type >= 0xe0) return ValueHead{};  // fixints
    if (type <= 0x8f) return ValueHead{Shape::map, 1, 0, 0, type & 0x0fu};
    if (type <= 0x9f) return ValueHead{Shape::array, 1, 0, 0, type & 0x0fu};
    if (type <= 0xbf) return ValueHead{Shape::string, 1, 0, 0, type & 0x1fu};
    switch (type) {
        case 0xc0:  // nil
        case 0xc2:  // false
        case 0xc3:  // true
            return ValueHead{};
        case 0xc4:
            return ValueHead{Shape::binary, 2, 1};
        case 0xc5:
            return ValueHead{Shape::binary, 3, 2};
        case 0xc6:
            return ValueHead{Shape::binary, 5, 4};
        case 0xca:
            return ValueHead{Shape::scalar, 1, 0, 4};
        case 0xcb:
            return ValueHead{Shape::scalar, 1, 0, 8};
        case 0xcc:
        case 0xd0:
            return ValueHead{Shape::scalar, 1, 0, 1};
        case 0xcd:
        case 0xd1:
            return ValueHead{Shape::scalar, 1, 0, 2};
        case 0xce:
        case 0xd2:
            return ValueHead{Shape::scalar, 1, 0, 4};
        case 0xcf:
        case 0xd3:
            return ValueHead{Shape::scalar, 1, 0, 8};
        case 0xd9:
            return ValueHead{Shape::string, 2, 1};
        case 0xda:
            return ValueHead{Shape::string, 3, 2};
        case 0xdb:
            return ValueHead{Shape::string, 5, 4};
        case 0xdc:
            return ValueHead{Shape::array, 3, 2};
        case 0xdd:
            return ValueHead{Shape::array, 5, 4};
        case 0xde:
            return ValueHead{Shape::map, 3, 2};
        case 0xdf:
            return ValueHead{Shape::map, 5, 4};
        default:  // 0xc1, 0xc7-0xc9, 0xd4-0xd8
            return ValueHead{Shape::invalid};
    }
}

std::unexpected<Error> invalid_type(std::uint8_t type, std::size_t offset) {
    if (type == 0xc1) {
        return fail(ErrorCode::BAD_REQUEST,
                    "invalid msgpack type byte 0xc1 at offset " + std::to_string(offset));
    }
    return fail(ErrorCode::BAD_REQUEST, "msgpack extension type " + hex_byte(type) + " at offset " +
                                            std::to_string(offset) +
                                            " is not used by this protocol");
}

std::uint64_t read_big_endian(ByteView bytes, std::size_t offset, std::size_t width) {
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < width; ++i)
        value = (value << 8) | bytes[offset + i];
    return value;
}

// The limit a value of `shape` must keep, or 0 for none.
std::size_t limit_of(Shape shape) {
    switch (shape) {
        case Shape::string:
            return kMaxStringBytes;
        case Shape::binary:
            return kMaxBinBytes;
        case Shape::array:
            return kMaxArrayItems;
        case Shape::map:
            return kMaxMapItems;
        default:
            return 0;
    }
}

std::unexpected<Error> too_large(Shape shape, std::uint64_t count, std::size_t offset) {
    const char* what = shape == Shape::string   ? "string"
                       : shape == Shape::binary ? "binary"
                       : shape == Shape::array  ? "array"
                                                : "map";
    return fail(ErrorCode::TOO_LARGE, std::string(what) + " of " + std::to_string(count) +
                                          " at offset " + std::to_string(offset) +
                                          " exceeds the limit of " +
                                          std::to_string(limit_of(shape)));
}

std::unexpected<Error> truncated(std::size_t offset) {
    return fail(ErrorCode::BAD_REQUEST, "truncated msgpack: the value at offset " +
                                            std::to_string(offset) +
                                            " runs past the end of the frame");
}

}  // namespace

Result<std::size_t> measure_msgpack_value(ByteView bytes) {
    if (bytes.empty()) return fail(ErrorCode::BAD_REQUEST, "empty msgpack frame");

    // Values still expected in each open container (a map entry counts twice).
    std::array<std::uint64_t, kMaxDepth> pending{};
    std::size_t open = 0;
    std::size_t offset = 0;
    do {
        if (offset >= bytes.size()) return truncated(offset);
        const ValueHead head = classify(bytes[offset]);
        if (head.shape == Shape::invalid) return invalid_type(bytes[offset], offset);
        if (bytes.size() - offset < head.head_bytes) return truncated(offset);

        std::uint64_t count = head.inline_count;
        if (head.length_bytes > 0) count = read_big_endian(bytes, offset + 1, head.length_bytes);
        if (head.shape != Shape::scalar && count > limit_of(head.shape)) {
            return too_large(head.shape, count, offset);
        }

        std::uint64_t body = head.fixed_body;
        if (head.shape == Shape::string || head.shape == Shape::binary) body = count;
        if (bytes.size() - offset - head.head_bytes < body) return truncated(offset);

        if (open > 0) --pending[open - 1];
        if (head.shape == Shape::array || head.shape == Shape::map) {
            if (open == kMaxDepth) {
                return fail(ErrorCode::BAD_REQUEST,
                            "msgpack nesting deeper than " + std::to_string(kMaxDepth) +
                                " containers at offset " + std::to_string(offset));
            }
            pending[open++] = head.shape == Shape::map ? 2 * count : count;
        }
        offset += head.head_bytes + static_cast<std::size_t>(body);
        while (open > 0 && pending[open - 1] == 0)
            --open;
    } while (open > 0);
    return offset;
}

Result<void> scan_msgpack(ByteView bytes) {
    auto length = measure_msgpack_value(bytes);
    if (!length) return std::unexpected(std::move(length.error()));
    if (*length != bytes.size()) {
        return fail(ErrorCode::BAD_REQUEST, std::to_string(bytes.size() - *length) +
                                                " trailing bytes after the msgpack value");
    }
    return {};
}

}  // namespace imgshare
