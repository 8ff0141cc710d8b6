#include "storage-node/backend_choice.h"

#include <fmt/format.h>

#include <array>

#include "storage-node/rocksdb_backend.h"

namespace imgshare::storage {
namespace {

Result<std::unique_ptr<StorageBackend>> open_rocksdb(const BackendSettings& settings) {
    StoreOptions options;
    options.release_synced_pages = !settings.keep_page_cache;
    auto backend = RocksDbBackend::open(settings.data_dir / "db", options);
    if (!backend) return std::unexpected(std::move(backend.error()));
    return std::make_unique<RocksDbBackend>(std::move(*backend));
}

struct BuiltBackend {
    std::string_view name;
    Result<std::unique_ptr<StorageBackend>> (*open)(const BackendSettings&);
};
constexpr std::array kBuilt = {BuiltBackend{"rocksdb", open_rocksdb}};

// Named in issue #26 and not built yet: told apart from a typo.
struct PlannedBackend {
    std::string_view name;
    std::string_view why;
};
constexpr std::array kPlanned = {
    PlannedBackend{"rados", "the Ceph RADOS backend is not built yet (issue #26)"}};

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
