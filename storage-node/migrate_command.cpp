#include "storage-node/migrate_command.h"

#include <fmt/format.h>

#include <filesystem>

#include "storage-node/backend_choice.h"
#ifdef IMGSHARE_WITH_RADOS
#include "storage-node/rados/rados_connection.h"
#include "storage-node/rados_migration.h"
#endif

namespace imgshare::storage {

void add_migrate_flags(CLI::App& migrate, MigrateOptions& options) {
    if (auto* data_dir = migrate.get_option_no_throw("--data-dir")) migrate.remove_option(data_dir);
    migrate.add_option("--from-rocksdb", options.from_rocksdb,
                       "The stopped storage node's data directory (its RocksDB store is "
                       "DIR/db); its images, uploads and feed are read, never changed")
        ->required();
    migrate.add_flag("--to-rados", options.to_rados,
                     "Copy into a Ceph RADOS pool (the only target there is)")
        ->required();
    migrate.add_option("--ceph-conf", options.ceph_conf, "The cluster's ceph.conf")->required();
    migrate.add_option("--pool", options.pool, "The pool the RADOS nodes will use")->required();
    migrate.add_option("--ceph-user", options.ceph_user,
                       "The Ceph client's id, without 'client.'")
        ->capture_default_str();
    migrate.add_option("--pool-namespace", options.pool_namespace,
                       "The RADOS namespace the nodes will name in their --pool-namespace");
}

Result<void> run_migrate(const MigrateOptions& options, std::ostream& out) {
#ifdef IMGSHARE_WITH_RADOS
    const std::filesystem::path dir = options.from_rocksdb;
    std::error_code error;
    if (!std::filesystem::is_directory(dir / "db", error)) {
        return fail(ErrorCode::CONFIG,
                    "--from-rocksdb: no storage node's store there (no db/ directory)");
    }
    BackendSettings settings;
    settings.data_dir = dir;
    auto source = open_backend("rocksdb", settings);
    if (!source) return std::unexpected(std::move(source.error()));
    rados::ConnectOptions connect;
    connect.conf_file = options.ceph_conf;
    connect.user = options.ceph_user;
    auto connection = rados::RadosConnection::connect(connect);
    if (!connection) return std::unexpected(std::move(connection.error()));
    auto pool = connection->open_pool(options.pool, options.pool_namespace);
    if (!pool) return std::unexpected(std::move(pool.error()));
    auto summary = migrate_to_rados(**source, *pool);
    if (!summary) return std::unexpected(std::move(summary.error()));
    out << fmt::format(
        "migrated {} images ({} chunks, {} bytes), {} shares, {} grants, {} pending uploads "
        "({} chunks; {} unreadable left behind); feed head {}\n",
        summary->images, summary->chunks, summary->chunk_bytes, summary->shares,
        summary->grants, summary->pending_uploads, summary->pending_chunks,
        summary->skipped_uploads, summary->feed_head);
    return {};
#else
    (void)options;
    (void)out;
    return fail(ErrorCode::CONFIG,
                "migrate --to-rados: this build has no Ceph RADOS backend (librados was not "
                "found when it was built: IMGSHARE_RADOS=1 deploy/bootstrap.sh)");
#endif
}

}  // namespace imgshare::storage
