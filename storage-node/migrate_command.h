// `imgshare-storage migrate --from-rocksdb DIR --to-rados --ceph-conf F --pool P
// [--ceph-user U] [--pool-namespace NS]`: the command line of the migration
// (rados_migration.h says what it copies and promises). Opens the stopped node's
// RocksDB store in DIR/db and the pool, migrates, prints a one-line summary.
//
// Errors: CONFIG when DIR holds no store, when this build has no RADOS backend, or when
// the target already holds images; the store's IO_ERROR when the node still runs (it holds
// the database's lock); SERVICE_UNAVAILABLE when the Ceph cluster does not answer.
#pragma once

#include <CLI/CLI.hpp>

#include <ostream>
#include <string>

#include "common/error.h"

namespace imgshare::storage {

struct MigrateOptions {
    std::string from_rocksdb;  // the stopped node's data directory
    bool to_rados = false;
    std::string ceph_conf;
    std::string pool;
    std::string ceph_user = "imgshare";
    std::string pool_namespace;
};

// Adds the flags to `migrate`, replacing the --data-dir every server command has by
// --from-rocksdb (the node's data directory, read only).
void add_migrate_flags(CLI::App& migrate, MigrateOptions& options);

[[nodiscard]] Result<void> run_migrate(const MigrateOptions& options, std::ostream& out);

}  // namespace imgshare::storage
