// A RocksDB file system that hands the pages of write-once files back to the
// kernel as soon as they are durable.
//
// Why: on this project's reference machine (a VM whose balloon reports free
// memory to the host), a page that stayed free for a few seconds costs a host
// page fault the next time it is touched, so filling the page cache with
// fresh pages was a third of the storage node's CPU while posting
// (docs/BENCHMARKS.md). A page released right after its sync is taken again
// by the next write within milliseconds, still backed.
//
// Promises: only WAL files (read again only by recovery) and blob files (image
// chunks, written once at a flush) are affected. Their pages are released
// only after a Sync or Fsync returned OK, only whole pages of what was
// appended before that sync began (a partial last page stays, so the next
// append does not read it back from disk), and never again once a sync of the
// file failed. Reads are untouched: a download brings the pages it reads back
// into the cache. Everything else is the wrapped file system's.
#pragma once

#include <memory>

#include <rocksdb/file_system.h>

#include "storage-node/pages_released.h"

namespace imgshare::storage {

[[nodiscard]] std::shared_ptr<rocksdb::FileSystem> page_releasing_file_system(
    std::shared_ptr<rocksdb::FileSystem> base, PagesReleased on_released = {});

}  // namespace imgshare::storage
