// imgshare-broker: routes client requests to services and events to
// subscribers. `init` makes its CURVE key, `show` prints the public half,
// `run` serves (common/service/server_main.h: the command line every server shares).
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "broker/broker.h"
#include "common/clock.h"
#include "common/server_keys.h"
#include "common/service/server_main.h"

using namespace imgshare;

namespace {

constexpr std::string_view kKeyName = "broker";

struct Options {
    broker::BrokerConfig config;
    std::vector<std::string> ca_service_keys;
    std::vector<std::string> service_keys;
    std::string service_keys_file;
    std::string rate_limit = "500/s";
    std::string handshake_limit = "50/s";
};

// --NAME-limit (a rate, parsed in serve()) and --NAME-burst of a token bucket.
void add_token_bucket_flags(CLI::App& run, const std::string& name, std::string& rate,
                            double& burst, const std::string& rate_help,
                            const std::string& burst_help) {
    run.add_option("--" + name + "-limit", rate, rate_help)->capture_default_str();
    run.add_option("--" + name + "-burst", burst, burst_help)
        ->check(CLI::Range(1.0, 1e9))
        ->capture_default_str();
}

void add_run_flags(CLI::App& run, Options& options) {
    auto& config = options.config;
    run.add_option("--clients", config.client_endpoint, "Client ROUTER endpoint to bind")
        ->capture_default_str();
    run.add_option("--events", config.events_endpoint, "Event XPUB endpoint to bind")
        ->capture_default_str();
    run.add_option("--backend", config.backend_endpoint, "Service ROUTER endpoint to bind")
        ->capture_default_str();
    // One key per flag, taken whole: for a list option CLI11 would otherwise read a value
    // like "[...]" as a bracketed list and drop the brackets, and '[' and ']' are Z85 digits.
    run.add_option("--ca-service-key", options.ca_service_keys,
                   "CURVE public key (Z85) of the CA service: only these keys may serve 'ca' "
                   "(repeat the flag for more)")
        ->allow_extra_args(false);
    run.add_option("--service-key", options.service_keys,
                   "CURVE public key (Z85) of a storage node: these may serve 'storage' only "
                   "(repeat the flag for more)")
        ->allow_extra_args(false);
    run.add_option("--service-keys-file", options.service_keys_file,
                   "File of storage nodes' keys, one Z85 key per line");
    run.add_option("--request-timeout-ms", config.request_timeout_ms,
                   "How long a service may take before the client gets SERVICE_UNAVAILABLE")
        ->capture_default_str();
    add_token_bucket_flags(run, "rate", options.rate_limit, config.rate_limit.burst,
                           "Requests per sender (a user, or an unregistered connection key): "
                           "N/s or N/m; over it the sender gets RATE_LIMITED with a retry hint",
                           "Requests a sender may send at once after being idle");
    add_token_bucket_flags(run, "handshake", options.handshake_limit,
                           config.handshake_limit.burst,
                           "Handshakes of keys not known as a registered user's, per source "
                           "address (each costs a CA lookup): N/s or N/m; over it the handshake "
                           "is refused without asking the CA",
                           "Such handshakes a source address may make at once after being idle");
    run.add_option("--io-threads", config.io_threads,
                   "ZeroMQ I/O threads (CURVE and socket work, spread over connections)")
        ->check(CLI::Range(1, 16))
        ->capture_default_str();
}

// Each backend key with the one service it may serve; CONFIG if a key is given for both.
Result<broker::ServiceKeys> allowed_service_keys(const Options& options) {
    auto ca = read_public_key_list(options.ca_service_keys, "");
    if (!ca) return std::unexpected(ca.error());
    auto storage = read_public_key_list(options.service_keys, options.service_keys_file);
    if (!storage) return std::unexpected(storage.error());
    broker::ServiceKeys allowed;
    for (const auto& key : *ca)
        allowed[key] = std::string(kCaService);
    for (const auto& key : *storage) {
        if (allowed.contains(key)) {
            return fail(ErrorCode::CONFIG, "a key may serve one service only: " + z85_encode(key) +
                                               " is given for the CA and for storage");
        }
        allowed[key] = std::string(kStorageService);
    }
    if (ca->empty()) spdlog::warn("no --ca-service-key given: no CA can join");
    return allowed;
}

Result<void> serve(Options& options, const service::RunContext& context) {
    broker::BrokerConfig config = std::move(options.config);
    auto keys = load_curve_key_files(context.data_dir(), kKeyName);
    if (!keys) return std::unexpected(keys.error());
    config.keys = std::move(*keys);
    auto rate = broker::parse_rate(options.rate_limit);
    if (!rate) return std::unexpected(rate.error());
    config.rate_limit.per_second = *rate;
    auto handshakes = broker::parse_rate(options.handshake_limit);
    if (!handshakes) return std::unexpected(handshakes.error());
    config.handshake_limit.per_second = *handshakes;
    auto allowed = allowed_service_keys(options);
    if (!allowed) return std::unexpected(allowed.error());
    config.service_keys = std::move(*allowed);
    ProtocolLog log = context.open_protocol_log();

    SystemClock clock;
    broker::Broker broker(std::move(config), log, clock);
    spdlog::info("broker serving");
    broker.run(context.stop());
    spdlog::info("broker stopped");
    return {};
}

}  // namespace

int main(int argc, char** argv) {
    Options options;
    service::ServerProgram program{
        .name = "imgshare-broker",
        .description =
            "imgshare-broker: routes requests between clients and services, publishes events",
        .keys = service::curve_key_files(std::string(kKeyName), ""),
        .init = {"Create the broker's CURVE key pair in the data directory",
                 "Directory for the broker's key and logs"},
        .show = {"Print the broker's CURVE public key (Z85), as init did",
                 "The broker's data directory"},
        .run = {"Serve until SIGTERM", "Directory holding the broker's key"},
        .add_run_flags = [&](CLI::App& run) { add_run_flags(run, options); },
        .serve = [&](const service::RunContext& context) { return serve(options, context); },
        .extra_commands = {},
    };
    return service::run_server_main(argc, argv, program);
}
