#include "client/watcher.h"

#include <chrono>

#include <fmt/format.h>

#include "client/event_subscription.h"
#include "client/image_download.h"
#include "client/output.h"
#include "common/clock.h"

namespace imgshare::client {
namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kPeriodicCatchUp = std::chrono::seconds(60);
// Short, so a watcher is served again within a second or so of the broker and its services
// being back (a restarted broker hears from its services within one heartbeat, 2.5 s).
constexpr auto kRetryAfterFailure = std::chrono::seconds(1);
constexpr auto kPollInterval = std::chrono::milliseconds(200);

// Worth trying again later: the broker or a service is down or slow.
bool retryable(const Error& error) {
    switch (error.code) {
        case ErrorCode::TIMEOUT:
        case ErrorCode::SERVICE_UNAVAILABLE:
        case ErrorCode::RATE_LIMITED:
        case ErrorCode::INTERNAL:
            return true;
        default:
            return false;
    }
}

ImageEvent event_of(const ImageSummary& image) {
    return ImageEvent{
        {image.name, image.owner, image.seq, image.size, image.created_at, image.mode},
        std::nullopt};
}

}  // namespace

Watcher::Watcher(Session& session, Identity identity, WatchOptions options, std::ostream& out,
                 std::ostream& err)
    : session_(session),
      identity_(std::move(identity)),
      options_(std::move(options)),
      out_(out),
      err_(err),
      requests_(session.connect(identity_.keys.curve)),
      events_(context_, zmq::socket_type::sub),
      log_monitor_(identity_.certificate.username,
                   OwnKeys{identity_.keys.sign.public_key, identity_.keys.box.public_key,
                           identity_.keys.curve.public_key},
                   session.trust().ca_verify_key) {
    subscribe_to_events(events_, session.trust().broker_public_key, identity_.keys.curve,
                        identity_.certificate.username);
    monitor_ = std::make_unique<HandshakeMonitor>(context_, events_);
    events_.connect(session.config().events.to_string());
}

Watcher::~Watcher() {
    monitor_.reset();
    events_.close();
}

Result<void> Watcher::run() {
    auto last = session_.home().load_last_seq();
    if (!last) return std::unexpected(last.error());
    last_seq_ = *last;
    const auto& stop = session_.stop();
    int handshakes_seen = 0;
    bool need_catch_up = true;
    auto next_catch_up = Clock::now();
    auto next_log_check = Clock::now();
    while (!stop.load()) {
        monitor_->drain();
        if (monitor_->handshakes() != handshakes_seen) {
            // (Re)subscribed: what was published while we were away is only in the feed.
            handshakes_seen = monitor_->handshakes();
            need_catch_up = true;
        }
        if (Clock::now() >= next_catch_up) need_catch_up = true;
        if (need_catch_up) {
            auto caught_up = catch_up();
            if (!caught_up) {
                if (stop.load()) break;
                if (!retryable(caught_up.error())) return caught_up;
                print_line(err_, "error: " + describe(caught_up.error()) + " (will retry)");
                next_catch_up = Clock::now() + kRetryAfterFailure;
            } else {
                next_catch_up = Clock::now() + kPeriodicCatchUp;
            }
            need_catch_up = false;
        }
        if (options_.log_check_interval.count() > 0 && Clock::now() >= next_log_check) {
            check_log();
            next_log_check = Clock::now() + options_.log_check_interval;
        }
        zmq::pollitem_t items[] = {{events_.handle(), 0, ZMQ_POLLIN, 0},
                                   {monitor_->socket().handle(), 0, ZMQ_POLLIN, 0}};
        try {
            zmq::poll(items, 2, kPollInterval);
        } catch (const zmq::error_t& error) {
            if (error.num() == EINTR) continue;
            return fail(ErrorCode::INTERNAL, std::string("poll failed: ") + error.what());
        }
        if (items[0].revents & ZMQ_POLLIN) {
            bool gap = false;
            if (auto ok = receive_events(gap); !ok) return ok;
            // The feed has what the events missed; catch up at once.
            if (gap) next_catch_up = Clock::now();
        }
    }
    return {};
}

void Watcher::check_log() {
    auto report =
        log_monitor_.check(*requests_, session_.certificate_log(), SystemClock().now_seconds());
    if (!report) {
        print_line(err_, "error: " + describe(report.error()) +
                             (retryable(report.error()) ? " (will retry)" : ""));
        return;
    }
    for (const auto& impostor : report->impostors) {
        const auto& certificate = impostor.certificate;
        print_line(err_, "error: IMPERSONATION: " + describe_impostor(impostor));
        if (options_.json) {
            print_json_line(out_, {{"event", "IMPERSONATION"},
                                   {"entry", impostor.index},
                                   {"serial", certificate.serial},
                                   {"username", certificate.username},
                                   {"sign_pk", to_hex(certificate.sign_pk)}});
        }
    }
}

Result<void> Watcher::catch_up() {
    while (!session_.stop().load()) {
        auto page = requests_->call<ListReply>(ListRequest{last_seq_, kMaxListLimit});
        if (!page) return std::unexpected(page.error());
        std::uint64_t before = last_seq_;
        for (const auto& image : page->items) {
            if (image.seq <= last_seq_) continue;
            if (auto ok = report(event_of(image)); !ok) return ok;
        }
        // Entries the page examined but did not show are others' e2e images: step past them,
        // so the next event follows on without a gap and no catch-up scans them again.
        if (page->last_seq > last_seq_) {
            last_seq_ = page->last_seq;
            if (auto ok = session_.home().save_last_seq(last_seq_); !ok) return ok;
        }
        if (!page->more || last_seq_ == before) return {};
    }
    return {};
}

Result<void> Watcher::receive_events(bool& gap) {
    while (auto received = receive_event(events_, session_.log())) {
        if (!*received) {
            print_line(err_, "warning: ignored a malformed event: " + describe(received->error()));
            continue;
        }
        const ImageEvent& event = (*received)->event;
        if (event.seq <= last_seq_) continue;  // seen already (through LIST or a duplicate)
        if (event.seq != last_seq_ + 1 || gap) {
            gap = true;  // events went missing; LIST will report this one in order
            continue;
        }
        if (auto ok = report(event); !ok) return ok;
    }
    return {};
}

Result<void> Watcher::report(const ImageEvent& image) {
    if (image.is_deletion()) {
        if (options_.json) {
            print_json_line(out_, {{"event", kImageDeletedEvent},
                                   {"name", printable(image.name)},
                                   {"owner", printable(image.owner)},
                                   {"seq", image.seq}});
        } else {
            print_line(out_, fmt::format("IMAGE_DELETED {} {} {}", printable(image.name),
                                         printable(image.owner), image.seq));
        }
        last_seq_ = image.seq;
        return session_.home().save_last_seq(last_seq_);
    }
    if (options_.json) {
        print_json_line(out_, {{"event", "NEW_IMAGE"},
                               {"name", printable(image.name)},
                               {"owner", printable(image.owner)},
                               {"seq", image.seq},
                               {"size", image.size},
                               {"created_at", format_utc(image.created_at)},
                               {"mode", printable(image.mode)}});
    } else {
        print_line(out_, fmt::format("NEW_IMAGE {} {} {} {}", printable(image.name),
                                     printable(image.owner), image.seq, image.size));
    }
    if (options_.download_dir) download(image);
    last_seq_ = image.seq;
    return session_.home().save_last_seq(last_seq_);
}

void Watcher::download(const ImageEvent& image) {
    OpenParameters parameters{session_.trust().ca_verify_key, identity_.keys.box, image.name,
                              SystemClock().now_seconds(), identity_.certificate.username};
    auto downloaded =
        download_image(*requests_, parameters, DownloadTarget{*options_.download_dir, {}});
    if (!downloaded) {
        print_line(err_, fmt::format("error: {} (image {})", describe(downloaded.error()),
                                     printable(image.name)));
        return;
    }
    if (options_.json) {
        print_json_line(out_, {{"event", "downloaded"},
                               {"name", downloaded->name},
                               {"owner", downloaded->owner},
                               {"path", downloaded->path.string()},
                               {"size", downloaded->size},
                               {"verified", true}});
    } else {
        print_line(out_, fmt::format("downloaded {} from {} to {} (verified)", downloaded->name,
                                     downloaded->owner, downloaded->path.string()));
    }
}

}  // namespace imgshare::client
