// `imgshare-storage migrate --from-rocksdb DIR --to-rados …`: copies what a stopped storage
// node keeps (any StorageBackend; in practice its RocksDB) into a RADOS pool laid out as the
// RADOS backend keeps it (rados_objects.h), so RADOS nodes started on the pool serve it all.
//
// Promises:
// - Every committed image with its record, every grant and chunk, every share, every pending
//   upload with its session, chunk notes and chunks, and the feed with the SAME seqs (LIST,
//   catch-up and the clients' last-seen positions stay valid).
// - Images are written finished (data and grants in one object, `applied` set), never as
//   staged intents; a post's chunks are written before its image object, the feed's entries
//   after the images they name, and the feed's head last of all.
// - Refuses (CONFIG, nothing written) when the target already holds images: its feed has a
//   head above 0 — a live installation is never merged into. Until its head is written a
//   migration can be run again after an interruption: every write replaces an object's data
//   or omap keys with the same values.
// - Memory does not grow with the images' sizes or number: chunks are streamed one at a
//   time, the feed is written a page of keys at a time; what is held whole is one image's
//   record and grants, and the pending uploads' sessions (at most the nodes' limits each)
//   with one upload's list of noted chunk indexes.
// - No storage node may run on the source or the target while it runs.
#pragma once

#include <cstdint>

#include "common/error.h"
#include "storage-node/rados/rados_pool.h"
#include "storage-node/storage_backend.h"

namespace imgshare::storage {

// What a migration copied.
struct MigrationSummary {
    std::uint64_t images = 0;
    std::uint64_t shares = 0;
    std::uint64_t deleted_entries = 0;  // feed entries of deleted images, copied as entries only
    std::uint64_t grants = 0;
    std::uint64_t chunks = 0;  // of committed images
    std::uint64_t chunk_bytes = 0;
    std::uint64_t pending_uploads = 0;
    std::uint64_t pending_chunks = 0;
    std::uint64_t skipped_uploads = 0;  // sessions that do not decode: left to expire at the source
    std::uint64_t feed_head = 0;
};

[[nodiscard]] Result<MigrationSummary> migrate_to_rados(const StorageBackend& source,
                                                        const rados::RadosPool& target);

}  // namespace imgshare::storage
