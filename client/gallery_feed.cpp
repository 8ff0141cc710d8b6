#include "client/gallery_feed.h"

#include <chrono>

#include "client/event_subscription.h"
#include "common/clock.h"
#include "client/image_listing.h"
#include "client/output.h"

namespace imgshare::client {
namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kPeriodicCatchUp = std::chrono::seconds(60);
constexpr auto kRetryAfterFailure = std::chrono::seconds(1);
constexpr auto kPollInterval = std::chrono::milliseconds(100);

}  // namespace

Result<std::unique_ptr<GalleryFeed>> GalleryFeed::start(Session& session,
                                                        const Identity& identity,
                                                        gallery::ImageFeed& feed,
                                                        std::ostream& err, Forget forget,
                                                        std::chrono::seconds log_check_interval) {
    std::unique_ptr<GalleryFeed> follower(new GalleryFeed(session, identity, feed, err,
                                                          std::move(forget), log_check_interval));
    if (auto listed = follower->catch_up(); !listed) return std::unexpected(listed.error());
    follower->thread_ = std::thread([raw = follower.get()] { raw->follow(); });
    return follower;
}

GalleryFeed::GalleryFeed(Session& session, const Identity& identity, gallery::ImageFeed& feed,
                         std::ostream& err, Forget forget, std::chrono::seconds log_check_interval)
    : session_(session),
      feed_(feed),
      err_(err),
      forget_(std::move(forget)),
      requests_(session.connect(identity.keys.curve)),
      events_(context_, zmq::socket_type::sub),
      log_check_interval_(log_check_interval),
      log_monitor_(identity.certificate.username,
                   OwnKeys{identity.keys.sign.public_key, identity.keys.box.public_key,
                           identity.keys.curve.public_key},
                   session.trust().ca_verify_key) {
    subscribe_to_events(events_, session.trust().broker_public_key, identity.keys.curve,
                        identity.certificate.username);
    monitor_ = std::make_unique<HandshakeMonitor>(context_, events_);
    events_.connect(session.config().events.to_string());
}

GalleryFeed::~GalleryFeed() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
    monitor_.reset();
    events_.close();
}

Result<void> GalleryFeed::catch_up() {
    std::uint64_t cursor = last_seq_;
    auto listed = for_each_listed_image(*requests_, last_seq_, [&](const ImageSummary& image) {
        feed_.add(listed_image_json(image));
        cursor = std::max(cursor, image.seq);
    });
    last_seq_ = cursor;
    if (!listed) return listed;
    // Only now: everything before each deletion is in the feed (see the header).
    for (const auto& [name, seq] : pending_removals_) feed_.remove(name, seq);
    pending_removals_.clear();
    return listed;
}

void GalleryFeed::receive_events() {
    while (auto received = receive_event(events_, session_.log())) {
        if (!*received) {
            print_line(err_, "gallery: ignored a malformed event: " + describe(received->error()));
            continue;
        }
        const ImageEvent& event = (*received)->event;
        if (!event.is_deletion()) continue;  // a hint: what it announces is read from the feed
        if (forget_) forget_(event.name);
        pending_removals_.emplace_back(event.name, event.seq);
    }
}

nlohmann::json GalleryFeed::log_findings() const {
    std::lock_guard lock(findings_mutex_);
    auto findings = impostors_;
    if (!log_problem_.is_null()) findings.push_back(log_problem_);
    return findings;
}

void GalleryFeed::check_log() {
    auto report =
        log_monitor_.check(*requests_, session_.certificate_log(), SystemClock().now_seconds());
    std::lock_guard lock(findings_mutex_);
    if (!report) {
        // Checked again at the next interval, whatever it was.
        print_line(err_, "gallery: certificate log: error: " + describe(report.error()));
        const auto code = report.error().code;
        if (code == ErrorCode::LOG_INCONSISTENT || code == ErrorCode::NOT_WITNESSED ||
            code == ErrorCode::BAD_SIGNATURE) {
            log_problem_ = {{"code", std::string(to_string(code))},
                            {"message", report.error().message}};
        }
        return;
    }
    log_problem_ = nullptr;
    for (const auto& impostor : report->impostors) {
        const auto message = describe_impostor(impostor);
        print_line(err_, "error: IMPERSONATION: " + message);
        impostors_.push_back({{"code", "IMPERSONATION"},
                              {"message", message},
                              {"entry", impostor.index},
                              {"serial", impostor.certificate.serial},
                              {"sign_pk", to_hex(impostor.certificate.sign_pk)}});
    }
}

void GalleryFeed::follow() {
    int handshakes_seen = 0;
    auto next_catch_up = Clock::now() + kPeriodicCatchUp;
    auto next_log_check = Clock::now();
    while (!stopping_.load() && !session_.stop().load()) {
        if (log_check_interval_.count() > 0 && Clock::now() >= next_log_check) {
            check_log();
            next_log_check = Clock::now() + log_check_interval_;
        }
        monitor_->drain();
        bool due = Clock::now() >= next_catch_up;
        if (monitor_->handshakes() != handshakes_seen) {
            handshakes_seen = monitor_->handshakes();
            due = true;  // (re)subscribed: what was published meanwhile is only in the feed
        }
        zmq::pollitem_t items[] = {{events_.handle(), 0, ZMQ_POLLIN, 0},
                                   {monitor_->socket().handle(), 0, ZMQ_POLLIN, 0}};
        try {
            zmq::poll(items, 2, kPollInterval);
        } catch (const zmq::error_t& error) {
            if (error.num() != EINTR) print_line(err_, std::string("gallery: poll: ") + error.what());
            continue;
        }
        if (items[0].revents & ZMQ_POLLIN) {
            // A NEW_IMAGE is a hint (DESIGN.md §7): what it announces is read from the feed.
            receive_events();
            due = true;
        }
        if (!due) continue;
        if (auto ok = catch_up(); !ok) {
            if (session_.stop().load() || stopping_.load()) break;
            print_line(err_, "gallery: error: " + describe(ok.error()) + " (will retry)");
            next_catch_up = Clock::now() + kRetryAfterFailure;
        } else {
            next_catch_up = Clock::now() + kPeriodicCatchUp;
        }
    }
}

}  // namespace imgshare::client
