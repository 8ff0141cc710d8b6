#include "common/protocol/fields.h"

#include <string>

namespace imgshare::wire {

std::string quoted(std::string_view text) {
    constexpr std::size_t kShown = 64;
    constexpr char kDigits[] = "0123456789abcdef";
    std::string out = "'";
    for (std::size_t i = 0; i < text.size() && i < kShown; ++i) {
        auto byte = static_cast<unsigned char>(text[i]);
        if (byte >= 0x20 && byte < 0x7f && byte != '\\' && byte != '\'') {
            out += static_cast<char>(byte);
        } else {
            out += "\\x";
            out += kDigits[byte >> 4];
            out += kDigits[byte & 0x0f];
        }
    }
    out += text.size() > kShown ? "'..." : "'";
    return out;
}

Error wrong_kind(std::string_view expected, const MsgpackValue& value) {
    return Error{ErrorCode::BAD_REQUEST,
                 "expected " + std::string(expected) + ", got " + std::string(value.kind_name())};
}

Error over_bound(std::size_t size, std::size_t bound, std::string_view unit) {
    return Error{ErrorCode::TOO_LARGE, std::to_string(size) + " " + std::string(unit) +
                                           " exceed the limit of " + std::to_string(bound)};
}

Result<std::uint64_t> read_unsigned(const MsgpackValue& value, std::uint64_t max) {
    if (value.kind() == MsgpackValue::Kind::negative_integer) {
        return fail(ErrorCode::BAD_REQUEST,
                    "expected a non-negative integer, got " + std::to_string(*value.as_negative()));
    }
    auto number = value.as_unsigned();
    if (!number) return std::unexpected(wrong_kind("unsigned integer", value));
    if (*number > max) {
        return fail(ErrorCode::BAD_REQUEST, "integer " + std::to_string(*number) +
                                                " is out of range (maximum " + std::to_string(max) +
                                                ")");
    }
    return *number;
}

Result<std::int64_t> read_signed(const MsgpackValue& value) {
    if (auto negative = value.as_negative()) return *negative;
    auto number = value.as_unsigned();
    if (!number) return std::unexpected(wrong_kind("integer", value));
    if (*number > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        return fail(ErrorCode::BAD_REQUEST,
                    "integer " + std::to_string(*number) + " is out of range for int64");
    }
    return static_cast<std::int64_t>(*number);
}

Result<ErrorCode> read_error_code(const MsgpackValue& value) {
    auto name = value.as_string();
    if (!name) return std::unexpected(wrong_kind("string", value));
    // A code this build does not know (a newer peer) still reports a failure.
    return error_code_from_string(*name).value_or(ErrorCode::INTERNAL);
}

Result<void> MapKeys::check() {
    const std::size_t size = map_.size();
    if (size > kMaxMapItems) return std::unexpected(over_bound(size, kMaxMapItems, "map entries"));
    for (std::size_t i = 0; i < size; ++i) {
        auto key = map_.key(i).as_string();
        if (!key) {
            return std::unexpected(Error{
                ErrorCode::BAD_REQUEST,
                "map key " + std::to_string(i) + ": " + wrong_kind("string", map_.key(i)).message});
        }
        // At most kMaxMapItems keys, so the quadratic check stays small.
        for (std::size_t j = 0; j < i; ++j) {
            if (std::string_view(key_data_[j], key_sizes_[j]) == *key) {
                return fail(ErrorCode::BAD_REQUEST, "duplicate key " + wire::quoted(*key));
            }
        }
        key_data_[i] = key->data();
        key_sizes_[i] = key->size();
    }
    count_ = size;
    return {};
}

}  // namespace imgshare::wire
