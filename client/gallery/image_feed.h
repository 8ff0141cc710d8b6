// The images the gallery shows, in feed order, shared by the thread that follows the feed
// (client/gallery_feed.h) and the requests that read it: the grid's snapshot, and the live
// stream (Server-Sent Events), which waits for images after a feed position.
//
// Promises: one entry per image name (an e2e image shared with the user later moves to the
// position of that share, as LIST lists it): the image, or, once it was deleted or the user's
// grant revoked, a removal entry `{"seq": S, "name": N, "removed": true}` at the position of
// that deletion or revoke. after() returns entries in feed order, removals included, so a
// reader that resumes from the last position it saw misses none and gets none twice, and a
// removal it resumes after never brings the image back; newest_first() leaves removals out.
// Every waiter returns at once when the feed is closed. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace imgshare::gallery {

class ImageFeed {
  public:
    // Adds `image` (an object with at least "seq" and "name") at its feed position, in place
    // of the name's entry if that is older; ignored if the name's entry is as new or newer.
    void add(nlohmann::json image);

    // Image `name` was deleted, or the user's grant to it revoked, at feed position `seq`:
    // its entry becomes a removal at `seq`. True if an image was removed; false, changing
    // nothing, if the name has no entry, or only a removal, or one at `seq` or later (a name
    // deleted and posted again keeps the new image).
    bool remove(const std::string& name, std::uint64_t seq);

    // Every image (no removal), newest first.
    [[nodiscard]] nlohmann::json newest_first() const;

    // The entries after `seq`, oldest first; waits up to `wait` for one if there are none
    // yet. Empty when the wait ends without one, or the feed is closed.
    [[nodiscard]] std::vector<nlohmann::json> after(std::uint64_t seq,
                                                    std::chrono::milliseconds wait);

    // The highest position of an entry so far, removals included (0 for none).
    [[nodiscard]] std::uint64_t last_seq() const;

    // Ends every wait, now and later (the server is stopping).
    void close();
    [[nodiscard]] bool closed() const;

  private:
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::map<std::uint64_t, nlohmann::json> by_seq_;
    std::map<std::string, std::uint64_t> seq_of_name_;
    bool closed_ = false;
};

}  // namespace imgshare::gallery
