#include "broker/pending_requests.h"

namespace imgshare::broker {

std::uint64_t PendingRequests::add(PendingRequest request) {
    auto id = next_id_++;
    pending_.emplace(id, std::move(request));
    return id;
}

std::optional<PendingRequest> PendingRequests::take(std::uint64_t id) {
    auto it = pending_.find(id);
    if (it == pending_.end()) return std::nullopt;
    auto request = std::move(it->second);
    pending_.erase(it);
    return request;
}

std::optional<PendingRequest> PendingRequests::take_reply(std::uint64_t id,
                                                          const std::string& worker) {
    auto it = pending_.find(id);
    if (it == pending_.end() || it->second.worker != worker) return std::nullopt;
    auto request = std::move(it->second);
    pending_.erase(it);
    return request;
}

std::vector<PendingRequest> PendingRequests::expire(std::int64_t now_ms) {
    std::vector<PendingRequest> expired;
    for (auto it = pending_.begin(); it != pending_.end();) {
        if (it->second.deadline_ms <= now_ms) {
            expired.push_back(std::move(it->second));
            it = pending_.erase(it);
        } else {
            ++it;
        }
    }
    return expired;
}

}  // namespace imgshare::broker
