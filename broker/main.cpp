// imgshare-broker: routes client requests to services and events to
// subscribers. `init` makes its CURVE key; `run` serves.
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <iostream>

#include "broker/broker.h"
#include "common/logging.h"
#include "common/process.h"
#include "common/server_keys.h"

using namespace imgshare;

namespace {

// Each backend key with the one service it may serve; CONFIG if a key is given for both.
Result<broker::ServiceKeys> allowed_service_keys(const std::vector<std::string>& ca_keys,
                                                 const std::vector<std::string>& storage_keys,
                                                 const std::string& storage_keys_file) {
    auto ca = read_public_key_list(ca_keys, "");
    if (!ca) return std::unexpected(ca.error());
    auto storage = read_public_key_list(storage_keys, storage_keys_file);
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

}  // namespace

int main(int argc, char** argv) {
    tune_allocator();
    disable_core_dumps();
    CLI::App app{"imgshare-broker: routes requests between clients and services, publishes events"};
    app.require_subcommand(1);
    std::string data_dir;

    auto* init =
        app.add_subcommand("init", "Create the broker's CURVE key pair in the data directory");
    init->add_option("--data-dir", data_dir, "Directory for the broker's key and logs")->required();

    auto* run = app.add_subcommand("run", "Serve until SIGTERM");
    broker::BrokerConfig config;
    std::string log_file;
    std::vector<std::string> ca_service_keys;
    std::vector<std::string> service_keys;
    std::string service_keys_file;
    run->add_option("--data-dir", data_dir, "Directory holding the broker's key")->required();
    run->add_option("--clients", config.client_endpoint, "Client ROUTER endpoint to bind")
        ->capture_default_str();
    run->add_option("--events", config.events_endpoint, "Event XPUB endpoint to bind")
        ->capture_default_str();
    run->add_option("--backend", config.backend_endpoint, "Service ROUTER endpoint to bind")
        ->capture_default_str();
    run->add_option("--ca-service-key", ca_service_keys,
                    "CURVE public key (Z85) of the CA service: only these keys may serve 'ca'");
    run->add_option("--service-key", service_keys,
                    "CURVE public key (Z85) of a storage node: these may serve 'storage' only");
    run->add_option("--service-keys-file", service_keys_file,
                    "File of storage nodes' keys, one Z85 key per line");
    run->add_option("--request-timeout-ms", config.request_timeout_ms,
                    "How long a service may take before the client gets SERVICE_UNAVAILABLE")
        ->capture_default_str();
    std::string rate_limit = "500/s";
    run->add_option("--rate-limit", rate_limit,
                    "Requests per sender (a user, or an unregistered connection key): N/s or N/m; "
                    "over it the sender gets RATE_LIMITED with a retry hint")
        ->capture_default_str();
    run->add_option("--rate-burst", config.rate_limit.burst,
                    "Requests a sender may send at once after being idle")
        ->check(CLI::Range(1.0, 1e9))
        ->capture_default_str();
    run->add_option("--io-threads", config.io_threads,
                    "ZeroMQ I/O threads (CURVE and socket work, spread over connections)")
        ->check(CLI::Range(1, 16))
        ->capture_default_str();
    run->add_option("--log-file", log_file, "Protocol log (default DATA_DIR/protocol.log)");

    CLI11_PARSE(app, argc, argv);
    init_process_logging("imgshare-broker");
    try {
        if (init->parsed()) {
            auto keys = create_curve_key_files(data_dir, "broker");
            if (!keys) {
                std::cerr << "error: " << describe(keys.error()) << "\n";
                return 1;
            }
            std::cout << z85_encode(*keys) << "\n";
            return 0;
        }
        auto keys = load_curve_key_files(data_dir, "broker");
        if (!keys) {
            std::cerr << "error: " << describe(keys.error()) << "\n";
            return 1;
        }
        config.keys = std::move(*keys);
        auto rate = broker::parse_rate(rate_limit);
        if (!rate) {
            std::cerr << "error: " << describe(rate.error()) << "\n";
            return 1;
        }
        config.rate_limit.per_second = *rate;
        auto allowed = allowed_service_keys(ca_service_keys, service_keys, service_keys_file);
        if (!allowed) {
            std::cerr << "error: " << describe(allowed.error()) << "\n";
            return 1;
        }
        config.service_keys = std::move(*allowed);
        ProtocolLog log("imgshare-broker", log_file.empty()
                                               ? std::filesystem::path(data_dir) / "protocol.log"
                                               : std::filesystem::path(log_file),
                    LogFlush::Batched);
        auto& stop = install_stop_signals();
        SystemClock clock;
        broker::Broker broker(std::move(config), log, clock);
        spdlog::info("broker serving");
        broker.run(stop);
        spdlog::info("broker stopped");
        return 0;
    } catch (const std::exception& error) {
        std::cerr << "error: INTERNAL: " << error.what() << "\n";
        return 1;
    }
}
