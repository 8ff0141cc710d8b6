#include "storage-node/backend_choice.h"

#include <fmt/format.h>

#include <array>

#include "storage-node/rocksdb_backend.h"
#ifdef IMGSHARE_WITH_RADOS
#include "storage-node/rados/rados_connection.h"
#include "storage-node/rados_backend.h"
#endif

namespace imgshare::storage {
namespace {

Result<std::unique_ptr<StorageBackend>> open_rocksdb(const BackendSettings& settings) {
    StoreOptions options;
    options.release_synced_pages = !settings.keep_page_cache;
    auto backend = RocksDbBackend::open(settings.data_dir / "db", options);
    if (!backend) return std::unexpected(std::move(backend.error()));
    return std::make_unique<RocksDbBackend>(std::move(*backend));
}

#ifdef IMGSHARE_WITH_RADOS
Result<std::unique_ptr<StorageBackend>> open_rados(const BackendSettings& settings) {
    if (settings.ceph_conf.empty() || settings.pool.empty()) {
        return fail(ErrorCode::CONFIG, "--backend rados needs --ceph-conf FILE and --pool NAME");
    }
    rados::ConnectOptions options;
    options.conf_file = settings.ceph_conf;
    options.user = settings.ceph_user;
    auto connection = rados::RadosConnection::connect(options);
    if (!connection) return std::unexpected(std::move(connection.error()));
    auto backend = RadosBackend::open(*connection, settings.pool, settings.pool_namespace);
    if (!backend) return std::unexpected(std::move(backend.error()));
    return std::unique_ptr<StorageBackend>(std::move(*backend));
}
#endif

struct BuiltBackend {
    std::string_view name;
    Result<std::unique_ptr<StorageBackend>> (*open)(const BackendSettings&);
};
#ifdef IMGSHARE_WITH_RADOS
constexpr std::array kBuilt = {BuiltBackend{"rocksdb", open_rocksdb},
                               BuiltBackend{"rados", open_rados}};
#else
constexpr std::array kBuilt = {BuiltBackend{"rocksdb", open_rocksdb}};
#endif

// Known, but not in this build: told apart from a typo.
struct PlannedBackend {
    std::string_view name;
    std::string_view why;
};
#ifdef IMGSHARE_WITH_RADOS
constexpr std::array<PlannedBackend, 0> kPlanned = {};
#else
constexpr std::array kPlanned = {PlannedBackend{
    "rados", "this build has no Ceph RADOS backend (librados was not found when it was "
             "built: IMGSHARE_RADOS=1 deploy/bootstrap.sh)"}};
#endif

}  // namespace

std::string backend_names() {
    std::string names;
    for (const auto& backend : kBuilt) {
        if (!names.empty()) names += ", ";
        names += backend.name;
    }
    return names;
}

Result<std::unique_ptr<StorageBackend>> open_backend(std::string_view name,
                                                     const BackendSettings& settings) {
    for (const auto& backend : kBuilt) {
        if (backend.name == name) return backend.open(settings);
    }
    for (const auto& planned : kPlanned) {
        if (planned.name == name) {
            return fail(ErrorCode::CONFIG, fmt::format("--backend {}: {}; this build has: {}",
                                                       name, planned.why, backend_names()));
        }
    }
    return fail(ErrorCode::CONFIG, fmt::format("--backend {}: no such storage backend; this "
                                               "build has: {}",
                                               name, backend_names()));
}

}  // namespace imgshare::storage
