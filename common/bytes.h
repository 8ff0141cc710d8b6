// Byte buffers and their text forms.
//
// Bytes is the owning type for public data (ciphertext, public keys,
// signatures); ByteView a non-owning view. Secrets use SecretBytes
// (common/crypto/secret_bytes.h) instead, which is wiped and never printed.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace imgshare {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

[[nodiscard]] inline ByteView as_bytes(std::string_view text) {
    return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}
[[nodiscard]] inline Bytes to_bytes(std::string_view text) {
    auto view = as_bytes(text);
    return {view.begin(), view.end()};
}
[[nodiscard]] inline std::string_view as_string(ByteView bytes) {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// Lower-case hex, for public values only (keys, digests), never secrets.
[[nodiscard]] std::string to_hex(ByteView bytes);
// BAD_REQUEST on odd length or a non-hex character.
[[nodiscard]] Result<Bytes> from_hex(std::string_view text);

}  // namespace imgshare
