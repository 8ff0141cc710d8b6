#include "common/bytes.h"

#include <sodium.h>

namespace imgshare {

std::string to_hex(ByteView bytes) {
    std::string text(bytes.size() * 2 + 1, '\0');
    sodium_bin2hex(text.data(), text.size(), bytes.data(), bytes.size());
    text.pop_back();
    return text;
}

Result<Bytes> from_hex(std::string_view text) {
    if (text.size() % 2 != 0) return fail(ErrorCode::BAD_REQUEST, "hex text has an odd length");
    // sodium_hex2bin's output must not be null, which an empty vector's data() may be.
    if (text.empty()) return Bytes{};
    Bytes bytes(text.size() / 2);
    size_t written = 0;
    const char* end = nullptr;
    if (sodium_hex2bin(bytes.data(), bytes.size(), text.data(), text.size(), nullptr, &written,
                       &end) != 0 ||
        written != bytes.size() || end != text.data() + text.size()) {
        return fail(ErrorCode::BAD_REQUEST, "hex text contains a non-hex character");
    }
    return bytes;
}

}  // namespace imgshare
