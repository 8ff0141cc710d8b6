#include "common/protocol/msgpack_document.h"

#include <msgpack.hpp>

#include <new>
#include <string>

#include "common/msgpack_util.h"
#include "common/protocol/limits.h"
#include "common/protocol/msgpack_scan.h"

namespace imgshare {
namespace {

const msgpack::object& object_of(const void* object) {
    return *static_cast<const msgpack::object*>(object);
}

const msgpack::unpack_limit& protocol_unpack_limit() {
    static const msgpack::unpack_limit limit(kMaxArrayItems, kMaxMapItems, kMaxStringBytes,
                                             kMaxBinBytes, /*ext=*/0, kMaxDepth);
    return limit;
}

std::unexpected<Error> rejected(ErrorCode code, const char* what) {
    return fail(code, std::string("msgpack rejected: ") + what);
}

}  // namespace

// ---- MsgpackValue -----------------------------------------------------------

MsgpackValue::Kind MsgpackValue::kind() const {
    switch (object_of(object_).type) {
        case msgpack::type::NIL:
            return Kind::nil;
        case msgpack::type::BOOLEAN:
            return Kind::boolean;
        case msgpack::type::POSITIVE_INTEGER:
            return Kind::unsigned_integer;
        case msgpack::type::NEGATIVE_INTEGER:
            return Kind::negative_integer;
        case msgpack::type::FLOAT32:
        case msgpack::type::FLOAT64:
            return Kind::floating;
        case msgpack::type::STR:
            return Kind::string;
        case msgpack::type::BIN:
            return Kind::binary;
        case msgpack::type::ARRAY:
            return Kind::array;
        case msgpack::type::MAP:
            return Kind::map;
        case msgpack::type::EXT:
            return Kind::extension;
    }
    return Kind::extension;
}

std::string_view MsgpackValue::kind_name() const {
    switch (kind()) {
        case Kind::nil:
            return "nil";
        case Kind::boolean:
            return "boolean";
        case Kind::unsigned_integer:
            return "unsigned integer";
        case Kind::negative_integer:
            return "negative integer";
        case Kind::floating:
            return "float";
        case Kind::string:
            return "string";
        case Kind::binary:
            return "binary";
        case Kind::array:
            return "array";
        case Kind::map:
            return "map";
        case Kind::extension:
            return "extension";
    }
    return "extension";
}

std::optional<bool> MsgpackValue::as_bool() const {
    if (kind() != Kind::boolean) return std::nullopt;
    return object_of(object_).via.boolean;
}

std::optional<std::uint64_t> MsgpackValue::as_unsigned() const {
    if (kind() != Kind::unsigned_integer) return std::nullopt;
    return object_of(object_).via.u64;
}

std::optional<std::int64_t> MsgpackValue::as_negative() const {
    if (kind() != Kind::negative_integer) return std::nullopt;
    return object_of(object_).via.i64;
}

std::optional<std::string_view> MsgpackValue::as_string() const {
    if (kind() != Kind::string) return std::nullopt;
    const auto& str = object_of(object_).via.str;
    return std::string_view(str.ptr, str.size);
}

std::optional<ByteView> MsgpackValue::as_binary() const {
    if (kind() != Kind::binary) return std::nullopt;
    const auto& bin = object_of(object_).via.bin;
    return ByteView(reinterpret_cast<const std::uint8_t*>(bin.ptr), bin.size);
}

std::size_t MsgpackValue::size() const {
    const auto& object = object_of(object_);
    if (object.type == msgpack::type::ARRAY) return object.via.array.size;
    if (object.type == msgpack::type::MAP) return object.via.map.size;
    return 0;
}

MsgpackValue MsgpackValue::item(std::size_t index) const {
    return MsgpackValue(&object_of(object_).via.array.ptr[index]);
}

MsgpackValue MsgpackValue::key(std::size_t index) const {
    return MsgpackValue(&object_of(object_).via.map.ptr[index].key);
}

MsgpackValue MsgpackValue::value(std::size_t index) const {
    return MsgpackValue(&object_of(object_).via.map.ptr[index].val);
}

// ---- MsgpackDocument --------------------------------------------------------

struct MsgpackDocument::Impl {
    msgpack::object_handle handle;
};

MsgpackDocument::MsgpackDocument(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
MsgpackDocument::MsgpackDocument(MsgpackDocument&&) noexcept = default;
MsgpackDocument& MsgpackDocument::operator=(MsgpackDocument&&) noexcept = default;
MsgpackDocument::~MsgpackDocument() = default;

MsgpackValue MsgpackDocument::root() const {
    return MsgpackValue(&impl_->handle.get());
}

Result<MsgpackDocument> MsgpackDocument::parse(ByteView bytes) {
    if (bytes.size() > kMaxFrameBytes) {
        return fail(ErrorCode::TOO_LARGE, "frame of " + std::to_string(bytes.size()) +
                                              " bytes exceeds the limit of " +
                                              std::to_string(kMaxFrameBytes));
    }
    if (auto shape = scan_msgpack(bytes); !shape) return std::unexpected(shape.error());
    return unpack_within_limits(bytes);
}

Result<MsgpackDocument> unpack_within_limits(ByteView bytes) {
    if (bytes.empty()) return fail(ErrorCode::BAD_REQUEST, "empty msgpack frame");
    try {
        auto impl = std::make_unique<MsgpackDocument::Impl>();
        std::size_t offset = 0;
        // No reference function: strings and binaries are copied into the
        // document, so it does not depend on the lifetime of `bytes`.
        impl->handle =
            msgpack_util::unpack_sized(reinterpret_cast<const char*>(bytes.data()), bytes.size(),
                                       offset, nullptr, protocol_unpack_limit());
        if (offset != bytes.size()) {
            return fail(ErrorCode::BAD_REQUEST, std::to_string(bytes.size() - offset) +
                                                    " trailing bytes after the msgpack value");
        }
        return MsgpackDocument(std::move(impl));
    } catch (const msgpack::str_size_overflow&) {
        return rejected(ErrorCode::TOO_LARGE, "string over the size limit");
    } catch (const msgpack::bin_size_overflow&) {
        return rejected(ErrorCode::TOO_LARGE, "binary over the size limit");
    } catch (const msgpack::array_size_overflow&) {
        return rejected(ErrorCode::TOO_LARGE, "array over the item limit");
    } catch (const msgpack::map_size_overflow&) {
        return rejected(ErrorCode::TOO_LARGE, "map over the entry limit");
    } catch (const msgpack::ext_size_overflow&) {
        return rejected(ErrorCode::BAD_REQUEST, "extension types are not used by this protocol");
    } catch (const msgpack::depth_size_overflow&) {
        return rejected(ErrorCode::BAD_REQUEST, "nesting too deep");
    } catch (const msgpack::insufficient_bytes&) {
        return rejected(ErrorCode::BAD_REQUEST, "truncated value");
    } catch (const msgpack::parse_error&) {
        return rejected(ErrorCode::BAD_REQUEST, "invalid bytes");
    } catch (const std::bad_alloc&) {
        return rejected(ErrorCode::BAD_REQUEST, "value needs more memory than is available");
    } catch (const std::exception&) {
        // Any other msgpack-c or standard library error on hostile input.
        return rejected(ErrorCode::BAD_REQUEST, "malformed value");
    }
}

}  // namespace imgshare
