// What the gallery's page changes, over the broker, with the very code of the commands: a
// post through post_image() (as `imgshare post`), a share through share_image() (as
// `imgshare share`), and the check of a recipient's certificate that `post --to` makes
// before anything is sent (fetch_reader_certificate).
//
// Promises: a posted image's bytes pass through a private file (0600, in the gallery's
// private directory on the per-user tmpfs where there is one) only while it is posted, and
// the file is removed however the post ends; never more than the announced length is
// written (TOO_LARGE); one post runs at a time (the home's kept posts are not shared between
// posts running at once), on its own broker connection, so the images are still served
// meanwhile. Thread-safe.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>

#include <nlohmann/json.hpp>

#include "client/gallery/gallery_source.h"
#include "client/session.h"

namespace imgshare::client {

class GalleryPosts {
  public:
    // `session` and `identity` must outlive this object; `scratch` is a private directory.
    GalleryPosts(Session& session, const Identity& identity, std::filesystem::path scratch);

    // gallery::GallerySource::post, reader and share.
    [[nodiscard]] Result<nlohmann::json> post(const gallery::PagePost& post,
                                              const gallery::BodyReader& body,
                                              const gallery::PostProgressSink& progress);
    [[nodiscard]] Result<nlohmann::json> reader(const std::string& username);
    [[nodiscard]] Result<nlohmann::json> share(const std::string& name, const std::string& with);

  private:
    Session& session_;
    const Identity& identity_;
    std::filesystem::path scratch_;
    std::mutex posting_mutex_;   // one post at a time
    std::mutex requests_mutex_;  // requests_ serves one call at a time
    std::unique_ptr<BrokerConnection> requests_;  // certificate checks and shares
};

}  // namespace imgshare::client
