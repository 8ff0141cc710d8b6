#include "storage-node/store_errors.h"

#include <fmt/format.h>

namespace imgshare::storage {

bool is_disk_full(const rocksdb::Status& status) {
    return status.IsNoSpace() || status.subcode() == rocksdb::Status::SubCode::kSpaceLimit;
}

Error client_error(const rocksdb::Status& status, std::string_view what) {
    if (is_disk_full(status)) {
        return Error{ErrorCode::STORAGE_FULL,
                     "the storage node's disk is full; try again once space is freed there"};
    }
    // A failed device leaves RocksDB read-only too: an IO error, not our bug.
    auto code = status.IsIOError() ? ErrorCode::IO_ERROR : ErrorCode::INTERNAL;
    return Error{code, fmt::format("the storage node's database could not {} (its operational "
                                   "log says why)",
                                   what)};
}

}  // namespace imgshare::storage
