// One pool of a Ceph cluster (an IoCtx): whole-object data, omap key/values, one atomic
// operation per object, a compare-and-swap of one omap value, and watch/notify.
//
// Promises: every operation returns a Result and throws nothing; failures are mapped by
// rados_errors.h (a timeout: SERVICE_UNAVAILABLE within the connection's op_timeout, plus
// scheduling slack). Data is always copied into librados (its writes consume the buffer they
// are given, CEPH.md). Atomicity is per object: one `write` is all or nothing; nothing spans
// two objects. Objects above a few MiB are the caller's to split (the cluster refuses
// objects over osd_max_object_size, 128 MiB, with TOO_LARGE). Thread-safe: any number of
// threads may share one RadosPool.
#pragma once

#include <chrono>
#include <cstdint>
#include <ctime>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <rados/librados_fwd.hpp>

#include "common/bytes.h"
#include "common/error.h"
#include "storage-node/rados/rados_watch.h"
#include "storage-node/rados/write_in_flight.h"

namespace imgshare::storage::rados {

using OmapValues = std::map<std::string, Bytes>;

struct ObjectStat {
    std::uint64_t size = 0;
    std::time_t modified = 0;
};

// One page of an object's omap, in key order.
struct OmapPage {
    OmapValues values;
    bool more = false;  // keys after the last one returned remain
};

// An object's data and omap keys, read in one operation (one moment of the object).
struct DataAndOmap {
    Bytes data;
    OmapPage omap;
};

// What one atomic `write` does to one object, in this order, all or nothing:
struct ObjectWrite {
    // Create the object; it must not exist yet (else the outcome is AlreadyExists). Not
    // meant to be combined with omap_equals (there is nothing to compare in a new object).
    bool create_exclusive = false;
    // Each key must hold exactly this value (else the outcome is ComparisonFailed). The OSD
    // compares an absent key as the empty value. The object must exist (NOT_FOUND otherwise).
    OmapValues omap_equals;
    // Replace the object's data with these bytes.
    std::optional<Bytes> data;
    OmapValues omap_set;
    std::set<std::string> omap_remove;
    // Remove the whole object (data and omap) once the comparisons held: a compare-and-delete.
    bool remove_object = false;
};

enum class WriteOutcome {
    Done,              // every part applied
    AlreadyExists,     // create_exclusive on an existing object: nothing changed
    ComparisonFailed,  // an omap_equals did not hold: nothing changed
};

// What a notify found: how many watchers acknowledged it, how many did not in time.
struct NotifyResult {
    std::size_t acknowledged = 0;
    std::size_t timed_out = 0;
};

class RadosPool {
public:
    RadosPool(std::shared_ptr<librados::Rados> rados, std::unique_ptr<librados::IoCtx> io);
    RadosPool(RadosPool&&) noexcept;
    RadosPool& operator=(RadosPool&&) noexcept;
    RadosPool(const RadosPool&) = delete;
    RadosPool& operator=(const RadosPool&) = delete;
    ~RadosPool();

    // Replaces the object's data (creating it).
    [[nodiscard]] Result<void> write_full(const std::string& object, ByteView data) const;
    // The same, begun and not waited for: its WriteInFlight gives the result. The pool
    // must outlive it.
    [[nodiscard]] Result<WriteInFlight> begin_write_full(const std::string& object,
                                                         ByteView data) const;
    // The whole object's data; NOT_FOUND if there is no such object.
    [[nodiscard]] Result<Bytes> read(const std::string& object) const;
    // At most `length` bytes from `offset` (fewer at the end; none past it).
    [[nodiscard]] Result<Bytes> read(const std::string& object, std::uint64_t offset,
                                     std::uint64_t length) const;
    // The whole data of each of `objects`, read at once (the operations in flight together:
    // one round trip for all, not one each), each result in its place: NOT_FOUND for a
    // missing object. At most kMaxReadEach objects (a bug otherwise: INTERNAL for each).
    static constexpr std::size_t kMaxReadEach = 64;
    [[nodiscard]] std::vector<Result<Bytes>> read_each(
        const std::vector<std::string>& objects) const;
    // NOT_FOUND if there is no such object.
    [[nodiscard]] Result<void> remove(const std::string& object) const;
    [[nodiscard]] Result<ObjectStat> stat(const std::string& object) const;
    // The names of the objects in this pool's namespace that start with `prefix`. Walks
    // every object of the namespace: for tests and tools, never on a request's path.
    [[nodiscard]] Result<std::vector<std::string>> list_objects(const std::string& prefix) const;

    // One atomic operation on one object (ObjectWrite above).
    [[nodiscard]] Result<WriteOutcome> write(const std::string& object,
                                             const ObjectWrite& write) const;

    // The values of those of `keys` that exist (absent keys are left out); NOT_FOUND if
    // there is no such object.
    [[nodiscard]] Result<OmapValues> omap_get(const std::string& object,
                                              const std::set<std::string>& keys) const;
    // At most `limit` keys after `after` ("" from the first), in key order.
    [[nodiscard]] Result<OmapPage> omap_get_after(const std::string& object,
                                                  const std::string& after,
                                                  std::uint64_t limit) const;
    // The whole data and at most `limit` omap keys starting with `prefix` (in key order),
    // in one operation: one round trip, and no write falls between the two; NOT_FOUND if
    // there is no such object.
    [[nodiscard]] Result<DataAndOmap> read_with_omap(const std::string& object,
                                                     const std::string& prefix,
                                                     std::uint64_t limit) const;
    // Sets the keys (creating the object if needed).
    [[nodiscard]] Result<void> omap_set(const std::string& object, const OmapValues& values) const;
    // Removes the keys (absent keys are no error); NOT_FOUND if there is no such object.
    [[nodiscard]] Result<void> omap_remove(const std::string& object,
                                           const std::set<std::string>& keys) const;

    // Sets `key` to `desired` if it holds `expected` now (an absent key holds the empty
    // value), in one operation: true if it did, false if not, changing nothing. The
    // primitive for a counter shared by several clients: read, compute, swap, retry.
    [[nodiscard]] Result<bool> compare_and_swap(const std::string& object, const std::string& key,
                                                ByteView expected, ByteView desired) const;

    // Watches `object` (which must exist): `on_notify` runs on a librados thread for each
    // notify any client sends to it, with the notify's payload, and is acknowledged after
    // it returns. `on_error` runs when the watch was lost (the cluster or connection went
    // away: notifies may have been missed; read the truth again and watch anew). Both must
    // not block for long. The Watch ends the watch when destroyed, and no callback runs after.
    [[nodiscard]] Result<Watch> watch(const std::string& object,
                                      std::function<void(ByteView payload)> on_notify,
                                      std::function<void(const Error&)> on_error = {}) const;
    // Sends `payload` to every watcher of `object` and waits (at most `timeout`) for their
    // acknowledgements. Watchers that did not answer in time are counted, not an error.
    [[nodiscard]] Result<NotifyResult> notify(const std::string& object, ByteView payload,
                                              std::chrono::milliseconds timeout) const;

private:
    std::shared_ptr<librados::Rados> rados_;  // outlives io_: declared first, destroyed last
    std::unique_ptr<librados::IoCtx> io_;
};

}  // namespace imgshare::storage::rados
