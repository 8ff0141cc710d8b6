// RadosBackend's usage index (rados_backend.h, rados_objects.h): the `u.<user>/<upload>` and
// `o.<upload>` keys of the feed object, which the publish of a post sets and the publish of
// its deletion removes, in the same compare-and-swap as their feed entries; usage() reads
// them, and a pool written before the index existed has it built once when a node opens it.
#include <spdlog/spdlog.h>

#include "storage-node/rados_backend.h"
#include "storage-node/rados_objects.h"
#include "storage-node/rados_omap.h"

namespace imgshare::storage {

using namespace rados_layout;
using namespace rados_omap;
using rados::ObjectWrite;
using rados::WriteOutcome;

Result<std::uint64_t> RadosBackend::publish_deletion(std::string_view name,
                                                     const UploadId& upload) const {
    // Whose usage the image is in: o.<upload>, in the feed object itself. Set once, by the
    // post's publish, and removed only by this deletion's, so reading it ahead of the
    // compare-and-swap is safe. Absent for an image posted before the index existed.
    const auto owner_key = usage_owner_key(upload);
    auto owner = pool_.omap_get(std::string(kFeedObject), {owner_key});
    if (!owner) return std::unexpected(std::move(owner.error()));
    ObjectWrite usage;
    if (auto found = owner->find(owner_key); found != owner->end()) {
        usage.omap_remove.insert(usage_key(string_of(found->second), upload));
        usage.omap_remove.insert(owner_key);
    }
    return publish_once(name, deleted_key(upload), usage);
}

Result<OwnerUsage> RadosBackend::usage(std::string_view owner) const {
    const auto prefix = usage_prefix(owner);
    OwnerUsage usage;
    std::optional<Error> problem;
    auto visited = visit_omap(pool_, std::string(kFeedObject), prefix, prefix,
                              [&](const std::string&, const Bytes& value) {
                                  auto added = usage.add_stored(string_of(value));
                                  if (!added) problem = std::move(added.error());
                                  return added.has_value();
                              });
    if (!visited) return std::unexpected(std::move(visited.error()));
    if (problem) return std::unexpected(std::move(*problem));
    return usage;
}

Result<void> RadosBackend::build_usage_index() const {
    const std::string feed(kFeedObject);
    auto built = pool_.omap_get(feed, {std::string(kUsageIndexKey)});
    if (!built) return std::unexpected(std::move(built.error()));
    if (!built->empty()) return {};
    // A pool from before the index: every image's object, once (a start-up walk of the
    // pool, never on a request's path). Several nodes may do it at once: each key is set
    // to the same value.
    auto objects = pool_.list_objects("img.");
    if (!objects) return std::unexpected(std::move(objects.error()));
    std::size_t indexed = 0;
    for (const auto& object : *objects) {
        const auto name = object.substr(4);
        // Rolled forward first: a staged post is indexed by its own publish.
        auto record = settle_image(name);
        if (!record) return std::unexpected(std::move(record.error()));
        if (!*record) continue;
        auto upload = UploadId::from_key(as_string((*record)->upload));
        if (!upload) return fail(ErrorCode::INTERNAL, "stored image record names no upload");
        // Only while the post is published and its deletion is not: a deletion removes
        // p.<name>/0 before its commit point and adds x.<upload> with its entry, so an image
        // deleted meanwhile is never counted.
        ObjectWrite add;
        add.omap_equals.emplace(published_key(name, 0), bytes_of(encode_u64((*record)->seq)));
        add.omap_equals.emplace(deleted_key(*upload), Bytes());
        add.omap_set.emplace(usage_key((*record)->owner, *upload),
                             bytes_of(encode_u64((*record)->size)));
        add.omap_set.emplace(usage_owner_key(*upload), bytes_of((*record)->owner));
        auto written = pool_.write(feed, add);
        if (!written) return std::unexpected(std::move(written.error()));
        if (*written == WriteOutcome::Done) ++indexed;
    }
    if (auto marked = pool_.omap_set(feed, {{std::string(kUsageIndexKey), bytes_of("1")}});
        !marked) {
        return marked;
    }
    spdlog::info("built the owners' usage index of {} images", indexed);
    return {};
}

}  // namespace imgshare::storage
