// Which storage backend `imgshare-storage run --backend NAME` opens: one table
// row per backend (name, how to open it), so adding one is one row and the
// handlers never ask which one they have.
//
// Promises: a name this build has opens that backend or fails with its own
// error (IO_ERROR for a database that will not open); any other name is
// CONFIG, naming the backends this build has — and, for one this build lacks
// (rados without librados), saying so — before anything is opened. RADOS:
// CONFIG without --ceph-conf or --pool, SERVICE_UNAVAILABLE when the cluster
// does not answer within its mount timeout.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "common/error.h"
#include "storage-node/storage_backend.h"

namespace imgshare::storage {

inline constexpr std::string_view kDefaultBackend = "rocksdb";

// What `run` knows that a backend may need.
struct BackendSettings {
    std::filesystem::path data_dir;  // the node's data directory (RocksDB: DATA_DIR/db)
    bool keep_page_cache = false;    // RocksDB: --keep-page-cache
    std::string ceph_conf;           // RADOS: --ceph-conf, the cluster's ceph.conf
    std::string pool;                // RADOS: --pool
    std::string ceph_user = "imgshare";  // RADOS: --ceph-user, without "client."
    std::string pool_namespace;      // RADOS: --pool-namespace ("": the pool's default)
};

[[nodiscard]] Result<std::unique_ptr<StorageBackend>> open_backend(
    std::string_view name, const BackendSettings& settings);

// The names open_backend() accepts, comma-separated, for --help and errors.
[[nodiscard]] std::string backend_names();

}  // namespace imgshare::storage
