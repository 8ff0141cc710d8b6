// How the page's posts are going, for the page to poll while it waits for one
// (GET /api/posts/ID): each post under an id the page chose for it, its phase and how much of
// it is done. A small bounded record, not a log: at most kMaxTrackedPosts posts are kept, the
// oldest out first, and nothing in it is secret (names of phases and counts). Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/error.h"

namespace imgshare::gallery {

inline constexpr std::size_t kMaxTrackedPosts = 64;

class PostProgress {
  public:
    // BAD_REQUEST unless `id` is 1-64 of A-Z a-z 0-9 _ - (the page makes a random one).
    [[nodiscard]] static Result<void> check_id(std::string_view id);

    // Post `id` is in `phase`, `done` of `total` ("receiving" in bytes, "sending" in chunks;
    // "done" or "failed" at the end).
    void update(const std::string& id, std::string_view phase, std::uint64_t done,
                std::uint64_t total);

    // {phase, done, total} of post `id`; nullopt if it is not (or no longer) kept.
    [[nodiscard]] std::optional<nlohmann::json> find(const std::string& id) const;

  private:
    mutable std::mutex mutex_;
    std::map<std::string, nlohmann::json> by_id_;
    std::deque<std::string> order_;  // oldest first
};

}  // namespace imgshare::gallery
