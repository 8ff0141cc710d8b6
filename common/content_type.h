// The closed list of content types an envelope may name (PROTOCOL.md, "The envelope"): the
// four image kinds the reference client recognises by their first bytes. A storage node
// refuses any other at POST_BEGIN and POST_IMAGE, and a reader refuses an envelope naming
// one (decode_envelope), so no server can make a browser or viewer take an image for
// something else (text/html).
#pragma once

#include <array>
#include <string_view>

namespace imgshare {

inline constexpr std::array<std::string_view, 4> kContentTypes = {"image/png", "image/jpeg",
                                                                   "image/gif", "image/webp"};

[[nodiscard]] constexpr bool is_known_content_type(std::string_view content_type) {
    for (auto known : kContentTypes) {
        if (known == content_type) return true;
    }
    return false;
}

}  // namespace imgshare
