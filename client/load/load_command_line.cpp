#include "client/load/load_command_line.h"

#include <CLI/CLI.hpp>

#include <exception>
#include <string>

#include "client/client_home.h"
#include "client/load/load_report.h"
#include "client/load/load_run.h"
#include "common/protocol/limits.h"

namespace imgshare::client::load {
namespace {

constexpr int kFailed = 1;
constexpr int kUsageError = 2;

constexpr std::string_view kWhatIsMeasured =
    "What is measured: the clock starts once every client is connected, its posts are sealed "
    "(up to 1 GiB of them; more are sealed as needed, outside the post latency) and, with "
    "downloads in the mix, each client has posted one setup image; it stops when the last "
    "client finishes. Each latency runs on the monotonic clock from an operation's first "
    "request to its last checked reply: post = POST_BEGIN, chunks, POST_COMMIT acknowledged "
    "(durable); download = DOWNLOAD and chunks, plus every check of `imgshare download` and "
    "writing the image when verified; list = one LIST (after_seq just below the newest feed "
    "position, limit 100), consecutive lists pipelined up to the window. MB/s counts image "
    "bytes (10^6 per MB). Notification delay runs from the poster reading its commit's "
    "acknowledgement to a subscriber receiving NEW_IMAGE. 'seal' reports the client's own "
    "crypto per post separately.\n"
    "End-to-end (--e2e-recipients R): every post is sealed, as `imgshare post --to` seals it, "
    "for the R load users after its poster (wrapping around) and the poster, from certificates "
    "fetched and verified before the clock; a client downloads only images it may read; a "
    "subscriber expects the events of the posts it reads (its own user topic).\n"
    "Users: load-000, load-001, ... are registered once and cached under HOME/users (keystores "
    "sealed with $IMGSHARE_PASSPHRASE; IMGSHARE_TEST_FAST_KDF=1 for quick setup of many). A "
    "broker rate limit per user applies to them like to anyone (RATE_LIMITED in the errors).\n"
    "No protocol log is written unless --log-file is given: it would cost the client more than "
    "the servers it measures.";

struct Flags {
    std::string broker;
    std::string events;
    std::string trust;
    std::string home;
    std::uint32_t clients = 4;
    std::string mix = "post=20,download=70,list=10";
    std::string size = "100KiB";
    std::string duration;
    std::uint64_t count = 0;
    std::uint32_t window = 8;
    double rate = 0;
    std::uint32_t subscribers = 0;
    std::uint32_t e2e_recipients = 0;
    std::uint32_t idle_clients = 0;
    std::string verify = "all";
    bool json = false;
    std::string log_file;
};

void define_flags(CLI::App& app, Flags& flags) {
    app.add_option("--broker", flags.broker, "The broker's client endpoint, tcp://HOST:PORT")
        ->required();
    app.add_option("--events", flags.events,
                   "The broker's event endpoint (default: the broker's port + 1)");
    app.add_option("--trust", flags.trust, "The cluster's trust file")->required();
    app.add_option("--home", flags.home,
                   "Where the load users' keys and certificates are cached, and scratch space")
        ->required();
    app.add_option("--clients", flags.clients, "Simulated users, one thread and connection each")
        ->check(CLI::Range(1, 2000))
        ->capture_default_str();
    app.add_option("--mix", flags.mix, "Operation weights")->capture_default_str();
    app.add_option("--size", flags.size, "Image size, or sizes with weights: 10KiB:50,1MiB:50")
        ->capture_default_str();
    auto* duration = app.add_option("--duration", flags.duration,
                                    "How long to measure: 30s, 500ms, 2m (default 10s)");
    app.add_option("--count", flags.count,
                   "Operations to run over all clients, instead of a duration")
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{100'000'000}))
        ->excludes(duration);
    app.add_option("--window", flags.window,
                   "Requests in flight per client: chunks of a transfer, consecutive lists")
        ->check(CLI::Range(1, 256))
        ->capture_default_str();
    app.add_option("--rate", flags.rate,
                   "At most this many operations per second over all clients (default: as fast "
                   "as they go); lists then go one at a time")
        ->check(CLI::Range(0.01, 1e7));
    app.add_option("--subscribers", flags.subscribers,
                   "Watchers on the event socket measuring notification delay")
        ->check(CLI::Range(0, 10'000));
    app.add_option("--e2e-recipients", flags.e2e_recipients,
                   "Every post end-to-end, for this many other load users (default 0: escrow)")
        ->check(CLI::Range(0, static_cast<int>(kMaxRecipients) - 1));
    app.add_option("--idle-clients", flags.idle_clients,
                   "Connected clients that only hold their connection during the run")
        ->check(CLI::Range(0, 10'000));
    app.add_option("--verify", flags.verify,
                   "Downloads decrypted and verified: all, sample (1 in 10) or none")
        ->capture_default_str();
    app.add_flag("--json", flags.json, "The report as one JSON object");
    app.add_option("--log-file", flags.log_file, "Protocol log of every message (default: none)");
    app.footer(std::string(kWhatIsMeasured));
}

Result<LoadOptions> options_of(const Flags& flags) {
    LoadOptions options;
    auto broker = parse_endpoint(flags.broker);
    if (!broker) return std::unexpected(broker.error());
    options.broker = *broker;
    if (flags.events.empty()) {
        auto events = default_events_endpoint(*broker);
        if (!events) return std::unexpected(events.error());
        options.events = *events;
    } else {
        auto events = parse_endpoint(flags.events);
        if (!events) return std::unexpected(events.error());
        options.events = *events;
    }
    options.trust_file = flags.trust;
    options.home = flags.home;
    options.clients = flags.clients;
    auto mix = parse_mix(flags.mix);
    if (!mix) return std::unexpected(mix.error());
    options.mix = *mix;
    auto sizes = parse_size_distribution(flags.size);
    if (!sizes) return std::unexpected(sizes.error());
    options.sizes = *sizes;
    if (!flags.duration.empty()) {
        auto duration = parse_duration(flags.duration);
        if (!duration) return std::unexpected(duration.error());
        options.duration = *duration;
    }
    if (flags.count > 0) options.count = flags.count;
    options.window = flags.window;
    if (flags.rate > 0) options.rate = flags.rate;
    options.subscribers = flags.subscribers;
    options.e2e_recipients = flags.e2e_recipients;
    options.idle_clients = flags.idle_clients;
    auto verify = parse_verify_mode(flags.verify);
    if (!verify) return std::unexpected(verify.error());
    options.verify = *verify;
    options.json = flags.json;
    options.log_file = flags.log_file;
    return options;
}

}  // namespace

int run_imgshare_load(int argc, const char* const* argv, std::ostream& out, std::ostream& err,
                      bool live, const std::atomic<bool>& stop) {
    CLI::App app{"imgshare-load: drive a running imgshare cluster with many users and measure it",
                 "imgshare-load"};
    Flags flags;
    define_flags(app, flags);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
        if (error.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
            return app.exit(error, out, err);
        }
        err << "error: BAD_REQUEST: " << error.what() << " (see imgshare-load --help)\n";
        return kUsageError;
    }
    auto options = options_of(flags);
    if (!options) {
        err << "error: " << describe(options.error()) << " (see imgshare-load --help)\n";
        return kUsageError;
    }
    try {
        auto result = run_load(*options, stop, err, out, live);
        if (!result) {
            err << "error: " << describe(result.error()) << "\n";
            return kFailed;
        }
        if (options->json) {
            out << report_json(*result).dump(-1, ' ', false,
                                             nlohmann::ordered_json::error_handler_t::replace)
                << "\n"
                << std::flush;
        } else {
            out << report_text(*result) << std::flush;
        }
        return 0;
    } catch (const std::exception& error) {
        err << "error: INTERNAL: " << error.what() << "\n";
        return kFailed;
    }
}

}  // namespace imgshare::client::load
