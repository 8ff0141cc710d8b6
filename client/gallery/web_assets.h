// The page's files (web/), embedded into the executable at build time, so that the gallery
// fetches nothing from any network and serves exactly what was reviewed in the tree.
#pragma once

#include <optional>
#include <string_view>

namespace imgshare::gallery {

struct WebAsset {
    std::string_view content_type;
    std::string_view body;
};

// The asset served at `path` ("/", "/app.js", "/style.css"); nullopt for any other path.
[[nodiscard]] std::optional<WebAsset> web_asset(std::string_view path);

}  // namespace imgshare::gallery
