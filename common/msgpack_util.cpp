#include "common/msgpack_util.h"

#include <algorithm>
#include <memory>

#include <fmt/format.h>

#include <exception>
#include <limits>

namespace imgshare::msgpack_util {
namespace {

bool reference_everything(msgpack::type::object_type, std::size_t, void*) {
    return true;
}

Error bad_field(std::string_view field, std::string_view problem) {
    return Error{ErrorCode::BAD_REQUEST, fmt::format("field '{}' {}", field, problem)};
}

}  // namespace

msgpack::object_handle unpack_sized(const char* data, std::size_t size, std::size_t& offset,
                                    msgpack::unpack_reference_func reference,
                                    const msgpack::unpack_limit& limit) {
    // Objects take 16 bytes each and a value of n bytes holds at most n of
    // them; most of a frame is strings, copied or referenced. The zone grows
    // by further blocks when this guess is short.
    constexpr std::size_t kSmallestBlock = 256;
    auto zone = std::make_unique<msgpack::zone>(
        std::clamp<std::size_t>(4 * size + 64, kSmallestBlock, MSGPACK_ZONE_CHUNK_SIZE));
    msgpack::object root = msgpack::unpack(*zone, data, size, offset, reference, nullptr, limit);
    return msgpack::object_handle(root, std::move(zone));
}

Result<msgpack::object_handle> unpack_bounded(ByteView bytes, const msgpack::unpack_limit& limit,
                                              std::string_view what, StringStorage storage) {
    if (bytes.empty()) return fail(ErrorCode::BAD_REQUEST, fmt::format("{} is empty", what));
    // ext types are never part of our formats; refuse them whatever the caller's limits say.
    const msgpack::unpack_limit tightened(limit.array(), limit.map(), limit.str(), limit.bin(), 0,
                                          limit.depth());
    const auto reference =
        storage == StringStorage::ReferenceInput ? &reference_everything : nullptr;
    try {
        std::size_t offset = 0;
        msgpack::object_handle handle = unpack_sized(reinterpret_cast<const char*>(bytes.data()),
                                                     bytes.size(), offset, reference, tightened);
        if (offset != bytes.size()) {
            return fail(ErrorCode::BAD_REQUEST,
                        fmt::format("{} has {} trailing bytes", what, bytes.size() - offset));
        }
        return handle;
    } catch (const msgpack::insufficient_bytes&) {
        return fail(ErrorCode::BAD_REQUEST, fmt::format("{} is truncated", what));
    } catch (const std::exception& e) {
        // parse errors, size/depth limit overflows, and anything else msgpack-c throws
        return fail(ErrorCode::BAD_REQUEST, fmt::format("{} is malformed: {}", what, e.what()));
    }
}

Result<std::span<const msgpack::object>> read_array(const msgpack::object& object,
                                                    std::string_view field, std::size_t size) {
    if (object.type != msgpack::type::ARRAY) {
        return std::unexpected(bad_field(field, "must be an array"));
    }
    if (object.via.array.size != size) {
        return std::unexpected(bad_field(
            field, fmt::format("must have {} elements, not {}", size, object.via.array.size)));
    }
    return std::span<const msgpack::object>(object.via.array.ptr, object.via.array.size);
}

Result<std::uint64_t> read_uint(const msgpack::object& object, std::string_view field) {
    if (object.type != msgpack::type::POSITIVE_INTEGER) {
        return std::unexpected(bad_field(field, "must be a non-negative integer"));
    }
    return object.via.u64;
}

Result<std::int64_t> read_int(const msgpack::object& object, std::string_view field) {
    if (object.type == msgpack::type::NEGATIVE_INTEGER) return object.via.i64;
    if (object.type == msgpack::type::POSITIVE_INTEGER &&
        object.via.u64 <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        return static_cast<std::int64_t>(object.via.u64);
    }
    return std::unexpected(bad_field(field, "must be an integer that fits in 64 signed bits"));
}

Result<std::string> read_string(const msgpack::object& object, std::string_view field,
                                std::size_t max_size) {
    if (object.type != msgpack::type::STR) {
        return std::unexpected(bad_field(field, "must be a string"));
    }
    if (object.via.str.size > max_size) {
        return std::unexpected(bad_field(field, fmt::format("must be at most {} bytes", max_size)));
    }
    return std::string(object.via.str.ptr, object.via.str.size);
}

Result<ByteView> read_bin(const msgpack::object& object, std::string_view field,
                          std::size_t min_size, std::size_t max_size) {
    if (object.type != msgpack::type::BIN) {
        return std::unexpected(bad_field(field, "must be binary"));
    }
    const std::size_t size = object.via.bin.size;
    if (size < min_size || size > max_size) {
        return std::unexpected(
            min_size == max_size
                ? bad_field(field, fmt::format("must be {} bytes, not {}", min_size, size))
                : bad_field(field,
                            fmt::format("must be {}..{} bytes, not {}", min_size, max_size, size)));
    }
    return ByteView(reinterpret_cast<const std::uint8_t*>(object.via.bin.ptr), size);
}

}  // namespace imgshare::msgpack_util
