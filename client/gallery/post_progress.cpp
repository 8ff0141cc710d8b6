#include "client/gallery/post_progress.h"

#include <algorithm>

namespace imgshare::gallery {

Result<void> PostProgress::check_id(std::string_view id) {
    const bool valid = !id.empty() && id.size() <= 64 &&
                       std::all_of(id.begin(), id.end(), [](char c) {
                           return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                                  (c >= '0' && c <= '9') || c == '_' || c == '-';
                       });
    if (!valid) return fail(ErrorCode::BAD_REQUEST, "a post's progress id is 1-64 of A-Z a-z 0-9 _ -");
    return {};
}

void PostProgress::update(const std::string& id, std::string_view phase, std::uint64_t done,
                          std::uint64_t total) {
    std::lock_guard lock(mutex_);
    auto [entry, added] = by_id_.try_emplace(id);
    if (added) {
        order_.push_back(id);
        if (order_.size() > kMaxTrackedPosts) {
            by_id_.erase(order_.front());
            order_.pop_front();
        }
    }
    entry->second = nlohmann::json{{"phase", std::string(phase)}, {"done", done}, {"total", total}};
}

std::optional<nlohmann::json> PostProgress::find(const std::string& id) const {
    std::lock_guard lock(mutex_);
    auto entry = by_id_.find(id);
    if (entry == by_id_.end()) return std::nullopt;
    return entry->second;
}

}  // namespace imgshare::gallery
