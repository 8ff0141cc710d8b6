#include "client/broker_connection.h"

#include <algorithm>

#include <fmt/format.h>

#include "common/net/socket_options.h"
#include "common/protocol/limits.h"

namespace imgshare::client {
namespace {

constexpr std::int64_t kStopCheckMs = 100;
constexpr std::string_view kPeer = "broker";

std::int64_t now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace

struct BrokerConnection::InFlight {
    std::uint32_t index;
    Frames frames;  // kept to resend as they were
    std::int64_t deadline_ms;
    int attempts;
    int rate_limited = 0;             // RATE_LIMITED replies so far
    bool resend_at_deadline = false;  // waiting out a retry hint, not a reply
};

namespace {

// The retry hint of a RATE_LIMITED reply, if `frames` are one.
std::optional<std::uint32_t> rate_limited_hint(std::span<const ByteView> frames) {
    if (frames.size() != 2) return std::nullopt;
    auto header = decode_header(frames[0]);
    if (!header || header->type != kErrorType) return std::nullopt;
    auto error = decode_body<ErrorReply>(frames[1]);
    if (!error || error->code != ErrorCode::RATE_LIMITED) return std::nullopt;
    return error->retry_after_ms;
}

// Waits grow with each refusal, so a window of requests refused together spreads out.
std::int64_t rate_limited_wait_ms(std::uint32_t hint_ms, int refusals) {
    constexpr std::int64_t kMinWaitMs = 20;
    constexpr std::int64_t kMaxWaitMs = 2000;
    return std::min(kMaxWaitMs, std::max<std::int64_t>(hint_ms, kMinWaitMs) * refusals);
}

}  // namespace

BrokerConnection::BrokerConnection(ConnectionSettings settings, const CurveKeyPair& keys,
                                   ProtocolLog& log, const std::atomic<bool>& stop)
    : settings_(std::move(settings)),
      log_(log),
      stop_(stop),
      context_(1),
      socket_(context_, zmq::socket_type::dealer) {
    net::harden_peer_socket(socket_, net::Liveness::Client);
    net::make_curve_client(socket_, settings_.broker_public_key, keys.public_key,
                           keys.secret_key.view());
    monitor_ = std::make_unique<HandshakeMonitor>(context_, socket_);
    socket_.connect(settings_.endpoint);
    connected_at_ms_ = now_ms();
}

BrokerConnection::~BrokerConnection() {
    // The monitor's socket must close before the context can terminate.
    monitor_.reset();
    socket_.close();
}

Result<void> BrokerConnection::send(const Frames& frames) {
    log_.record(Direction::Sent, kPeer, std::span<const Bytes>(frames));
    auto message = net::frames_of(frames);
    auto sent = net::send_message(socket_, message);
    if (!sent) {
        // A refused handshake takes the connection's queue with it, so a request sent just
        // after fails as "queue full": the refusal is the reason to report.
        monitor_->drain();
        if (monitor_->key_refused() && settings_.key_refused) {
            return std::unexpected(*settings_.key_refused);
        }
    }
    return sent;
}

Result<void> BrokerConnection::check_handshake(std::int64_t now) const {
    monitor_->drain();
    if (monitor_->key_refused() && settings_.key_refused) {
        return std::unexpected(*settings_.key_refused);
    }
    if (monitor_->handshakes() > 0 ||
        now - connected_at_ms_ < settings_.handshake_timeout.count()) {
        return {};
    }
    const auto& endpoint = settings_.endpoint;
    const auto within = settings_.handshake_timeout.count();
    // Only what the socket monitor saw: the key hint only when the broker closed the
    // handshake, which is what a server without the pinned key does.
    if (monitor_->key_refused()) {
        return fail(ErrorCode::TIMEOUT,
                    fmt::format("the broker at {} refused this client's key", endpoint));
    }
    if (monitor_->closed_in_handshake()) {
        return fail(ErrorCode::TIMEOUT, wrong_key_hint());
    }
    if (monitor_->connections() > 0) {
        return fail(ErrorCode::TIMEOUT,
                    fmt::format("the broker at {} is not answering: it accepted the connection "
                                "but did not complete the CURVE handshake within {} ms",
                                endpoint, within));
    }
    return fail(ErrorCode::TIMEOUT,
                fmt::format("cannot reach the broker at {}: nothing accepted a connection there "
                            "within {} ms; is it running?",
                            endpoint, within));
}

std::string BrokerConnection::wrong_key_hint() const {
    return fmt::format(
        "the broker at {} closed the connection during the CURVE handshake: is "
        "broker_public_key in the trust file its key?",
        settings_.endpoint);
}

Error BrokerConnection::no_reply(int attempts) const {
    // Its handshake completed, so the broker is reachable and holds the pinned key; unless it
    // has since been replaced by one that closes every handshake (a different key).
    if (!monitor_->up() && monitor_->closed_in_handshake()) {
        return Error{ErrorCode::TIMEOUT, wrong_key_hint()};
    }
    return Error{ErrorCode::TIMEOUT,
                 fmt::format("the broker at {} is not answering: no reply after {} attempts of "
                             "{} ms{}",
                             settings_.endpoint, attempts, settings_.request_timeout.count(),
                             monitor_->up() ? "" : "; the connection to it is down")};
}

Result<void> BrokerConnection::wait_and_receive(std::int64_t until_ms,
                                                std::map<std::uint64_t, InFlight>& in_flight,
                                                std::map<std::uint32_t, net::ZmqFrames>& arrived) {
    while (true) {
        if (stop_.load()) return fail(ErrorCode::INTERNAL, "interrupted");
        const std::int64_t now = now_ms();
        if (auto ok = check_handshake(now); !ok) return ok;
        if (now >= until_ms || monitor_->handshakes() != handshakes_seen_) return {};
        zmq::pollitem_t items[] = {{socket_.handle(), 0, ZMQ_POLLIN, 0},
                                   {monitor_->socket().handle(), 0, ZMQ_POLLIN, 0}};
        try {
            zmq::poll(items, 2, std::chrono::milliseconds(std::min(until_ms - now, kStopCheckMs)));
        } catch (const zmq::error_t& error) {
            if (error.num() == EINTR) continue;
            return fail(ErrorCode::INTERNAL, std::string("poll failed: ") + error.what());
        }
        if (!(items[0].revents & ZMQ_POLLIN)) continue;
        bool any = false;
        while (auto message = net::receive_message(socket_, kMaxFrames)) {
            auto views = net::frame_views(message->frames);
            log_.record(Direction::Received, kPeer, std::span<const ByteView>(views));
            if (message->too_many_frames || views.empty()) continue;
            auto header = decode_header(views[0]);
            if (!header) continue;  // not a reply we can match: the request will time out
            auto found = in_flight.find(header->id);
            if (found == in_flight.end()) continue;  // a late answer to a resent request
            auto& request = found->second;
            if (request.resend_at_deadline) continue;  // an earlier copy's answer: wait on
            if (auto hint = rate_limited_hint(views);
                hint && request.rate_limited < kRateLimitedRetries) {
                ++request.rate_limited;
                request.resend_at_deadline = true;
                request.deadline_ms = now_ms() + rate_limited_wait_ms(*hint, request.rate_limited);
                any = true;
                continue;
            }
            arrived.emplace(request.index, std::move(message->frames));
            in_flight.erase(found);
            any = true;
        }
        if (any) return {};
    }
}

Result<void> BrokerConnection::resend_after_reconnection(
    std::map<std::uint64_t, InFlight>& in_flight) {
    if (monitor_->handshakes() == handshakes_seen_) return {};
    const bool reconnected = handshakes_seen_ > 0;
    handshakes_seen_ = monitor_->handshakes();
    if (!reconnected) return {};  // the first handshake: ZeroMQ sends what waited for it
    // The broker answers on the connection a request came in on, so requests sent on the
    // one that was lost (a broker that restarted has forgotten them) would wait out their
    // time-out for nothing. They count as attempts: a connection that keeps being replaced
    // cannot keep a call going for ever.
    const std::int64_t now = now_ms();
    for (auto& [id, request] : in_flight) {
        if (request.resend_at_deadline) continue;  // waiting out a rate limit: not yet
        if (auto sent = send(request.frames); !sent) return sent;
        ++request.attempts;
        request.deadline_ms = now + settings_.request_timeout.count();
    }
    return {};
}

Result<void> BrokerConnection::run(const Transfer& transfer, std::uint32_t first, std::uint32_t end,
                                   std::size_t window) {
    window = std::max<std::size_t>(window, 1);
    // A connection replaced while nothing was in flight (a long-lived client between calls)
    // has nothing to send again: what follows goes on the current one.
    monitor_->drain();
    handshakes_seen_ = monitor_->handshakes();
    std::map<std::uint64_t, InFlight> in_flight;
    std::map<std::uint32_t, net::ZmqFrames> arrived;  // replies waiting for their turn
    std::uint32_t next_to_send = first;
    std::uint32_t next_to_deliver = first;
    while (next_to_deliver < end) {
        // Credits: replies not yet delivered hold theirs, so memory stays within the window.
        while (next_to_send < end && in_flight.size() + arrived.size() < window) {
            const std::uint64_t id = next_id_++;
            auto frames = transfer.request(next_to_send, id);
            if (!frames) return std::unexpected(frames.error());
            if (auto sent = send(*frames); !sent) return sent;
            in_flight.emplace(id, InFlight{next_to_send, std::move(*frames),
                                           now_ms() + settings_.request_timeout.count(), 1});
            ++next_to_send;
        }
        for (auto ready = arrived.find(next_to_deliver); ready != arrived.end();
             ready = arrived.find(next_to_deliver)) {
            auto views = net::frame_views(ready->second);
            if (auto ok = transfer.deliver(next_to_deliver, views); !ok) return ok;
            arrived.erase(ready);
            ++next_to_deliver;
            if (transfer.progress) transfer.progress(next_to_deliver - first);
        }
        if (next_to_deliver >= end || in_flight.empty()) continue;

        std::int64_t earliest = INT64_MAX;
        for (const auto& [id, request] : in_flight)
            earliest = std::min(earliest, request.deadline_ms);
        if (auto ok = wait_and_receive(earliest, in_flight, arrived); !ok) return ok;
        if (auto ok = resend_after_reconnection(in_flight); !ok) return ok;

        const std::int64_t now = now_ms();
        for (auto& [id, request] : in_flight) {
            if (request.deadline_ms > now) continue;
            if (request.resend_at_deadline) {
                // The wait a rate limit asked for is over: this is not a lost reply.
                if (auto sent = send(request.frames); !sent) return sent;
                request.resend_at_deadline = false;
                request.deadline_ms = now + settings_.request_timeout.count();
                continue;
            }
            if (request.attempts >= settings_.attempts) {
                return std::unexpected(no_reply(request.attempts));
            }
            if (auto sent = send(request.frames); !sent) return sent;
            ++request.attempts;
            request.deadline_ms = now + settings_.request_timeout.count();
        }
    }
    return {};
}

}  // namespace imgshare::client
