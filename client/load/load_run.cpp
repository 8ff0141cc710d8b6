#include "client/load/load_run.h"

#include <stdlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "client/certificate_log.h"
#include "client/image_upload.h"
#include "client/load/idle_clients.h"
#include "client/load/image_bodies.h"
#include "client/load/load_report.h"
#include "common/keystore.h"

namespace imgshare::client::load {
namespace {

// Ciphertext sealed before the clock, over all clients; beyond it posts are sealed as they go.
constexpr std::uint64_t kPreSealBudgetBytes = 1ull << 30;
// Subscribers get this long to be admitted, plus a second per 50 of them.
constexpr auto kSubscribeWait = std::chrono::seconds(30);
constexpr std::size_t kSubscribersPerExtraSecond = 50;
// After the clients stop, notifications still on their way get this long to arrive.
constexpr auto kNotificationGrace = std::chrono::seconds(10);
constexpr auto kProgressInterval = std::chrono::seconds(1);

// This run's private working directory under HOME/scratch, removed with everything in it.
class RunDirectory {
  public:
    static Result<RunDirectory> create(const std::filesystem::path& parent) {
        if (auto ok = ensure_private_directory(parent); !ok) return std::unexpected(ok.error());
        std::string pattern = (parent / "run-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) {
            return fail(ErrorCode::IO_ERROR, fmt::format("cannot create a directory in {}: {}",
                                                         parent.string(), std::strerror(errno)));
        }
        return RunDirectory(pattern);
    }
    RunDirectory(RunDirectory&& other) noexcept : path_(std::exchange(other.path_, {})) {}
    RunDirectory(const RunDirectory&) = delete;
    ~RunDirectory() {
        if (path_.empty()) return;
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    const std::filesystem::path& path() const { return path_; }

  private:
    explicit RunDirectory(std::filesystem::path path) : path_(std::move(path)) {}
    std::filesystem::path path_;
};

Result<ProtocolLog> open_log(const std::filesystem::path& file) {
    if (file.empty()) return ProtocolLog::disabled();
    try {
        return ProtocolLog("imgshare-load", file);
    } catch (const std::exception& error) {
        return fail(ErrorCode::IO_ERROR, fmt::format("cannot open the protocol log {}: {}",
                                                     file.string(), error.what()));
    }
}

// The newest feed position: LIST pages from `after` until the feed has no more.
Result<std::uint64_t> feed_head(BrokerConnection& connection, std::uint64_t after) {
    while (true) {
        auto page = connection.call<ListReply>(ListRequest{after, kMaxListLimit});
        if (!page) return std::unexpected(page.error());
        after = std::max(after, page->last_seq);
        if (!page->more) return after;
    }
}

// Posts small setup images until every subscriber has received one of this run's events,
// which proves its subscription is admitted.
Result<void> wait_for_subscribers(const Subscribers& subscribers, std::size_t count,
                                  BrokerConnection& connection, const PostAuthor& author,
                                  const ImageBodies& bodies, std::uint64_t size, RunState& run,
                                  std::size_t window, const std::atomic<bool>& stop) {
    const auto deadline = std::chrono::steady_clock::now() + kSubscribeWait +
                          std::chrono::seconds(count / kSubscribersPerExtraSecond);
    for (std::uint64_t probe = 0; subscribers.ready() < count; ++probe) {
        if (stop.load()) return fail(ErrorCode::INTERNAL, "interrupted");
        if (std::chrono::steady_clock::now() >= deadline) {
            return fail(ErrorCode::TIMEOUT,
                        fmt::format("only {} of {} subscribers received an event; is the events "
                                    "endpoint right?",
                                    subscribers.ready(), count));
        }
        // Setup names of client "p" (probes) cannot clash with the clients' own.
        auto prepared = prepare_post(bodies.path_for(size), size,
                                     run.name_prefix + "-sp-" + std::to_string(probe), author);
        if (!prepared) return std::unexpected(prepared.error());
        auto committed = send_post(connection, *prepared, window);
        if (!committed) return std::unexpected(committed.error());
        run.saw_seq(committed->seq);
        for (int i = 0; i < 20 && subscribers.ready() < count; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return {};
}

// Runs `work(i)` for i in [0, n) on n threads; the first error, if any.
template <class Work>
Result<void> on_threads(std::size_t n, Work work) {
    std::optional<Error> first_error;
    std::mutex mutex;
    {
        std::vector<std::jthread> threads;
        for (std::size_t i = 0; i < n; ++i) {
            threads.emplace_back([&, i] {
                Result<void> done = work(i);
                std::lock_guard lock(mutex);
                if (!done && !first_error) first_error = done.error();
            });
        }
    }
    if (first_error) return std::unexpected(*first_error);
    return {};
}

std::optional<std::uint64_t> share_of(std::optional<std::uint64_t> count, std::size_t clients,
                                      std::size_t index) {
    if (!count) return std::nullopt;
    return *count / clients + (index < *count % clients ? 1 : 0);
}

}  // namespace

Result<LoadResult> run_load(const LoadOptions& options, const std::atomic<bool>& stop,
                            std::ostream& progress, std::ostream& live, bool live_line) {
    if (auto ok = ensure_private_directory(options.home); !ok) return std::unexpected(ok.error());
    auto trust = load_trust_file(options.trust_file);
    if (!trust) return std::unexpected(trust.error());
    auto log = open_log(options.log_file);
    if (!log) return std::unexpected(log.error());
    ConnectionSettings settings;
    settings.endpoint = options.broker.to_string();
    settings.broker_public_key = trust->broker_public_key;
    // One view of the certificate log for every simulated user, in memory (they have no home).
    settings.certificate_log = std::make_shared<CertificateLog>(
        std::filesystem::path(), trust->log_verify_key, trust->witnesses);
    LoadNetwork network{settings, options.events.to_string(), *trust, *log, stop};
    RunState run;
    run.name_prefix = new_run_prefix();
    LoadResult result;
    result.options = options;

    // End-to-end posts need R other users to be sealed for.
    const std::size_t user_count = std::max<std::size_t>(
        {options.clients, options.subscribers, std::size_t{options.e2e_recipients} + 1});
    progress << fmt::format("imgshare-load: {} users under {}\n", user_count,
                            (options.home / "users").string())
             << std::flush;
    auto users = prepare_load_users(options.home / "users", user_count, network, result.users);
    if (!users) return std::unexpected(users.error());

    auto scratch = RunDirectory::create(options.home / "scratch");
    if (!scratch) return std::unexpected(scratch.error());
    auto bodies = ImageBodies::create(scratch->path(), options.sizes);
    if (!bodies) return std::unexpected(bodies.error());
    auto setup_connection = network.connect((*users)[0].keys.curve);
    auto wrap_key = fetch_escrow_wrap_key(*setup_connection, *trust);
    if (!wrap_key) return std::unexpected(wrap_key.error());
    auto head = feed_head(*setup_connection, 0);
    if (!head) return std::unexpected(head.error());
    run.saw_seq(*head);

    std::optional<Subscribers> subscribers;
    if (options.subscribers > 0) {
        subscribers.emplace(network, std::span<const LoadUser>(*users).first(options.subscribers),
                            run);
    }
    std::unique_ptr<IdleClients> idle;
    if (options.idle_clients > 0) {
        progress << fmt::format("imgshare-load: connecting {} idle clients\n", options.idle_clients)
                 << std::flush;
        auto connected = IdleClients::connect(network, *users, options.idle_clients);
        if (!connected) return std::unexpected(connected.error());
        idle = std::move(*connected);
        result.idle_clients = idle->size();
    }

    progress << fmt::format(
                    "imgshare-load: preparing {} clients (sealing posts before the clock)\n",
                    options.clients)
             << std::flush;
    ClientSetup setup{options, network, run, *bodies, *wrap_key, *users};
    std::vector<std::unique_ptr<LoadClient>> clients;
    for (std::size_t i = 0; i < options.clients; ++i) {
        clients.push_back(std::make_unique<LoadClient>(
            i, (*users)[i], setup, scratch->path() / fmt::format("client-{}", i)));
    }
    auto prepared = on_threads(clients.size(), [&](std::size_t i) {
        return clients[i]->prepare(share_of(options.count, clients.size(), i),
                                   kPreSealBudgetBytes / clients.size(), options.mix.download > 0);
    });
    if (!prepared) return std::unexpected(prepared.error());
    if (subscribers) {
        progress << fmt::format("imgshare-load: waiting for {} subscribers\n", options.subscribers)
                 << std::flush;
        // Escrow probes: every subscriber hears of them on `image`.
        PostAuthor author{(*users)[0], *wrap_key, {}, scratch->path()};
        std::uint64_t smallest = options.sizes.front().bytes;
        for (const auto& size_class : options.sizes)
            smallest = std::min(smallest, size_class.bytes);
        if (auto ok = wait_for_subscribers(*subscribers, options.subscribers, *setup_connection,
                                           author, *bodies, smallest, run, options.window, stop);
            !ok) {
            return std::unexpected(ok.error());
        }
    }

    progress << "imgshare-load: measuring\n" << std::flush;
    const std::int64_t start = monotonic_ns();
    const std::int64_t deadline =
        start + std::chrono::duration_cast<std::chrono::nanoseconds>(options.duration).count();
    std::atomic<bool> measuring{true};
    std::jthread progress_thread;
    if (live_line) {
        progress_thread = std::jthread([&] {
            auto next = std::chrono::steady_clock::now() + kProgressInterval;
            while (measuring.load()) {
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
                if (std::chrono::steady_clock::now() < next) continue;
                next += kProgressInterval;
                live << "\r" << progress_line(run.live, (monotonic_ns() - start) / 1e9) << "\x1b[K"
                     << std::flush;
            }
            live << "\r\x1b[K" << std::flush;
        });
    }
    (void)on_threads(clients.size(), [&](std::size_t i) -> Result<void> {
        clients[i]->run(deadline);
        return {};
    });
    const std::int64_t end = monotonic_ns();
    measuring = false;
    progress_thread = std::jthread();
    result.elapsed_s = static_cast<double>(end - start) / 1e9;

    if (subscribers) result.notifications = subscribers->finish(kNotificationGrace);
    for (const auto& client : clients)
        result.clients.merge(client->stats());
    result.interrupted = stop.load();
    return result;
}

}  // namespace imgshare::client::load
