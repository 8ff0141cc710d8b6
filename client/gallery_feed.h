// Follows the feed for the gallery (gallery/image_feed.h), as `watch` does: LIST from the last
// feed position at start, then the broker's events (SUB over CURVE) as hints. Every event,
// every (re)connection of the event socket and every minute lead to a LIST from the last
// position, so an image missed by the events (lost, or published while disconnected) still
// appears, and none is added twice. Runs on its own thread with its own broker connection.
#pragma once

#include <zmq.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <ostream>
#include <thread>

#include "client/broker_connection.h"
#include "client/gallery/image_feed.h"
#include "client/handshake_monitor.h"
#include "client/session.h"
#include "common/protocol/messages.h"

namespace imgshare::client {

class GalleryFeed {
  public:
    // Subscribes and lists everything so far into `feed`; LIST's error if that fails.
    // `session`, `identity` and `feed` must outlive this object.
    [[nodiscard]] static Result<std::unique_ptr<GalleryFeed>> start(Session& session,
                                                                   const Identity& identity,
                                                                   gallery::ImageFeed& feed,
                                                                   std::ostream& err);
    ~GalleryFeed();  // stops following and joins the thread
    GalleryFeed(const GalleryFeed&) = delete;
    GalleryFeed& operator=(const GalleryFeed&) = delete;

  private:
    GalleryFeed(Session& session, const Identity& identity, gallery::ImageFeed& feed,
                std::ostream& err);
    [[nodiscard]] Result<void> catch_up();
    void follow();

    Session& session_;
    gallery::ImageFeed& feed_;
    std::ostream& err_;
    std::unique_ptr<BrokerConnection> requests_;
    zmq::context_t context_;
    zmq::socket_t events_;
    std::unique_ptr<HandshakeMonitor> monitor_;
    std::uint64_t last_seq_ = 0;  // LIST's cursor: may pass entries the user may not read
    std::atomic<bool> stopping_{false};
    std::thread thread_;
};

}  // namespace imgshare::client
