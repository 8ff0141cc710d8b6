// Follows the feed for the gallery (gallery/image_feed.h), as `watch` does: LIST from the last
// feed position at start, then the broker's events (SUB over CURVE) as hints. Every event,
// every (re)connection of the event socket and every minute lead to a LIST from the last
// position, so an image missed by the events (lost, or published while disconnected) still
// appears, and none is added twice. Runs on its own thread with its own broker connection.
//
// An IMAGE_DELETED event (the owner deleted the image, or revoked this user's grant) is more
// than a hint: LIST does not replay deletions, so the event is the only news of one. It is
// given to `forget` at once, and the image is removed from the feed at the deletion's
// position after the next LIST succeeded: every image before that position is in the feed
// by then, so a page that saw the removal cannot miss one of them. A deletion missed by the
// events leaves its tile until the gallery restarts (docs/GALLERY.md).
//
// It also watches the certificate log for the user's name, as `watch` does (log_audit.h's
// LogMonitor, every `log_check_interval`; zero turns it off): each certificate for the name
// with keys that are not the user's is reported once on `err` ("error: IMPERSONATION: …")
// and kept in log_findings() for the page, as is a log that does not extend what the home
// saw (LOG_INCONSISTENT) or a head its witnesses did not cosign (NOT_WITNESSED, until a
// later check passes).
#pragma once

#include <zmq.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <chrono>
#include <mutex>

#include <nlohmann/json.hpp>

#include "client/broker_connection.h"
#include "client/gallery/image_feed.h"
#include "client/handshake_monitor.h"
#include "client/log_audit.h"
#include "client/session.h"
#include "common/protocol/messages.h"

namespace imgshare::client {

class GalleryFeed {
  public:
    // Called, on the following thread, with the name of every image a deletion event names
    // (whatever the feed held of it): what is kept of that name must not be served again.
    using Forget = std::function<void(const std::string& name)>;

    // Subscribes and lists everything so far into `feed`; LIST's error if that fails.
    // `session`, `identity` and `feed` must outlive this object.
    [[nodiscard]] static Result<std::unique_ptr<GalleryFeed>> start(
        Session& session, const Identity& identity, gallery::ImageFeed& feed, std::ostream& err,
        Forget forget = {}, std::chrono::seconds log_check_interval = std::chrono::seconds(60));
    ~GalleryFeed();  // stops following and joins the thread
    GalleryFeed(const GalleryFeed&) = delete;
    GalleryFeed& operator=(const GalleryFeed&) = delete;

    // What the checks of the certificate log found so far, for the page: an array of
    // {"code", "message"} (with "entry", "serial", "sign_pk" for an IMPERSONATION).
    [[nodiscard]] nlohmann::json log_findings() const;

  private:
    GalleryFeed(Session& session, const Identity& identity, gallery::ImageFeed& feed,
                std::ostream& err, Forget forget, std::chrono::seconds log_check_interval);
    [[nodiscard]] Result<void> catch_up();
    void receive_events();
    void check_log();
    void follow();

    Session& session_;
    gallery::ImageFeed& feed_;
    std::ostream& err_;
    Forget forget_;
    std::unique_ptr<BrokerConnection> requests_;
    zmq::context_t context_;
    zmq::socket_t events_;
    std::unique_ptr<HandshakeMonitor> monitor_;
    std::uint64_t last_seq_ = 0;  // LIST's cursor: may pass entries the user may not read
    // Deletions heard, as (name, the deletion's seq), for the feed after the next LIST.
    std::vector<std::pair<std::string, std::uint64_t>> pending_removals_;
    std::chrono::seconds log_check_interval_;
    LogMonitor log_monitor_;
    mutable std::mutex findings_mutex_;
    nlohmann::json impostors_ = nlohmann::json::array();  // each found once, kept
    nlohmann::json log_problem_;  // the last check's refusal (null once a check passes)
    std::atomic<bool> stopping_{false};
    std::thread thread_;
};

}  // namespace imgshare::client
