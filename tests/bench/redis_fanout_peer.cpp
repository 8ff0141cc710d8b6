// The peer of imgshare's NEW_IMAGE fan-out row (issue #27): Redis pub/sub on the same
// host, measured the way imgshare-load measures the broker's XPUB.
//
//   redis_fanout_peer --port P [--subscribers 1000] [--count 100] [--rate 20] [--payload 100]
//
// M subscriber connections (hiredis, plain TCP: Redis has no CURVE) SUBSCRIBE to one
// channel, all read by one thread with epoll, as imgshare-load reads its M SUB sockets. A
// publisher thread sends COUNT messages at RATE per second, each its number padded to
// PAYLOAD bytes (about a NEW_IMAGE event's size). A message's clock starts when the
// publisher reads PUBLISH's reply, as imgshare-load's starts when the poster reads its
// commit's acknowledgement; a delivery's delay is its receipt time minus that, and one
// received before it counts as 0 ms and as early, as imgshare-load counts them. It prints
// one JSON object:
//   {"subscribers":M,"expected":COUNT*M,"received":R,"early":E,"delay_ms":{"p50":..,"p99":..,"max":..}}
// Percentiles are nearest-rank, like imgshare-load's. Exit status 1 on a connection or
// protocol error (said on stderr), 2 on bad flags.
#include <hiredis/hiredis.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
constexpr const char* kChannel = "image";

struct Flags {
    int port = 0;
    int subscribers = 1000;
    int count = 100;
    double rate = 20;
    int payload = 100;
};

struct ContextDeleter {
    void operator()(redisContext* context) const { redisFree(context); }
};
using Context = std::unique_ptr<redisContext, ContextDeleter>;

struct ReplyDeleter {
    void operator()(redisReply* reply) const { freeReplyObject(reply); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

[[noreturn]] void fail(const std::string& what) {
    std::fprintf(stderr, "redis_fanout_peer: %s\n", what.c_str());
    std::exit(1);
}

Flags parse_flags(int argc, char** argv) {
    Flags flags;
    for (int i = 1; i < argc; ++i) {
        const std::string_view name = argv[i];
        if (name == "-h" || name == "--help") {
            std::puts("redis_fanout_peer --port P [--subscribers M] [--count N] [--rate R] [--payload B]\n"
                      "Redis pub/sub fan-out delay, the peer of imgshare's NEW_IMAGE fan-out row.");
            std::exit(0);
        }
        if (i + 1 >= argc) {
            std::fprintf(stderr, "redis_fanout_peer: %s needs a value (see --help)\n", argv[i]);
            std::exit(2);
        }
        const char* value = argv[++i];
        char* end = nullptr;
        const double number = std::strtod(value, &end);
        if (end == value || *end != '\0' || number <= 0 || number > 1e6) {
            std::fprintf(stderr, "redis_fanout_peer: %s: not a positive number: %s\n", argv[i - 1], value);
            std::exit(2);
        }
        if (name == "--port") flags.port = static_cast<int>(number);
        else if (name == "--subscribers") flags.subscribers = static_cast<int>(number);
        else if (name == "--count") flags.count = static_cast<int>(number);
        else if (name == "--rate") flags.rate = number;
        else if (name == "--payload") flags.payload = std::max(32, static_cast<int>(number));
        else {
            std::fprintf(stderr, "redis_fanout_peer: unknown flag %s (see --help)\n", argv[i - 1]);
            std::exit(2);
        }
    }
    if (flags.port <= 0 || flags.port > 65535) {
        std::fprintf(stderr, "redis_fanout_peer: --port is required (1..65535)\n");
        std::exit(2);
    }
    return flags;
}

Context connect_to(int port) {
    Context context(redisConnect("127.0.0.1", port));
    if (!context || context->err)
        fail("cannot connect to 127.0.0.1:" + std::to_string(port) + ": " +
             (context ? context->errstr : "out of memory"));
    return context;
}

std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

double nearest_rank_ms(std::vector<std::int64_t>& sorted_ns, double percentile) {
    if (sorted_ns.empty()) return 0;
    const auto rank = static_cast<std::size_t>(std::ceil(percentile / 100.0 * static_cast<double>(sorted_ns.size())));
    return static_cast<double>(sorted_ns[std::clamp<std::size_t>(rank, 1, sorted_ns.size()) - 1]) / 1e6;
}

struct Receipt {
    std::size_t message;
    std::int64_t received_ns;
};

// Reads every message that has arrived on `context`; appends each one's receipt.
void drain(redisContext* context, std::size_t count, std::vector<Receipt>& receipts) {
    if (redisBufferRead(context) != REDIS_OK) fail(std::string("subscriber read: ") + context->errstr);
    for (;;) {
        void* raw = nullptr;
        if (redisGetReplyFromReader(context, &raw) != REDIS_OK) fail("subscriber: malformed reply");
        if (raw == nullptr) return;
        const Reply reply(static_cast<redisReply*>(raw));
        // A push is ["message", channel, payload].
        if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 3 ||
            std::string_view(reply->element[0]->str, reply->element[0]->len) != "message")
            continue;
        const std::int64_t received = now_ns();
        const auto message = static_cast<std::size_t>(std::strtoull(reply->element[2]->str, nullptr, 10));
        if (message < count) receipts.push_back({message, received});
    }
}

}  // namespace

int main(int argc, char** argv) {
    const Flags flags = parse_flags(argc, argv);

    std::vector<Context> subscribers;
    subscribers.reserve(static_cast<std::size_t>(flags.subscribers));
    for (int i = 0; i < flags.subscribers; ++i) {
        Context context = connect_to(flags.port);
        const Reply reply(static_cast<redisReply*>(redisCommand(context.get(), "SUBSCRIBE %s", kChannel)));
        if (!reply || reply->type != REDIS_REPLY_ARRAY) fail("SUBSCRIBE was not confirmed");
        subscribers.push_back(std::move(context));
    }

    const std::uint64_t expected =
        static_cast<std::uint64_t>(flags.count) * static_cast<std::uint64_t>(flags.subscribers);
    const auto count = static_cast<std::size_t>(flags.count);
    // When the publisher read each PUBLISH's reply.
    std::vector<std::atomic<std::int64_t>> acknowledged_ns(count);
    std::atomic<bool> published{false};
    std::jthread publisher([&] {
        Context context = connect_to(flags.port);
        const auto interval = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / flags.rate));
        auto next = Clock::now();
        for (std::size_t i = 0; i < count; ++i) {
            std::this_thread::sleep_until(next);
            next += interval;
            std::string payload = std::to_string(i);
            payload.resize(static_cast<std::size_t>(flags.payload), ' ');
            const Reply reply(static_cast<redisReply*>(
                redisCommand(context.get(), "PUBLISH %s %b", kChannel, payload.data(), payload.size())));
            if (!reply || reply->type != REDIS_REPLY_INTEGER) fail("PUBLISH failed");
            acknowledged_ns[i] = now_ns();
        }
        published = true;
    });

    const int epoll = epoll_create1(EPOLL_CLOEXEC);
    if (epoll < 0) fail("epoll_create1 failed");
    for (std::size_t i = 0; i < subscribers.size(); ++i) {
        epoll_event event{.events = EPOLLIN, .data = {.u64 = i}};
        if (epoll_ctl(epoll, EPOLL_CTL_ADD, subscribers[i]->fd, &event) != 0) fail("epoll_ctl failed");
    }
    std::vector<epoll_event> ready(subscribers.size());
    std::vector<Receipt> receipts;
    receipts.reserve(expected);
    // Events still on their way when the last PUBLISH returned get 5 s more.
    auto deadline = Clock::time_point::max();
    while (receipts.size() < expected && Clock::now() < deadline) {
        if (published && deadline == Clock::time_point::max()) deadline = Clock::now() + std::chrono::seconds(5);
        const int woken = epoll_wait(epoll, ready.data(), static_cast<int>(ready.size()), 20);
        if (woken < 0) fail("epoll_wait failed");
        for (int i = 0; i < woken; ++i) drain(subscribers[ready[static_cast<std::size_t>(i)].data.u64].get(), count, receipts);
    }
    close(epoll);
    publisher.join();

    std::vector<std::int64_t> delays_ns;
    delays_ns.reserve(receipts.size());
    std::size_t early = 0;
    for (const auto& receipt : receipts) {
        const std::int64_t delay = receipt.received_ns - acknowledged_ns[receipt.message].load();
        if (delay < 0) ++early;
        delays_ns.push_back(std::max<std::int64_t>(0, delay));
    }
    std::sort(delays_ns.begin(), delays_ns.end());
    std::printf("{\"subscribers\":%d,\"expected\":%llu,\"received\":%zu,\"early\":%zu,"
                "\"delay_ms\":{\"p50\":%.3f,\"p99\":%.3f,\"max\":%.3f}}\n",
                flags.subscribers, static_cast<unsigned long long>(expected), delays_ns.size(), early,
                nearest_rank_ms(delays_ns, 50), nearest_rank_ms(delays_ns, 99),
                delays_ns.empty() ? 0.0 : static_cast<double>(delays_ns.back()) / 1e6);
    return 0;
}
