// Tells the other storage nodes on a pool of each new feed head (RADOS notify on the
// `feed` object, which their watches receive), off the request's path: a notify waits for
// every watcher, and a killed node's watch lingers until the cluster times it out. Heads
// told while a notify is under way, or within kSpacing of the last one, collapse into the
// newest: a notify costs the feed's OSD an operation and one acknowledgement per watching
// node, four operations per post with three nodes when each post had its own (measured;
// a post's own writes are five), so a busy node sends at most 1 / kSpacing of them. A node
// under load learns the head from its own feed reads anyway; an idle one within kSpacing
// plus a round trip. A lost notify only delays another node's head until its next feed
// read (docs/STORAGE.md, "The RADOS backend").
#pragma once

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "storage-node/rados/rados_pool.h"
#include "storage-node/rados_objects.h"
#include "storage-node/rados_omap.h"
#include "storage-node/storage_keys.h"

namespace imgshare::storage {

class RadosFeedNotifier {
  public:
    explicit RadosFeedNotifier(const rados::RadosPool& pool)
        : pool_(&pool), thread_([this](std::stop_token stop) { run(stop); }) {}
    ~RadosFeedNotifier() {
        {
            // Under the lock: the thread is either before its check (and sees the stop) or
            // waiting (and is woken), never between the two.
            std::lock_guard lock(mutex_);
            thread_.request_stop();
        }
        wake_.notify_all();
    }

    // Notifies `seq` (or a newer head) soon; never blocks on the cluster.
    void tell(std::uint64_t seq) {
        {
            std::lock_guard lock(mutex_);
            pending_ = std::max(pending_, seq);
        }
        wake_.notify_one();
    }

  private:
    static constexpr std::chrono::milliseconds kNotifyTimeout{1000};
    static constexpr std::chrono::milliseconds kSpacing{100};

    void run(const std::stop_token& stop) {
        std::uint64_t sent = 0;
        std::unique_lock lock(mutex_);
        while (!stop.stop_requested()) {
            wake_.wait(lock, [&] { return stop.stop_requested() || pending_ > sent; });
            if (stop.stop_requested()) return;
            const auto seq = pending_;
            const auto next = std::chrono::steady_clock::now() + kSpacing;
            lock.unlock();
            // A lost notify only delays another node's head until its next feed read.
            if (auto told = pool_->notify(std::string(rados_layout::kFeedObject),
                                          rados_omap::bytes_of(encode_u64(seq)),
                                          kNotifyTimeout);
                !told) {
                spdlog::debug("feed notify failed: {}", told.error().message);
            }
            sent = seq;
            lock.lock();
            // Heads told until then wait and go as one notify.
            wake_.wait_until(lock, next, [&] { return stop.stop_requested(); });
        }
    }

    const rados::RadosPool* pool_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::uint64_t pending_ = 0;
    std::jthread thread_;  // last: started after, and joined before, what it uses
};

}  // namespace imgshare::storage
