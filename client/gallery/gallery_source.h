// What the gallery shows and does, as the client provides it: the images the user may read,
// live, each image only after every check of `download` passed, and posting and sharing with
// the very code of `post` and `share` (client/gallery_images.h implements it over the
// broker). The server never sees a byte that was not verified, nor any key.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
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

// The largest image the page may post: the largest the gallery keeps in memory to show
// (image_cache.h), so that what the page posts it can also show. Bigger: `imgshare post`.
inline constexpr std::uint64_t kMaxPagePostBytes = 256u * 1024 * 1024;

// A post from the page. The image's bytes come through a BodyReader, `length` of them.
struct PagePost {
    std::string name;
    std::optional<std::string> recipients;  // e2e: "bob,carol"; nullopt: escrow
    std::uint64_t length = 0;               // at most kMaxPagePostBytes (checked before)
};

// Gives the request's body to `receive`, piece by piece in order; false if the connection
// failed or `receive` returned false (it refuses more).
using BodyReceiver = std::function<bool(const char* data, std::size_t size)>;
using BodyReader = std::function<bool(const BodyReceiver& receive)>;

// How a post is going: its phase ("receiving", "sealing", "sending") and how much of it is
// done, in bytes for receiving, in chunks for sending.
using PostProgressSink =
    std::function<void(std::string_view phase, std::uint64_t done, std::uint64_t total)>;

class GallerySource {
  public:
    virtual ~GallerySource() = default;

    // The images the user may read (each an object with seq, name, owner, size, created_at,
    // mode, recipients), kept up to date as images are posted.
    [[nodiscard]] virtual ImageFeed& feed() = 0;

    // Image `name`, verified; the refusal (INTEGRITY, BAD_SIGNATURE, REVOKED, …) otherwise.
    // Shared, not copied: the server sends the bytes from the very buffer the cache keeps.
    [[nodiscard]] virtual Result<std::shared_ptr<const VerifiedImage>> image(
        const std::string& name) = 0;

    // What the grid shows for image `name`: the thumbnail its owner signed with it (a JPEG,
    // opened after the checks `download` makes on the envelope), or, for an image posted
    // without one, the image itself (image()). The refusal otherwise.
    [[nodiscard]] virtual Result<std::shared_ptr<const VerifiedImage>> thumbnail(
        const std::string& name) = 0;

    // Posts the image `body` reads as `post` asks, as `imgshare post` does; the commit as
    // {name, seq, size, mode, recipients?}. BAD_REQUEST for a bad name or recipient list, or
    // bytes that are not a PNG, JPEG, GIF or WebP image; TOO_LARGE beyond `post.length`; the
    // errors of `post` (an unknown, revoked or expired recipient before anything is sent).
    [[nodiscard]] virtual Result<nlohmann::json> post(const PagePost& post,
                                                      const BodyReader& body,
                                                      const PostProgressSink& progress) = 0;

    // User `username`'s certificate, verified with the pinned CA key now and not revoked:
    // {username, serial, valid_until}. NOT_FOUND, REVOKED, EXPIRED, … otherwise.
    [[nodiscard]] virtual Result<nlohmann::json> reader(const std::string& username) = 0;

    // Shares end-to-end image `name` with `with` ("dave,erin") as `imgshare share` does:
    // {name, added, recipients, seq}.
    [[nodiscard]] virtual Result<nlohmann::json> share(const std::string& name,
                                                       const std::string& with) = 0;

    // What the checks of the certificate log for the user's own name found (docs/
    // TRANSPARENCY.md, "Looking"): an array of {code, message}, IMPERSONATION ones with entry,
    // serial and sign_pk; empty when all is well (or nothing checks).
    [[nodiscard]] virtual nlohmann::json log_findings() const { return nlohmann::json::array(); }
};

}  // namespace imgshare::gallery
