// imgshare-ca: the certificate authority service. `init` creates its keys,
// `show` prints their public halves, `run` serves CA requests through the broker.
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <string>

#include "ca-service/ca_keys.h"
#include "ca-service/certificate_authority.h"
#include "ca-service/registry.h"
#include "common/endpoint.h"
#include "common/logging.h"
#include "common/process.h"
#include "common/protocol_log.h"
#include "common/service/service_worker.h"

using namespace imgshare;
namespace fs = std::filesystem;

namespace {

struct Options {
    std::string data_dir;
    std::string broker;
    std::string broker_key;
    std::int64_t validity_days = ca::kDefaultValidityDays;
    std::string log_file;
    std::string log_level = "info";
    std::string node_id = "ca";
};

Result<void> init_command(const Options& options) {
    auto keys = ca::init_ca_keys(options.data_dir);
    if (!keys) return std::unexpected(keys.error());
    std::cout << ca::format_public_keys(*keys);
    return {};
}

Result<void> show_command(const Options& options) {
    auto keys = ca::load_ca_keys(options.data_dir);
    if (!keys) return std::unexpected(keys.error());
    std::cout << ca::format_public_keys(ca::public_keys_of(*keys));
    return {};
}

Result<void> run_command(const Options& options, const std::atomic<bool>& stop) {
    auto level = parse_log_level(options.log_level);
    if (!level) return std::unexpected(level.error());
    init_process_logging("imgshare-ca", *level);
    auto broker = parse_endpoint(options.broker);
    if (!broker) return std::unexpected(broker.error());
    auto broker_key = z85_decode(options.broker_key);
    if (!broker_key) return fail(ErrorCode::CONFIG, "--broker-key is not a Z85 CURVE public key");
    auto keys = ca::load_ca_keys(options.data_dir);
    if (!keys) return std::unexpected(keys.error());
    auto registry = ca::Registry::open(ca::registry_path(options.data_dir));
    if (!registry) return std::unexpected(registry.error());
    ProtocolLog log("imgshare-ca", options.log_file.empty()
                                       ? fs::path(options.data_dir) / "protocol.log"
                                       : fs::path(options.log_file));

    SystemClock clock;
    ca::CertificateAuthority authority(*keys, *registry, clock, options.validity_days);
    // The worker takes the CURVE pair; the authority uses only the signing and wrap keys.
    service::WorkerConfig config{broker->to_string(), std::move(*broker_key),
                                 std::move(keys->service), std::string(kCaService),
                                 options.node_id};
    service::ServiceWorker worker(std::move(config), log, clock);
    ca::install_handlers(worker, authority);
    spdlog::info("serving as the CA through {}", broker->to_string());
    worker.run(stop);
    spdlog::info("stopped");
    return {};
}

int exit_code(const Result<void>& result) {
    if (result) return 0;
    std::cerr << "error: " << describe(result.error()) << "\n";
    return 1;
}

}  // namespace

int main(int argc, char** argv) {
    tune_allocator();
    disable_core_dumps();
    auto& stop = install_stop_signals();

    CLI::App app{
        "imgshare-ca: the certificate authority. Issues and looks up user certificates "
        "and re-wraps escrowed content keys, serving through the broker."};
    app.require_subcommand(1);
    Options options;

    auto* init = app.add_subcommand(
        "init",
        "Create the CA's signing key, the server's key-wrapping key and the service's "
        "CURVE key in the data directory, and print their public halves as "
        "'key = value' lines. Refuses to replace an existing CA.");
    init->add_option("--data-dir", options.data_dir, "Directory for the CA's keys (made 0700)")
        ->required();

    auto* show =
        app.add_subcommand("show",
                           "Print the public keys of an existing CA as 'key = value' lines "
                           "(ca_verify_key, wrap_public_key, service_public_key)");
    show->add_option("--data-dir", options.data_dir, "The CA's data directory")->required();

    auto* run = app.add_subcommand("run", "Serve CA requests through the broker until SIGTERM");
    run->add_option("--data-dir", options.data_dir, "The CA's data directory (keys, registry)")
        ->required();
    run->add_option("--broker", options.broker,
                    "The broker's backend endpoint, e.g. tcp://127.0.0.1:7402")
        ->required();
    run->add_option("--broker-key", options.broker_key, "The broker's CURVE public key (Z85)")
        ->required();
    run->add_option("--validity-days", options.validity_days, "How long new certificates are valid")
        ->check(CLI::Range(1, 3650))
        ->capture_default_str();
    run->add_option("--log-file", options.log_file, "Protocol log (default DATA_DIR/protocol.log)");
    run->add_option("--log-level", options.log_level, "Operational log level on stderr")
        ->capture_default_str();
    run->add_option("--node-id", options.node_id, "Name this worker gives the broker")
        ->capture_default_str();

    CLI11_PARSE(app, argc, argv);
    init_process_logging("imgshare-ca");
    try {
        if (init->parsed()) return exit_code(init_command(options));
        if (show->parsed()) return exit_code(show_command(options));
        return exit_code(run_command(options, stop));
    } catch (const std::exception& error) {
        std::cerr << "error: INTERNAL: " << error.what() << "\n";
        return 1;
    }
}
