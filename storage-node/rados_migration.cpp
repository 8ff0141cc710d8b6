#include "storage-node/rados_migration.h"

#include <fmt/format.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "storage-node/rados_objects.h"

namespace imgshare::storage {

using namespace rados_layout;
using rados::ObjectWrite;
using rados::OmapValues;

namespace {

// Feed keys per omap write.
constexpr size_t kFeedPage = 512;

Bytes migration_bytes(std::string_view text) { return Bytes(text.begin(), text.end()); }

// The feed keys waiting to be written, flushed a page at a time.
class FeedWriter {
  public:
    explicit FeedWriter(const rados::RadosPool& target) : target_(&target) {}

    // Entry `seq` naming `name`: change `change` of the image stored under it, or (nullopt)
    // an entry of an image deleted since, or of its deletion, which names nothing stored.
    [[nodiscard]] Result<void> add(std::uint64_t seq, std::string_view name,
                                   std::optional<std::uint32_t> change) {
        page_.emplace(entry_key(seq), migration_bytes(name));
        if (change) {
            page_.emplace(published_key(name, *change), migration_bytes(encode_u64(seq)));
        }
        if (page_.size() >= kFeedPage) return flush();
        return {};
    }

    // Post `record` in its owner's usage, as a RADOS node's publish of it would put it.
    [[nodiscard]] Result<void> add_usage(const ImageRecord& record, const UploadId& upload) {
        page_.emplace(usage_key(record.owner, upload), migration_bytes(encode_u64(record.size)));
        page_.emplace(usage_owner_key(upload), migration_bytes(record.owner));
        if (page_.size() >= kFeedPage) return flush();
        return {};
    }

    [[nodiscard]] Result<void> flush() {
        if (page_.empty()) return {};
        auto written = target_->omap_set(std::string(kFeedObject), page_);
        page_.clear();
        return written;
    }

  private:
    const rados::RadosPool* target_;
    OmapValues page_;
};

Result<void> refuse_unless_empty(const rados::RadosPool& target) {
    auto head = target.omap_get(std::string(kFeedObject), {std::string(kHeadKey)});
    if (!head) {
        if (head.error().code == ErrorCode::NOT_FOUND) return {};
        return std::unexpected(std::move(head.error()));
    }
    auto stored = head->find(std::string(kHeadKey));
    if (stored == head->end()) return {};
    auto seq = decode_u64(std::string(stored->second.begin(), stored->second.end()));
    if (!seq) return fail(ErrorCode::INTERNAL, "the target's feed head is unreadable");
    if (*seq > 0) {
        return fail(ErrorCode::CONFIG,
                    fmt::format("the target already holds images (its feed is at seq {}): "
                                "migrate only into an empty pool or --pool-namespace",
                                *seq));
    }
    return {};
}

// Chunks 0..count-1 of `upload`, each read and written on its own.
Result<void> copy_image_chunks(const StorageBackend& source, const rados::RadosPool& target,
                               const UploadId& upload, std::uint32_t count,
                               MigrationSummary& summary) {
    for (std::uint32_t index = 0; index < count; ++index) {
        auto chunk = source.chunk(upload, index);
        if (!chunk) return std::unexpected(std::move(chunk.error()));
        if (!*chunk) {
            return fail(ErrorCode::INTERNAL,
                        fmt::format("the source lacks chunk {} of a committed image", index));
        }
        if (auto written = target.write_full(chunk_object(upload, index), **chunk); !written) {
            return written;
        }
        ++summary.chunks;
        summary.chunk_bytes += (*chunk)->size();
    }
    return {};
}

// A committed image: chunks, then the finished image object, then its upload's note.
Result<void> copy_image(const StorageBackend& source, const rados::RadosPool& target,
                        const ImageRecord& record, MigrationSummary& summary) {
    auto upload = UploadId::from_key(as_string(record.upload));
    if (!upload) return fail(ErrorCode::INTERNAL, "a stored image names no upload");
    if (auto copied = copy_image_chunks(source, target, *upload, record.chunk_count, summary);
        !copied) {
        return copied;
    }
    ObjectWrite image;
    image.data = encode_record(record);
    image.omap_set.emplace(kAppliedKey, migration_bytes(hex8(
                                            static_cast<std::uint32_t>(record.shares.size()))));
    for (const auto& recipient : record.recipients) {
        auto sealed = source.grant(record.name, recipient);
        if (!sealed) return std::unexpected(std::move(sealed.error()));
        if (!*sealed) continue;
        image.omap_set.emplace(grant_omap_key(recipient), std::move(**sealed));
        ++summary.grants;
    }
    if (record.max_downloads != 0) {  // the downloads it has served stay served
        auto counted = source.downloads(record);
        if (!counted) return std::unexpected(std::move(counted.error()));
        if (*counted != 0) {
            image.omap_set.emplace(downloads_omap_key(*upload),
                                   migration_bytes(encode_u64(*counted)));
        }
    }
    // The expiry index before the image, as a commit writes it.
    if (record.expires_at != 0) {
        if (auto indexed = target.omap_set(std::string(kExpiriesObject),
                                           {{expiry_omap_key(record.expires_at, record.name), {}}});
            !indexed) {
            return indexed;
        }
    }
    auto written = target.write(image_object(record.name), image);
    if (!written) return std::unexpected(std::move(written.error()));
    // A client retrying the commit of this upload finds it committed, as on any RADOS node.
    return target.omap_set(upload_object(*upload),
                           {{std::string(kCommittedKey), migration_bytes(record.name)}});
}

// The feed, in seq order: each post's image copied as its entry comes, each share's entry
// matched to its place in the record.
Result<void> copy_images_and_feed(const StorageBackend& source, const rados::RadosPool& target,
                                  MigrationSummary& summary) {
    FeedWriter feed(target);
    std::optional<Error> problem;
    auto visited = source.visit_feed(1, [&](std::uint64_t seq, std::string_view name) {
        auto record = source.image(name);
        if (!record) {
            problem = std::move(record.error());
            return false;
        }
        std::optional<std::uint32_t> change;
        if (!*record) {
            ++summary.deleted_entries;  // an image deleted since, or its deletion
        } else if ((*record)->seq == seq) {
            if (auto copied = copy_image(source, target, **record, summary); !copied) {
                problem = std::move(copied.error());
                return false;
            }
            auto upload = UploadId::from_key(as_string((*record)->upload));
            if (!upload) {
                problem = Error{ErrorCode::INTERNAL, "a stored image names no upload"};
                return false;
            }
            if (auto counted = feed.add_usage(**record, *upload); !counted) {
                problem = std::move(counted.error());
                return false;
            }
            ++summary.images;
            change = 0;
        } else {
            const auto& shares = (*record)->shares;
            for (std::uint32_t k = 0; k < shares.size(); ++k) {
                if (shares[k].seq == seq) change = k + 1;
            }
            // Neither a post nor a share of the image under that name now: of one deleted
            // before it was posted again, or that deletion's entry.
            if (change) {
                ++summary.shares;
            } else {
                ++summary.deleted_entries;
            }
        }
        if (auto added = feed.add(seq, name, change); !added) {
            problem = std::move(added.error());
            return false;
        }
        summary.feed_head = seq;
        return true;
    });
    if (!visited) return visited;
    if (problem) return std::unexpected(std::move(*problem));
    return feed.flush();
}

struct PendingUpload {
    UploadId upload;
    UploadSession session;
    std::int64_t last_chunk_at = 0;
};

// A pending upload: listed, its session, its noted chunks, then their notes.
Result<void> copy_pending_upload(const StorageBackend& source, const rados::RadosPool& target,
                                 const PendingUpload& pending, MigrationSummary& summary) {
    if (auto listed = target.omap_set(std::string(kUploadsObject),
                                      {{pending.upload.text(), Bytes()}});
        !listed) {
        return listed;
    }
    const auto object = upload_object(pending.upload);
    if (auto stored = target.omap_set(
            object, {{std::string(kSessionKey), encode_record(pending.session)}});
        !stored) {
        return stored;
    }
    std::vector<std::uint32_t> noted;
    if (auto walked = source.visit_chunk_notes(pending.upload,
                                               [&](std::uint32_t index) {
                                                   noted.push_back(index);
                                                   return true;
                                               });
        !walked) {
        return walked;
    }
    const auto arrived = pending.last_chunk_at > 0 ? pending.last_chunk_at
                                                   : pending.session.touched_at;
    OmapValues notes;
    for (auto index : noted) {
        auto chunk = source.chunk(pending.upload, index);
        if (!chunk) return std::unexpected(std::move(chunk.error()));
        if (!*chunk) continue;  // a note without its chunk (a crash): the node re-asks for it
        if (auto written = target.write_full(chunk_object(pending.upload, index), **chunk);
            !written) {
            return written;
        }
        notes.emplace(note_key(index),
                      migration_bytes(encode_u64(static_cast<std::uint64_t>(arrived))));
        ++summary.pending_chunks;
        if (notes.size() >= kFeedPage) {
            if (auto written = target.omap_set(object, notes); !written) return written;
            notes.clear();
        }
    }
    if (!notes.empty()) return target.omap_set(object, notes);
    return {};
}

}  // namespace

Result<MigrationSummary> migrate_to_rados(const StorageBackend& source,
                                          const rados::RadosPool& target) {
    if (auto empty = refuse_unless_empty(target); !empty) {
        return std::unexpected(std::move(empty.error()));
    }
    MigrationSummary summary;
    if (auto copied = copy_images_and_feed(source, target, summary); !copied) {
        return std::unexpected(std::move(copied.error()));
    }
    std::vector<PendingUpload> pending;
    if (auto visited = source.visit_sessions([&](const UploadId& upload,
                                                 Result<UploadSession> session,
                                                 std::int64_t last_chunk_at) {
            if (!session) {
                ++summary.skipped_uploads;
                return;
            }
            pending.push_back(PendingUpload{upload, std::move(*session), last_chunk_at});
        });
        !visited) {
        return std::unexpected(std::move(visited.error()));
    }
    for (const auto& upload : pending) {
        if (auto copied = copy_pending_upload(source, target, upload, summary); !copied) {
            return std::unexpected(std::move(copied.error()));
        }
        ++summary.pending_uploads;
    }
    // Last: with the head written the target is a store the RADOS nodes serve (and a second
    // migration into it refuses).
    if (auto head = target.omap_set(std::string(kFeedObject),
                                    {{std::string(kHeadKey),
                                      migration_bytes(encode_u64(summary.feed_head))},
                                     // Its usage keys were written with the feed.
                                     {std::string(kUsageIndexKey), migration_bytes("1")}});
        !head) {
        return std::unexpected(std::move(head.error()));
    }
    return summary;
}

}  // namespace imgshare::storage
