// What a client is told when the storage node's database fails: a stable code
// and a message that names no file of the server. RocksDB's statuses name the
// file that failed ("While appending to file: /srv/imgshare/storage/db/000012.log:
// No space left on device"); that text belongs in the operational log only.
//
// Promises: a full disk (RocksDB's NoSpace, also when a database stopped by one
// refuses a later write) is STORAGE_FULL; any other I/O failure IO_ERROR; the
// rest INTERNAL. Every message is fixed text plus `what` (the operation, never
// caller data), so it holds no path, key or value.
#pragma once

#include <string_view>

#include <rocksdb/status.h>

#include "common/error.h"

namespace imgshare::storage {

// Whether `status` says the disk (or RocksDB's space limit) is full.
[[nodiscard]] bool is_disk_full(const rocksdb::Status& status);

// The Error a request gets when `what` ("write", "sync", "read", …) failed with
// `status` (not OK).
[[nodiscard]] Error client_error(const rocksdb::Status& status, std::string_view what);

}  // namespace imgshare::storage
