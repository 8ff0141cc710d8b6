// Decrypted, verified images kept in memory (never on disk), bounded in bytes: the least
// recently used go first. An image larger than the whole bound is not kept. Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "client/gallery/gallery_source.h"

namespace imgshare::gallery {

// 256 MiB, as issue #20 asks.
inline constexpr std::size_t kDefaultImageCacheBytes = 256u * 1024 * 1024;

class ImageCache {
  public:
    explicit ImageCache(std::size_t max_bytes = kDefaultImageCacheBytes)
        : max_bytes_(max_bytes) {}

    // The image kept under `name`, now the most recently used; nullptr if none is.
    [[nodiscard]] std::shared_ptr<const VerifiedImage> find(const std::string& name);

    // Keeps `image` under `name`, dropping the least recently used until it fits.
    void put(const std::string& name, std::shared_ptr<const VerifiedImage> image);

    // How many times forget() was called: read it before fetching an image, to keep the image
    // only if nothing was forgotten meanwhile (put_unless_forgotten).
    [[nodiscard]] std::uint64_t forgets() const;

    // put(), unless forget() was called since forgets() returned `forgets_seen`: an image
    // fetched while it was being deleted is served to the request that fetched it, but not
    // kept to be served again.
    void put_unless_forgotten(const std::string& name, std::shared_ptr<const VerifiedImage> image,
                              std::uint64_t forgets_seen);

    // Drops what is kept under `name`, if anything (the image was deleted or its grant
    // revoked: neither it nor a later image under the same name may be served from here).
    void forget(const std::string& name);

    [[nodiscard]] std::size_t bytes() const;

  private:
    void put_locked(const std::string& name, std::shared_ptr<const VerifiedImage> image);

    using Order = std::list<std::string>;
    struct Entry {
        std::shared_ptr<const VerifiedImage> image;
        Order::iterator position;
    };

    mutable std::mutex mutex_;
    std::size_t max_bytes_;
    std::size_t bytes_ = 0;
    std::uint64_t forgets_ = 0;
    Order order_;  // most recently used first
    std::unordered_map<std::string, Entry> entries_;
};

}  // namespace imgshare::gallery
