#include "client/gallery/image_feed.h"

namespace imgshare::gallery {
namespace {

bool is_removal(const nlohmann::json& entry) { return entry.value("removed", false); }

}  // namespace

void ImageFeed::add(nlohmann::json image) {
    const auto seq = image.at("seq").get<std::uint64_t>();
    const auto name = image.at("name").get<std::string>();
    {
        std::lock_guard lock(mutex_);
        if (by_seq_.contains(seq)) return;
        if (auto earlier = seq_of_name_.find(name); earlier != seq_of_name_.end()) {
            // What the feed knows of this name is newer: a LIST that raced a deletion.
            if (earlier->second > seq) return;
            by_seq_.erase(earlier->second);
        }
        seq_of_name_[name] = seq;
        by_seq_.emplace(seq, std::move(image));
    }
    changed_.notify_all();
}

bool ImageFeed::remove(const std::string& name, std::uint64_t seq) {
    {
        std::lock_guard lock(mutex_);
        auto current = seq_of_name_.find(name);
        if (current == seq_of_name_.end() || current->second >= seq) return false;
        auto entry = by_seq_.find(current->second);
        if (is_removal(entry->second) || by_seq_.contains(seq)) return false;
        by_seq_.erase(entry);
        // Kept, not just erased: a page resuming from before `seq` must learn of it.
        by_seq_.emplace(seq, nlohmann::json{{"seq", seq}, {"name", name}, {"removed", true}});
        current->second = seq;
    }
    changed_.notify_all();
    return true;
}

nlohmann::json ImageFeed::newest_first() const {
    std::lock_guard lock(mutex_);
    auto images = nlohmann::json::array();
    for (auto entry = by_seq_.rbegin(); entry != by_seq_.rend(); ++entry) {
        if (!is_removal(entry->second)) images.push_back(entry->second);
    }
    return images;
}

std::vector<nlohmann::json> ImageFeed::after(std::uint64_t seq, std::chrono::milliseconds wait) {
    std::unique_lock lock(mutex_);
    auto has_news = [&] { return closed_ || by_seq_.upper_bound(seq) != by_seq_.end(); };
    changed_.wait_for(lock, wait, has_news);
    std::vector<nlohmann::json> news;
    if (closed_) return news;
    for (auto entry = by_seq_.upper_bound(seq); entry != by_seq_.end(); ++entry)
        news.push_back(entry->second);
    return news;
}

std::uint64_t ImageFeed::last_seq() const {
    std::lock_guard lock(mutex_);
    return by_seq_.empty() ? 0 : by_seq_.rbegin()->first;
}

void ImageFeed::close() {
    {
        std::lock_guard lock(mutex_);
        closed_ = true;
    }
    changed_.notify_all();
}

bool ImageFeed::closed() const {
    std::lock_guard lock(mutex_);
    return closed_;
}

}  // namespace imgshare::gallery
