#include "client/gallery/image_cache.h"

namespace imgshare::gallery {

std::shared_ptr<const VerifiedImage> ImageCache::find(const std::string& name) {
    std::lock_guard lock(mutex_);
    auto found = entries_.find(name);
    if (found == entries_.end()) return nullptr;
    order_.splice(order_.begin(), order_, found->second.position);
    return found->second.image;
}

void ImageCache::put(const std::string& name, std::shared_ptr<const VerifiedImage> image) {
    std::lock_guard lock(mutex_);
    put_locked(name, std::move(image));
}

std::uint64_t ImageCache::forgets() const {
    std::lock_guard lock(mutex_);
    return forgets_;
}

void ImageCache::put_unless_forgotten(const std::string& name,
                                      std::shared_ptr<const VerifiedImage> image,
                                      std::uint64_t forgets_seen) {
    std::lock_guard lock(mutex_);
    if (forgets_ != forgets_seen) return;
    put_locked(name, std::move(image));
}

void ImageCache::put_locked(const std::string& name, std::shared_ptr<const VerifiedImage> image) {
    const std::size_t size = image->bytes.size();
    if (size > max_bytes_) return;
    if (auto found = entries_.find(name); found != entries_.end()) {
        bytes_ -= found->second.image->bytes.size();
        order_.erase(found->second.position);
        entries_.erase(found);
    }
    while (bytes_ + size > max_bytes_ && !order_.empty()) {
        auto oldest = entries_.find(order_.back());
        bytes_ -= oldest->second.image->bytes.size();
        entries_.erase(oldest);
        order_.pop_back();
    }
    order_.push_front(name);
    entries_.emplace(name, Entry{.image = std::move(image), .position = order_.begin()});
    bytes_ += size;
}

void ImageCache::forget(const std::string& name) {
    std::lock_guard lock(mutex_);
    ++forgets_;
    auto found = entries_.find(name);
    if (found == entries_.end()) return;
    bytes_ -= found->second.image->bytes.size();
    order_.erase(found->second.position);
    entries_.erase(found);
}

std::size_t ImageCache::bytes() const {
    std::lock_guard lock(mutex_);
    return bytes_;
}

}  // namespace imgshare::gallery
