// imgshare-ca: the certificate authority service. `init` creates its keys,
// `show` prints their public halves, `run` serves CA requests through the broker,
// `revoke` revokes a user (through the running CA when there is one).
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <string>

#include "ca-service/admin_channel.h"
#include "ca-service/ca_keys.h"
#include "ca-service/certificate_authority.h"
#include "ca-service/registry.h"
#include "ca-service/revocation.h"
#include "common/duration.h"
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
    std::string validity = format_duration(ca::kDefaultValiditySeconds);
    std::string username;  // revoke
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

Result<void> revoke_command(const Options& options) {
    SystemClock clock;
    auto done = ca::revoke_command(options.data_dir, options.username, clock);
    if (!done) return std::unexpected(done.error());
    std::cout << *done << "\n";
    return {};
}

// At least a second (tests use seconds) and at most ten years.
Result<std::int64_t> validity_seconds(const std::string& text) {
    constexpr std::int64_t kMaxValiditySeconds = 3650LL * 86'400;
    auto seconds = parse_duration_seconds(text);
    if (!seconds) return fail(ErrorCode::CONFIG, "--validity: " + seconds.error().message);
    if (*seconds > kMaxValiditySeconds) {
        return fail(ErrorCode::CONFIG, "--validity: at most 3650d");
    }
    return seconds;
}

Result<void> run_command(const Options& options, const std::atomic<bool>& stop) {
    auto level = parse_log_level(options.log_level);
    if (!level) return std::unexpected(level.error());
    init_process_logging("imgshare-ca", *level);
    auto validity = validity_seconds(options.validity);
    if (!validity) return std::unexpected(validity.error());
    auto broker = parse_endpoint(options.broker);
    if (!broker) return std::unexpected(broker.error());
    auto broker_key = z85_decode(options.broker_key);
    if (!broker_key) return fail(ErrorCode::CONFIG, "--broker-key is not a Z85 CURVE public key");
    auto keys = ca::load_ca_keys(options.data_dir);
    if (!keys) return std::unexpected(keys.error());
    auto registry = ca::Registry::open(ca::registry_path(options.data_dir));
    if (!registry) return std::unexpected(registry.error());
    // Bound only while this process holds the registry's lock, so the socket is ours.
    auto admin = ca::AdminServer::bind(options.data_dir);
    if (!admin) return std::unexpected(admin.error());
    ProtocolLog log("imgshare-ca", options.log_file.empty()
                                       ? fs::path(options.data_dir) / "protocol.log"
                                       : fs::path(options.log_file),
                    LogFlush::Batched);

    SystemClock clock;
    ca::CertificateAuthority authority(*keys, *registry, clock, *validity);
    // The worker takes the CURVE pair; the authority uses only the signing and wrap keys.
    service::WorkerConfig config{broker->to_string(), std::move(*broker_key),
                                 std::move(keys->service), std::string(kCaService),
                                 options.node_id};
    service::ServiceWorker worker(std::move(config), log, clock);
    ca::install_handlers(worker, authority);
    ca::serve_revocations(worker, **admin, *registry, clock);
    spdlog::info("serving as the CA through {} (certificates valid for {})", broker->to_string(),
                 format_duration(*validity));
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
    run->add_option("--validity", options.validity,
                    "How long certificates issued from now on are valid (REGISTER and RENEW): "
                    "90s, 30m, 12h, 365d; at most 3650d. Existing certificates keep theirs.")
        ->capture_default_str();
    run->add_option("--log-file", options.log_file, "Protocol log (default DATA_DIR/protocol.log)");
    run->add_option("--log-level", options.log_level, "Operational log level on stderr")
        ->capture_default_str();
    run->add_option("--node-id", options.node_id, "Name this worker gives the broker")
        ->capture_default_str();

    auto* revoke = app.add_subcommand(
        "revoke",
        "Revoke USERNAME's certificate for good: the broker refuses their key and their "
        "requests at once, clients refuse their images. Through the running CA's admin "
        "socket (DATA_DIR/admin.sock) when it runs, else in the registry directly. Revoking "
        "twice changes nothing.");
    revoke->add_option("USERNAME", options.username, "The user to revoke")->required();
    revoke->add_option("--data-dir", options.data_dir, "The CA's data directory")->required();

    CLI11_PARSE(app, argc, argv);
    init_process_logging("imgshare-ca");
    try {
        if (init->parsed()) return exit_code(init_command(options));
        if (show->parsed()) return exit_code(show_command(options));
        if (revoke->parsed()) return exit_code(revoke_command(options));
        return exit_code(run_command(options, stop));
    } catch (const std::exception& error) {
        std::cerr << "error: INTERNAL: " << error.what() << "\n";
        return 1;
    }
}
