// imgshare-storage: a storage node. `init` creates its CURVE key, `show`
// prints the public half, `run` serves uploads, listings and downloads
// through the broker.
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <string>

#include "common/crypto/keys.h"
#include "common/endpoint.h"
#include "common/logging.h"
#include "common/process.h"
#include "common/protocol/messages.h"
#include "common/protocol_log.h"
#include "common/server_keys.h"
#include "common/service/service_worker.h"
#include "storage-node/image_store.h"
#include "storage-node/storage_service.h"

using namespace imgshare;
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kKeyName = "service";

struct Options {
    std::string data_dir;
    std::string broker;
    std::string broker_key;
    std::string ca_key;
    std::string node_id = "storage";
    std::int64_t upload_timeout_s = 600;
    std::uint64_t max_image_bytes = 1ull << 30;
    std::size_t max_pending_uploads = 4;
    bool keep_page_cache = false;
    std::string log_file;
    std::string log_level = "info";
};

Result<void> init_command(const Options& options) {
    auto key = create_curve_key_files(options.data_dir, kKeyName);
    if (!key) return std::unexpected(key.error());
    std::cout << "service_public_key = " << z85_encode(*key) << "\n";
    return {};
}

Result<void> show_command(const Options& options) {
    auto keys = load_curve_key_files(options.data_dir, kKeyName);
    if (!keys) return std::unexpected(keys.error());
    std::cout << "service_public_key = " << z85_encode(keys->public_key) << "\n";
    return {};
}

Result<Bytes> parse_ca_key(std::string_view hex) {
    auto key = from_hex(hex);
    if (!key || !check_public_key(*key, KeyKind::Signing)) {
        return fail(ErrorCode::CONFIG, "--ca-key is not a hex Ed25519 verify key");
    }
    return key;
}

Result<void> run_command(const Options& options, const std::atomic<bool>& stop) {
    auto level = parse_log_level(options.log_level);
    if (!level) return std::unexpected(level.error());
    init_process_logging("imgshare-storage", *level);
    auto broker = parse_endpoint(options.broker);
    if (!broker) return std::unexpected(broker.error());
    auto broker_key = z85_decode(options.broker_key);
    if (!broker_key) return fail(ErrorCode::CONFIG, "--broker-key is not a Z85 CURVE public key");
    auto ca_key = parse_ca_key(options.ca_key);
    if (!ca_key) return std::unexpected(ca_key.error());
    auto keys = load_curve_key_files(options.data_dir, kKeyName);
    if (!keys) return std::unexpected(keys.error());
    storage::StoreOptions store_options;
    store_options.release_synced_pages = !options.keep_page_cache;
    auto store = storage::ImageStore::open(fs::path(options.data_dir) / "db", store_options);
    if (!store) return std::unexpected(store.error());
    ProtocolLog log("imgshare-storage", options.log_file.empty()
                                            ? fs::path(options.data_dir) / "protocol.log"
                                            : fs::path(options.log_file),
                    LogFlush::Batched);

    SystemClock clock;
    storage::StorageConfig config{std::move(*ca_key), options.max_image_bytes,
                                  options.upload_timeout_s * 1000, options.max_pending_uploads};
    auto service = storage::StorageService::open(*store, clock, std::move(config));
    if (!service) return std::unexpected(service.error());
    service::WorkerConfig worker_config{broker->to_string(), std::move(*broker_key),
                                        std::move(*keys), std::string(kStorageService),
                                        options.node_id};
    service::ServiceWorker worker(std::move(worker_config), log, clock);
    storage::serve(*service, worker);
    spdlog::info("serving as storage node '{}' through {}", options.node_id, broker->to_string());
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
        "imgshare-storage: a storage node. Keeps encrypted images, their signed envelopes, "
        "wrapped keys and the event feed, serving through the broker. It never sees a "
        "plaintext image or key."};
    app.require_subcommand(1);
    Options options;

    auto* init = app.add_subcommand("init",
                                    "Create the node's CURVE key pair (service.key, service.pub) "
                                    "in the data directory and print 'service_public_key = Z85'. "
                                    "Refuses to replace an existing key.");
    init->add_option("--data-dir", options.data_dir, "Directory for the node's key and database")
        ->required();

    auto* show = app.add_subcommand(
        "show", "Print the node's CURVE public key as 'service_public_key = Z85'");
    show->add_option("--data-dir", options.data_dir, "The node's data directory")->required();

    auto* run =
        app.add_subcommand("run", "Serve storage requests through the broker until SIGTERM");
    run->add_option("--data-dir", options.data_dir, "The node's data directory (key, db/)")
        ->required();
    run->add_option("--broker", options.broker,
                    "The broker's backend endpoint, e.g. tcp://127.0.0.1:7402")
        ->required();
    run->add_option("--broker-key", options.broker_key, "The broker's CURVE public key (Z85)")
        ->required();
    run->add_option("--ca-key", options.ca_key,
                    "The CA's Ed25519 verify key (hex): owners' certificates must carry its "
                    "signature")
        ->required();
    run->add_option("--node-id", options.node_id, "Name this worker gives the broker")
        ->capture_default_str();
    run->add_option("--upload-timeout-s", options.upload_timeout_s,
                    "Seconds an upload may sit idle before it and its chunks are removed")
        ->check(CLI::Range(1, 7 * 24 * 3600))
        ->capture_default_str();
    run->add_option("--max-image-size,--max-image-bytes", options.max_image_bytes,
                    "Largest (padded) image one post may have, in bytes; larger posts get "
                    "TOO_LARGE at POST_BEGIN")
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40))
        ->capture_default_str();
    run->add_option("--max-pending-uploads", options.max_pending_uploads,
                    "Uploads one user may have begun and not yet committed; one more gets "
                    "RATE_LIMITED")
        ->check(CLI::Range(1, 1000))
        ->capture_default_str();
    run->add_flag("--keep-page-cache", options.keep_page_cache,
                  "Keep the page cache's copy of RocksDB's write-ahead log and blob files "
                  "once they are synced. By default it is handed back to the kernel: on a VM "
                  "that returns free memory to its host, filling the cache with fresh pages "
                  "costs more than the disk reads it saves. On hardware with memory to spare, "
                  "this flag makes the first download of a new image read from memory. (The "
                  "protocol log's pages are handed back either way.)");
    run->add_option("--log-file", options.log_file, "Protocol log (default DATA_DIR/protocol.log)");
    run->add_option("--log-level", options.log_level, "Operational log level on stderr")
        ->capture_default_str();

    CLI11_PARSE(app, argc, argv);
    init_process_logging("imgshare-storage");
    try {
        if (init->parsed()) return exit_code(init_command(options));
        if (show->parsed()) return exit_code(show_command(options));
        return exit_code(run_command(options, stop));
    } catch (const std::exception& error) {
        std::cerr << "error: INTERNAL: " << error.what() << "\n";
        return 1;
    }
}
