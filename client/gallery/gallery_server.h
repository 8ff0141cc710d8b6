// The gallery's HTTP server: cpp-httplib bound to 127.0.0.1 only, every request through the
// AccessGuard, the embedded page, and the JSON API of docs/GALLERY.md over a GallerySource.
//
// Promises: nothing is served before the guard admits the request (403 with a JSON refusal
// otherwise); no CORS header is ever sent; every answer carries a strict Content-Security-
// Policy, `X-Content-Type-Options: nosniff`, `Cache-Control: no-store` and `Referrer-Policy:
// no-referrer`; image bytes go out only with a content type from the closed list. At most
// kMaxEventStreams live streams are open at once (each holds one of the server's threads):
// one more is refused with SERVICE_UNAVAILABLE, so open pages never starve the other requests.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "client/gallery/access_guard.h"
#include "client/gallery/gallery_source.h"
#include "client/gallery/post_progress.h"
#include "common/error.h"

namespace imgshare::gallery {

inline constexpr int kMaxEventStreams = 16;

class GalleryServer {
  public:
    // Binds 127.0.0.1:`port` (0: a free port). IO_ERROR if it cannot.
    [[nodiscard]] static Result<std::unique_ptr<GalleryServer>> start(int port,
                                                                     GallerySource& source);
    ~GalleryServer();  // stops serving and joins the server's threads
    GalleryServer(const GalleryServer&) = delete;
    GalleryServer& operator=(const GalleryServer&) = delete;

    [[nodiscard]] int port() const { return guard_.port(); }
    // The URL to open, with the token: a secret, printed for the user only.
    [[nodiscard]] std::string url() const;

  private:
    struct Http;
    GalleryServer(std::unique_ptr<Http> http, int port, GallerySource& source);
    void install_routes();
    void install_action_routes();

    std::unique_ptr<Http> http_;
    AccessGuard guard_;
    GallerySource& source_;
    PostProgress progress_;
    std::shared_ptr<std::atomic<int>> open_streams_ = std::make_shared<std::atomic<int>>(0);
    std::thread listener_;
};

}  // namespace imgshare::gallery
