// imgshare-storage: a storage node. `init` creates its CURVE key, `show`
// prints the public half, `run` serves uploads, listings and downloads
// through the broker (common/service/server_main.h: the command line every
// server shares), `migrate` copies a stopped node's RocksDB store into RADOS
// (migrate_command.h).
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <filesystem>
#include <ostream>
#include <string>
#include <tuple>

#include "common/clock.h"
#include "common/crypto/keys.h"
#include "common/duration.h"
#include "common/protocol/messages.h"
#include "common/server_keys.h"
#include "common/service/server_main.h"
#include "common/service/service_worker.h"
#include "common/service/worker_flags.h"
#include "storage-node/backend_choice.h"
#include "storage-node/migrate_command.h"
#include "storage-node/storage_service.h"

using namespace imgshare;
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kKeyName = "service";

struct Options {
    service::WorkerFlags worker{std::string(kStorageService)};
    std::string ca_key;
    std::int64_t upload_timeout_s = 600;
    std::uint64_t max_image_bytes = 1ull << 30;
    std::size_t max_pending_uploads = 4;
    std::uint64_t quota_bytes_per_user = 0;
    bool keep_page_cache = false;
    std::string backend = std::string(storage::kDefaultBackend);
    std::string ceph_conf;
    std::string pool;
    std::string ceph_user = "imgshare";
    std::string pool_namespace;
    std::string max_expiry;
    std::string default_expiry;
};

void add_run_flags(CLI::App& run, Options& options) {
    options.worker.add_to(run);
    run.add_option("--ca-key", options.ca_key,
                   "The CA's Ed25519 verify key (hex): owners' certificates must carry its "
                   "signature")
        ->required();
    run.add_option("--upload-timeout-s", options.upload_timeout_s,
                   "Seconds an upload may sit idle before it and its chunks are removed; "
                   "counted from its last activity, across restarts (a restart does not "
                   "reset it)")
        ->check(CLI::Range(1, 7 * 24 * 3600))
        ->capture_default_str();
    run.add_option("--max-image-size,--max-image-bytes", options.max_image_bytes,
                   "Largest (padded) image one post may have, in bytes; larger posts get "
                   "TOO_LARGE at POST_BEGIN")
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40))
        ->capture_default_str();
    run.add_option("--max-pending-uploads", options.max_pending_uploads,
                   "Uploads one user may have begun and not yet committed; one more gets "
                   "RATE_LIMITED until one commits, expires or is abandoned (imgshare "
                   "uploads --abandon)")
        ->check(CLI::Range(std::size_t{1}, kMaxPendingUploads))
        ->capture_default_str();
    run.add_option("--quota-bytes-per-user", options.quota_bytes_per_user,
                   "Padded bytes one user may store, committed images and pending uploads "
                   "together (imgshare usage shows them); a post that would go past it gets "
                   "QUOTA_EXCEEDED at POST_BEGIN, before any chunk is sent. 0: no quota")
        ->capture_default_str();
    run.add_option("--backend", options.backend,
                   "Where images, uploads and the feed are kept: " + storage::backend_names() +
                       " (rocksdb: an embedded database in DATA_DIR/db; rados: a pool of a "
                       "Ceph cluster that several storage nodes share)")
        ->capture_default_str();
    run.add_option("--ceph-conf", options.ceph_conf,
                   "--backend rados: the cluster's ceph.conf (deploy/ceph.sh writes DIR/ceph.conf)");
    run.add_option("--pool", options.pool, "--backend rados: the pool images are kept in");
    run.add_option("--pool-namespace", options.pool_namespace,
                   "--backend rados: keep every object in this RADOS namespace of the pool, so "
                   "several installations (or test runs) can share one pool; every node of one "
                   "installation must name the same");
    run.add_option("--ceph-user", options.ceph_user,
                   "--backend rados: the Ceph client's id, without 'client.' (its key comes "
                   "from the keyring the conf names)")
        ->capture_default_str();
    run.add_option("--max-expiry", options.max_expiry,
                   "Longest an image is kept, e.g. 30d (s, m, h or d): a post whose signed "
                   "expiry (imgshare post --expires) is later is refused at POST_BEGIN, and an "
                   "image posted without one is removed this long after its post. Default: "
                   "no bound");
    run.add_option("--default-expiry", options.default_expiry,
                   "How long an image posted without an expiry is kept, e.g. 7d (at most "
                   "--max-expiry). Default: for good (or --max-expiry)");
    run.add_flag("--keep-page-cache", options.keep_page_cache,
                 "Keep the page cache's copy of RocksDB's write-ahead log and blob files "
                 "once they are synced. By default it is handed back to the kernel: on a VM "
                 "that returns free memory to its host, filling the cache with fresh pages "
                 "costs more than the disk reads it saves. On hardware with memory to spare, "
                 "this flag makes the first download of a new image read from memory. (The "
                 "protocol log's pages are handed back either way.)");
}

Result<Bytes> parse_ca_key(std::string_view hex) {
    auto key = from_hex(hex);
    if (!key || !check_public_key(*key, KeyKind::Signing)) {
        return fail(ErrorCode::CONFIG, "--ca-key is not a hex Ed25519 verify key");
    }
    return key;
}

Result<void> serve(const Options& options, const service::RunContext& context) {
    auto ca_key = parse_ca_key(options.ca_key);
    if (!ca_key) return std::unexpected(ca_key.error());
    auto keys = load_curve_key_files(context.data_dir(), kKeyName);
    if (!keys) return std::unexpected(keys.error());
    auto worker_config = options.worker.config(std::move(*keys));
    if (!worker_config) return std::unexpected(worker_config.error());
    storage::BackendSettings settings;
    settings.data_dir = context.data_dir();
    settings.keep_page_cache = options.keep_page_cache;
    settings.ceph_conf = options.ceph_conf;
    settings.pool = options.pool;
    settings.ceph_user = options.ceph_user;
    settings.pool_namespace = options.pool_namespace;
    auto backend = storage::open_backend(options.backend, settings);
    if (!backend) return std::unexpected(backend.error());
    ProtocolLog log = context.open_protocol_log();

    SystemClock clock;
    storage::StorageConfig config{std::move(*ca_key), options.max_image_bytes,
                                  options.upload_timeout_s * 1000, options.max_pending_uploads};
    for (auto [text, seconds, flag] :
         {std::tuple{&options.max_expiry, &config.max_expiry_seconds, "--max-expiry"},
          std::tuple{&options.default_expiry, &config.default_expiry_seconds,
                     "--default-expiry"}}) {
        if (text->empty()) continue;
        auto parsed = parse_duration_seconds(*text);
        if (!parsed) {
            return fail(ErrorCode::CONFIG, fmt::format("{}: {}", flag, parsed.error().message));
        }
        *seconds = *parsed;
    }
    config.quota_bytes_per_user = options.quota_bytes_per_user;
    auto service = storage::StorageService::open(**backend, clock, std::move(config));
    if (!service) return std::unexpected(service.error());
    const std::string node = worker_config->node_id;
    const std::string broker = worker_config->broker_endpoint;
    service::ServiceWorker worker(std::move(*worker_config), log, clock);
    storage::serve(*service, worker);
    spdlog::info("serving as storage node '{}' through {}", node, broker);
    worker.run(context.stop());
    spdlog::info("stopped");
    return {};
}

}  // namespace

int main(int argc, char** argv) {
    Options options;
    storage::MigrateOptions migrate;
    service::ServerProgram program{
        .name = "imgshare-storage",
        .description =
            "imgshare-storage: a storage node. Keeps encrypted images, their signed envelopes, "
            "wrapped keys and the event feed, serving through the broker. It never sees a "
            "plaintext image or key.",
        .keys = service::curve_key_files(std::string(kKeyName), "service_public_key = "),
        .init = {"Create the node's CURVE key pair (service.key, service.pub) in the data "
                 "directory and print 'service_public_key = Z85'. Refuses to replace an "
                 "existing key.",
                 "Directory for the node's key and database"},
        .show = {"Print the node's CURVE public key as 'service_public_key = Z85'",
                 "The node's data directory"},
        .run = {"Serve storage requests through the broker until SIGTERM",
                "The node's data directory (key, db/)"},
        .add_run_flags = [&](CLI::App& run) { add_run_flags(run, options); },
        .serve = [&](const service::RunContext& context) { return serve(options, context); },
        .extra_commands = {service::ExtraCommand{
            .name = "migrate",
            .text = {"Copy a stopped node's RocksDB store (every image, grant, share, pending "
                     "upload and the feed, same seqs) into a Ceph RADOS pool for --backend "
                     "rados; refuses a target that already holds images; prints a summary. A "
                     "migration cut short is finished by running it again; start no node on the "
                     "target before it has printed its summary (docs/STORAGE.md)",
                     ""},
            .add_flags = [&](CLI::App& command) { storage::add_migrate_flags(command, migrate); },
            .action = [&](const fs::path&, std::ostream& out) {
                return storage::run_migrate(migrate, out);
            }}},
    };
    return service::run_server_main(argc, argv, program);
}
