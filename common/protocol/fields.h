// Field descriptors: each message struct lists its msgpack map keys once, and
// the generic code here encodes and decodes the struct from that list.
//
//   struct GetCertRequest {
//       static constexpr std::string_view kType = "GET_CERT";
//       std::string username;
//       static constexpr auto fields() {
//           return std::make_tuple(field("username", &GetCertRequest::username));
//       }
//   };
//
// Member types and their msgpack form: std::string -> str, Bytes -> bin,
// bool -> bool, std::uint32_t / std::uint64_t -> non-negative int,
// std::int64_t -> int, ErrorCode -> str (its stable name), std::vector<T> ->
// array, a struct with fields() -> map, std::optional<T> -> T or key absent.
//
// Decoding promises: unknown keys are ignored; a missing key -> BAD_REQUEST
// "missing key 'k'" (unless the field is optional); a duplicate or non-string
// key, a value of the wrong kind or out of range for its C++ type ->
// BAD_REQUEST naming the key; a value over the field's own size bound ->
// TOO_LARGE naming the key. Nested failures name the path ("key 'grants':
// item 3: key 'recipient': ..."). Values are read, never trusted: no throw.
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"
#include "common/protocol/limits.h"
#include "common/protocol/msgpack_document.h"
#include "common/protocol/msgpack_writer.h"

namespace imgshare {

// One map key bound to one member. max_size bounds bytes (str, bin) or items
// (array) beyond the global msgpack limits; 0 means no extra bound. An
// optional field may be absent, leaving the member's default in place.
template <class Owner, class Member>
struct Field {
    std::string_view key;
    Member Owner::*member;
    std::size_t max_size = 0;
    bool optional = false;
};

template <class Owner, class Member>
constexpr Field<Owner, Member> field(std::string_view key, Member Owner::*member,
                                     std::size_t max_size = 0) {
    return {key, member, max_size, false};
}

template <class Owner, class Member>
constexpr Field<Owner, Member> optional_field(std::string_view key, Member Owner::*member,
                                              std::size_t max_size = 0) {
    return {key, member, max_size, true};
}

template <class T>
concept Described = requires {
    T::fields();
};

namespace wire {

template <class T>
struct is_vector : std::false_type {};
template <class T>
struct is_vector<std::vector<T>> : std::true_type {};
template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

// Prefixes a nested failure with where it happened.
template <class T>
Result<T> within(Result<T> result, std::string_view where) {
    if (!result) result.error().message = std::string(where) + ": " + result.error().message;
    return result;
}

// The same, with `where` built by `describe()` only on failure: decoding runs
// for every field of every message, and a path string per field was a
// quarter of decoding a LIST reply.
template <class T, std::invocable Describe>
Result<T> within(Result<T> result, Describe&& describe) {
    if (!result) result.error().message = describe() + ": " + result.error().message;
    return result;
}

// Attacker-chosen text made safe to put in an error message or a log
// (call it as wire::quoted with a std::string: ADL would also find std::quoted):
// non-printable bytes escaped as \xNN, cut after 64 bytes, in single quotes.
[[nodiscard]] std::string quoted(std::string_view text);
[[nodiscard]] Error wrong_kind(std::string_view expected, const MsgpackValue& value);
[[nodiscard]] Error over_bound(std::size_t size, std::size_t bound, std::string_view unit);
[[nodiscard]] Result<std::uint64_t> read_unsigned(const MsgpackValue& value, std::uint64_t max);
[[nodiscard]] Result<std::int64_t> read_signed(const MsgpackValue& value);
[[nodiscard]] Result<ErrorCode> read_error_code(const MsgpackValue& value);

// The keys of one map, checked once (every key a string, none repeated) and
// then looked up without going back to the document. A lookup starts after
// the key found last: maps are written in their fields' order, so reading a
// struct's fields in that order finds each key at the first compare.
class MapKeys {
  public:
    // `map` must be a map; check() before find().
    explicit MapKeys(const MsgpackValue& map) : map_(map) {}
    // Not copied: only the keys check() set are initialised.
    MapKeys(const MapKeys&) = delete;
    MapKeys& operator=(const MapKeys&) = delete;

    // BAD_REQUEST for a key that is not a string or a key repeated; TOO_LARGE
    // for more than kMaxMapItems entries (MsgpackDocument never gives those).
    [[nodiscard]] Result<void> check();

    [[nodiscard]] std::optional<MsgpackValue> find(std::string_view key) {
        for (std::size_t step = 0, i = next_; step < count_; ++step) {
            // A view, not memcmp: msgpack-c gives an empty string a null pointer.
            if (std::string_view(key_data_[i], key_sizes_[i]) == key) {
                next_ = i + 1 == count_ ? 0 : i + 1;
                return map_.value(i);
            }
            i = i + 1 == count_ ? 0 : i + 1;
        }
        return std::nullopt;
    }

  private:
    MsgpackValue map_;
    std::size_t count_ = 0;
    std::size_t next_ = 0;  // where the next lookup starts
    // The keys [0, count_), set by check(). Not zeroed: one of these is made
    // for every map decoded.
    const char* key_data_[kMaxMapItems];
    std::size_t key_sizes_[kMaxMapItems];
};

// ---- encoding ---------------------------------------------------------------

// Writer: MsgpackWriter, or MsgpackSizer to learn the size without writing.
template <class Writer, class T>
void write_value(Writer& writer, const T& value);

// Whether a member goes on the wire: an empty std::optional is left out.
template <class M>
bool is_present(const M& member) {
    if constexpr (is_optional<M>::value) {
        return member.has_value();
    } else {
        return true;
    }
}

template <class Writer, Described T>
void write_map(Writer& writer, const T& object) {
    const auto fields = T::fields();
    std::size_t present = 0;
    std::apply(
        [&](const auto&... f) { ((present += is_present(object.*(f.member)) ? 1 : 0), ...); },
        fields);
    writer.map(present);
    auto write_one = [&](const auto& descriptor) {
        const auto& member = object.*(descriptor.member);
        if (!is_present(member)) return;
        writer.string(descriptor.key);
        write_value(writer, member);
    };
    std::apply([&](const auto&... f) { (write_one(f), ...); }, fields);
}

template <class Writer, class T>
void write_value(Writer& writer, const T& value) {
    if constexpr (std::is_same_v<T, std::string>) {
        writer.string(value);
    } else if constexpr (std::is_same_v<T, Bytes>) {
        writer.binary(value);
    } else if constexpr (std::is_same_v<T, bool>) {
        writer.boolean(value);
    } else if constexpr (std::is_same_v<T, std::uint32_t> || std::is_same_v<T, std::uint64_t>) {
        writer.unsigned_integer(value);
    } else if constexpr (std::is_same_v<T, std::int64_t>) {
        writer.signed_integer(value);
    } else if constexpr (std::is_same_v<T, ErrorCode>) {
        writer.string(to_string(value));
    } else if constexpr (is_optional<T>::value) {
        write_value(writer, *value);
    } else if constexpr (is_vector<T>::value) {
        writer.array(value.size());
        for (const auto& item : value)
            write_value(writer, item);
    } else {
        static_assert(Described<T>, "no msgpack form for this member type");
        write_map(writer, value);
    }
}

// ---- decoding ---------------------------------------------------------------

template <class T>
Result<T> read_value(const MsgpackValue& value, std::size_t max_size);

// T's fields from a map whose keys are already checked (a caller that looked
// at some keys first, as the header's version, does not check them twice).
template <Described T>
Result<T> read_fields(MapKeys& keys) {
    T object{};
    std::optional<Error> failure;
    auto read_one = [&](const auto& descriptor) {
        if (failure) return;
        auto& member = object.*(descriptor.member);
        using M = std::decay_t<decltype(member)>;
        auto found = keys.find(descriptor.key);
        if (!found) {
            if (!descriptor.optional && !is_optional<M>::value) {
                failure = Error{ErrorCode::BAD_REQUEST,
                                "missing key '" + std::string(descriptor.key) + "'"};
            }
            return;
        }
        auto read = within(read_value<M>(*found, descriptor.max_size),
                           [&] { return "key '" + std::string(descriptor.key) + "'"; });
        if (read) {
            member = std::move(*read);
        } else {
            failure = std::move(read.error());
        }
    };
    std::apply([&](const auto&... f) { (read_one(f), ...); }, T::fields());
    if (failure) return std::unexpected(std::move(*failure));
    return object;
}

template <Described T>
Result<T> read_map(const MsgpackValue& map) {
    if (map.kind() != MsgpackValue::Kind::map) return std::unexpected(wrong_kind("map", map));
    MapKeys keys(map);
    if (auto checked = keys.check(); !checked) return std::unexpected(std::move(checked.error()));
    return read_fields<T>(keys);
}

template <class T>
Result<T> read_value(const MsgpackValue& value, std::size_t max_size) {
    if constexpr (std::is_same_v<T, std::string>) {
        auto text = value.as_string();
        if (!text) return std::unexpected(wrong_kind("string", value));
        if (max_size != 0 && text->size() > max_size) {
            return std::unexpected(over_bound(text->size(), max_size, "bytes"));
        }
        return std::string(*text);
    } else if constexpr (std::is_same_v<T, Bytes>) {
        auto bytes = value.as_binary();
        if (!bytes) return std::unexpected(wrong_kind("binary", value));
        if (max_size != 0 && bytes->size() > max_size) {
            return std::unexpected(over_bound(bytes->size(), max_size, "bytes"));
        }
        return Bytes(bytes->begin(), bytes->end());
    } else if constexpr (std::is_same_v<T, bool>) {
        auto flag = value.as_bool();
        if (!flag) return std::unexpected(wrong_kind("boolean", value));
        return *flag;
    } else if constexpr (std::is_same_v<T, std::uint32_t> || std::is_same_v<T, std::uint64_t>) {
        auto number = read_unsigned(value, std::numeric_limits<T>::max());
        if (!number) return std::unexpected(std::move(number.error()));
        return static_cast<T>(*number);
    } else if constexpr (std::is_same_v<T, std::int64_t>) {
        return read_signed(value);
    } else if constexpr (std::is_same_v<T, ErrorCode>) {
        return read_error_code(value);
    } else if constexpr (is_optional<T>::value) {
        auto inner = read_value<typename T::value_type>(value, max_size);
        if (!inner) return std::unexpected(std::move(inner.error()));
        return T(std::move(*inner));
    } else if constexpr (is_vector<T>::value) {
        if (value.kind() != MsgpackValue::Kind::array) {
            return std::unexpected(wrong_kind("array", value));
        }
        if (max_size != 0 && value.size() > max_size) {
            return std::unexpected(over_bound(value.size(), max_size, "items"));
        }
        T items;
        items.reserve(value.size());  // bounded: the document holds every item
        for (std::size_t i = 0; i < value.size(); ++i) {
            auto item = within(read_value<typename T::value_type>(value.item(i), 0),
                               [&] { return "item " + std::to_string(i); });
            if (!item) return std::unexpected(std::move(item.error()));
            items.push_back(std::move(*item));
        }
        return items;
    } else {
        static_assert(Described<T>, "no msgpack form for this member type");
        return read_map<T>(value);
    }
}

}  // namespace wire

// The msgpack map of a described struct.
template <Described T>
[[nodiscard]] Bytes encode_map(const T& object) {
    MsgpackWriter writer;
    wire::write_map(writer, object);
    return writer.take();
}

// The size of encode_map(object), without building it.
template <Described T>
[[nodiscard]] std::size_t encoded_size(const T& object) {
    MsgpackSizer sizer;
    wire::write_map(sizer, object);
    return sizer.size();
}

// Parses `bytes` (hostile) as one msgpack map and reads T from it.
template <Described T>
[[nodiscard]] Result<T> decode_map(ByteView bytes) {
    auto document = MsgpackDocument::parse(bytes);
    if (!document) return std::unexpected(std::move(document.error()));
    return wire::read_map<T>(document->root());
}

}  // namespace imgshare
