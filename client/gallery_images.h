// The gallery's images over the broker (gallery/gallery_source.h): the feed as GalleryFeed
// follows it (LIST and events), each image through download_image(), the very code and
// checks of `imgshare download`, and posts and shares through GalleryPosts (the code of
// `post` and `share`).
//
// Promises: an image reaches the gallery only after download_image() succeeded; its plaintext
// passes through a private directory (mode 0700, on the per-user runtime tmpfs where there is
// one) only for the moment between the opener's last check and the read into memory, and
// that directory is removed with this object. Verified images are kept in an ImageCache and
// shared with the requests that send them, never copied. kDownloadConnections broker
// connections, each used by one download at a time: a page asks for several images at once,
// and one waits on the network while another decrypts.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <vector>
#include <memory>
#include <mutex>
#include <ostream>

#include "client/gallery/gallery_source.h"
#include "client/gallery_feed.h"
#include "client/gallery_posts.h"
#include "client/gallery/image_cache.h"
#include "client/session.h"

namespace imgshare::client {

inline constexpr std::size_t kDownloadConnections = 3;

class GalleryImages final : public gallery::GallerySource {
  public:
    // IO_ERROR if the private directory cannot be made; LIST's error if the feed cannot be
    // read. Failures while following the feed later are reported on `err` and retried.
    // `cache_bytes` bounds the decrypted images kept in memory.
    // `log_check_interval`: how often the certificate log is checked for the user's name
    // (GalleryFeed; zero: never).
    [[nodiscard]] static Result<std::unique_ptr<GalleryImages>> open(
        Session& session, Identity identity, std::ostream& err,
        std::size_t cache_bytes = gallery::kDefaultImageCacheBytes,
        std::chrono::seconds log_check_interval = std::chrono::seconds(60));
    ~GalleryImages() override;
    GalleryImages(const GalleryImages&) = delete;
    GalleryImages& operator=(const GalleryImages&) = delete;

    [[nodiscard]] gallery::ImageFeed& feed() override { return feed_; }
    [[nodiscard]] Result<std::shared_ptr<const gallery::VerifiedImage>> image(
        const std::string& name) override;
    // The thumbnail the owner posted (thumbnail_download.h: every check of `download` on
    // the envelope), kept in the same cache as images; the image itself when it has none.
    [[nodiscard]] Result<std::shared_ptr<const gallery::VerifiedImage>> thumbnail(
        const std::string& name) override;
    [[nodiscard]] Result<nlohmann::json> post(const gallery::PagePost& post,
                                              const gallery::BodyReader& body,
                                              const gallery::PostProgressSink& progress) override {
        return posts_.post(post, body, progress);
    }
    [[nodiscard]] Result<nlohmann::json> reader(const std::string& username) override {
        return posts_.reader(username);
    }
    [[nodiscard]] Result<nlohmann::json> share(const std::string& name,
                                               const std::string& with) override {
        return posts_.share(name, with);
    }
    [[nodiscard]] nlohmann::json log_findings() const override {
        return follower_->log_findings();
    }

  private:
    class Lease;
    GalleryImages(Session& session, Identity identity, std::filesystem::path scratch,
                  std::size_t cache_bytes);
    [[nodiscard]] Result<gallery::VerifiedImage> download(const std::string& name);

    Session& session_;
    Identity identity_;
    std::filesystem::path scratch_;
    std::mutex pool_mutex_;
    std::condition_variable connection_freed_;
    std::vector<std::unique_ptr<BrokerConnection>> idle_connections_;  // each serves one call
    std::uint64_t downloads_ = 0;  // under pool_mutex_: names each download's scratch file
    gallery::ImageCache cache_;
    gallery::ImageFeed feed_;
    GalleryPosts posts_;
    std::unique_ptr<GalleryFeed> follower_;  // after feed_: stops before it goes
};

}  // namespace imgshare::client
