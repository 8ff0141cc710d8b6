#include "client/gallery/web_assets.h"

#include "client/gallery/web_assets_data.h"  // generated from web/ (CMakeLists.txt)

namespace imgshare::gallery {

std::optional<WebAsset> web_asset(std::string_view path) {
    if (path == "/") return WebAsset{"text/html; charset=utf-8", embedded::kIndexHtml};
    if (path == "/app.js") return WebAsset{"text/javascript; charset=utf-8", embedded::kAppJs};
    if (path == "/style.css") return WebAsset{"text/css; charset=utf-8", embedded::kStyleCss};
    return std::nullopt;
}

}  // namespace imgshare::gallery
