#include "client/load/load_report.h"

#include <fmt/format.h>

namespace imgshare::client::load {
namespace {

constexpr double kMegabyte = 1e6;

double per_second(double amount, double elapsed_s) {
    return elapsed_s > 0 ? amount / elapsed_s : 0;
}

nlohmann::ordered_json latency_json(const LatencySummary& latency) {
    return {{"p50", latency.p50_ms},
            {"p90", latency.p90_ms},
            {"p99", latency.p99_ms},
            {"max", latency.max_ms}};
}

nlohmann::ordered_json operation_json(const OperationStats& stats, double elapsed_s) {
    nlohmann::ordered_json errors = nlohmann::ordered_json::object();
    for (const auto& [code, count] : stats.errors())
        errors[std::string(to_string(code))] = count;
    return {{"count", stats.successes()},
            {"errors", stats.error_count()},
            {"ops_per_s", per_second(static_cast<double>(stats.successes()), elapsed_s)},
            {"mb_per_s", per_second(static_cast<double>(stats.bytes()) / kMegabyte, elapsed_s)},
            {"bytes", stats.bytes()},
            {"latency_ms", latency_json(stats.latency())},
            {"errors_by_code", errors}};
}

// Seals run partly before the clock, in parallel: their rate is per seal, from latency.
nlohmann::ordered_json seal_json(const ClientStats& clients) {
    const auto& seal = clients.seal;
    const auto latency = seal.latency();
    const double busy = seal.busy_seconds();
    nlohmann::ordered_json errors = nlohmann::ordered_json::object();
    for (const auto& [code, count] : seal.errors())
        errors[std::string(to_string(code))] = count;
    return {{"count", seal.successes()},
            {"errors", seal.error_count()},
            {"before_clock", clients.pre_sealed},
            {"during_run", clients.sealed_during_run},
            {"mb_per_s_one_thread",
             busy > 0 ? static_cast<double>(seal.bytes()) / kMegabyte / busy : 0},
            {"latency_ms", latency_json(latency)},
            {"errors_by_code", errors}};
}

std::string errors_text(const OperationStats& stats) {
    std::string text;
    for (const auto& [code, count] : stats.errors())
        text += fmt::format("{}{}={}", text.empty() ? "" : ",", to_string(code), count);
    return text.empty() ? "-" : text;
}

std::string row(std::string_view name, const OperationStats& stats, double elapsed_s) {
    const auto latency = stats.latency();
    return fmt::format(
        "{:<9} {:>8} {:>10.1f} {:>9.1f} {:>9.2f} {:>9.2f} {:>9.2f} {:>9.2f}  {}\n", name,
        stats.successes(), per_second(static_cast<double>(stats.successes()), elapsed_s),
        per_second(static_cast<double>(stats.bytes()) / kMegabyte, elapsed_s), latency.p50_ms,
        latency.p90_ms, latency.p99_ms, latency.max_ms, errors_text(stats));
}

}  // namespace

nlohmann::ordered_json report_json(const LoadResult& result) {
    const auto& options = result.options;
    const auto& clients = result.clients;
    nlohmann::ordered_json config = {
        {"clients", options.clients},
        {"mix", format_mix(options.mix)},
        {"size", format_sizes(options.sizes)},
        {"window", options.window},
        {"rate", options.rate ? nlohmann::ordered_json(*options.rate) : nlohmann::ordered_json()},
        {"subscribers", options.subscribers},
        {"idle_clients", options.idle_clients},
        {"e2e_recipients", options.e2e_recipients},
    };
    if (options.count) {
        config["count"] = *options.count;
    } else {
        config["duration_s"] = static_cast<double>(options.duration.count()) / 1000.0;
    }
    nlohmann::ordered_json json = {
        {"config", config},
        {"post_mode", options.e2e_recipients > 0 ? "e2e" : "escrow"},
        {"verify", std::string(to_string(options.verify))},
        {"verified_downloads", clients.verified_downloads},
        {"unverified_downloads", clients.unverified_downloads},
        {"elapsed_s", result.elapsed_s},
        {"interrupted", result.interrupted},
        {"operations",
         {{"post", operation_json(clients.post, result.elapsed_s)},
          {"download", operation_json(clients.download, result.elapsed_s)},
          {"list", operation_json(clients.list, result.elapsed_s)}}},
        {"seal", seal_json(clients)},
        {"setup",
         {{"users_registered", result.users.registered},
          {"users_reused", result.users.reused},
          {"setup_posts", clients.setup_posts},
          {"idle_clients_connected", result.idle_clients}}},
    };
    if (result.notifications) {
        const auto& n = *result.notifications;
        json["notifications"] = {{"subscribers", n.subscribers},
                                 {"expected", n.expected},
                                 {"received", n.received},
                                 {"early", n.early},
                                 {"delay_ms", latency_json(n.delay)}};
    }
    return json;
}

std::string report_text(const LoadResult& result) {
    const auto& options = result.options;
    const auto& clients = result.clients;
    std::string text = fmt::format(
        "imgshare-load: {} clients, mix {}, size {}, window {}, {}, {}{}\n", options.clients,
        format_mix(options.mix), format_sizes(options.sizes), options.window,
        options.rate ? fmt::format("at most {} ops/s", *options.rate)
                     : std::string("no rate limit"),
        options.count ? fmt::format("{} operations", *options.count)
                      : fmt::format("{} s", static_cast<double>(options.duration.count()) / 1000.0),
        result.interrupted ? " (interrupted)" : "");
    text += fmt::format(
        "measured {:.2f} s; posts {}; verify {}: {} downloads verified, {} not\n", result.elapsed_s,
        options.e2e_recipients > 0
            ? fmt::format("end-to-end for {} recipients", options.e2e_recipients)
            : std::string("escrow"),
        to_string(options.verify), clients.verified_downloads, clients.unverified_downloads);
    text += fmt::format("{:<9} {:>8} {:>10} {:>9} {:>9} {:>9} {:>9} {:>9}  {}\n", "operation",
                        "count", "ops/s", "MB/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "errors");
    text += row("post", clients.post, result.elapsed_s);
    text += row("download", clients.download, result.elapsed_s);
    text += row("list", clients.list, result.elapsed_s);
    const auto seal = clients.seal.latency();
    text += fmt::format(
        "seal (client work, not in post latency): {} ({} before the clock, {} during the run), "
        "{:.1f} MB/s per thread, p50 {:.2f} ms, p99 {:.2f} ms, errors {}\n",
        clients.seal.successes(), clients.pre_sealed, clients.sealed_during_run,
        clients.seal.busy_seconds() > 0
            ? static_cast<double>(clients.seal.bytes()) / kMegabyte / clients.seal.busy_seconds()
            : 0.0,
        seal.p50_ms, seal.p99_ms, errors_text(clients.seal));
    if (result.notifications) {
        const auto& n = *result.notifications;
        text += fmt::format(
            "notifications: {} subscribers, {} of {} expected received ({} before the poster read "
            "its acknowledgement); delay p50 {:.2f} ms, p90 {:.2f} ms, p99 {:.2f} ms, max {:.2f} "
            "ms\n",
            n.subscribers, n.received, n.expected, n.early, n.delay.p50_ms, n.delay.p90_ms,
            n.delay.p99_ms, n.delay.max_ms);
    }
    if (result.idle_clients > 0) {
        text += fmt::format("idle clients connected throughout: {}\n", result.idle_clients);
    }
    text += fmt::format("users: {} registered now, {} reused; {} setup posts\n",
                        result.users.registered, result.users.reused, clients.setup_posts);
    return text;
}

std::string progress_line(const LiveCounters& counters, double elapsed_s) {
    auto part = [&](Operation operation) {
        const auto done = counters.completed_count(operation);
        return fmt::format("{} {} ({:.0f}/s)", to_string(operation), done,
                           per_second(static_cast<double>(done), elapsed_s));
    };
    return fmt::format("{:6.1f} s  {}  {}  {}  errors {}  notified {}", elapsed_s,
                       part(Operation::Post), part(Operation::Download), part(Operation::List),
                       counters.errors.load(), counters.notifications.load());
}

}  // namespace imgshare::client::load
