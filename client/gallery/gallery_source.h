// What the gallery shows, as the client provides it: the images the user may read, live, and each
// image only after every check of `download` passed (client/gallery_images.h implements it
// over the broker). The server never sees a byte that was not verified.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "client/gallery/image_feed.h"
#include "common/bytes.h"
#include "common/error.h"

namespace imgshare::gallery {

// An image decrypted and verified by the client, with what its verification panel shows.
struct VerifiedImage {
    Bytes bytes;
    std::string content_type;  // from the signed envelope; one of kContentTypes
    nlohmann::json verification;
};

class GallerySource {
  public:
    virtual ~GallerySource() = default;

    // The images the user may read (each an object with seq, name, owner, size, created_at,
    // mode, recipients), kept up to date as images are posted.
    [[nodiscard]] virtual ImageFeed& feed() = 0;

    // Image `name`, verified; the refusal (INTEGRITY, BAD_SIGNATURE, REVOKED, …) otherwise.
    [[nodiscard]] virtual Result<VerifiedImage> image(const std::string& name) = 0;
};

}  // namespace imgshare::gallery
