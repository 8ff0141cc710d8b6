#include "storage-node/rados_backend.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "storage-node/rados_feed_notifier.h"
#include "storage-node/rados_objects.h"
#include "storage-node/rados_omap.h"

namespace imgshare::storage {

using namespace rados_layout;
using namespace rados_omap;
using rados::ObjectWrite;
using rados::OmapValues;
using rados::WriteOutcome;

RadosBackend::RadosBackend(rados::RadosPool pool)
    : pool_(std::move(pool)),
      head_(std::make_shared<std::atomic<std::uint64_t>>(0)),
      watch_lost_(std::make_shared<std::atomic<bool>>(false)) {}

RadosBackend::~RadosBackend() {
    // A clean stop notes the chunks whose writes it began (a kill leaves them unnoted, which
    // UploadSessions::recover mends).
    settle_chunk_writes();
}

Result<std::unique_ptr<RadosBackend>> RadosBackend::open(const rados::RadosConnection& connection,
                                                         std::string_view pool,
                                                         std::string_view object_namespace) {
    auto opened = connection.open_pool(pool, object_namespace);
    if (!opened) return std::unexpected(std::move(opened.error()));
    ObjectWrite create;
    create.create_exclusive = true;
    create.omap_set.emplace(kHeadKey, bytes_of(encode_u64(0)));
    create.omap_set.emplace(kUsageIndexKey, bytes_of("1"));  // a new pool needs no build
    auto created = opened->write(std::string(kFeedObject), create);
    if (!created) return std::unexpected(std::move(created.error()));
    std::unique_ptr<RadosBackend> backend(new RadosBackend(std::move(*opened)));
    if (auto head = backend->read_feed_head(); !head) return std::unexpected(head.error());
    if (auto watched = backend->watch_feed(); !watched) {
        return std::unexpected(std::move(watched.error()));
    }
    backend->notifier_ = std::make_unique<RadosFeedNotifier>(backend->pool_);
    if (auto indexed = backend->build_usage_index(); !indexed) {
        return std::unexpected(std::move(indexed.error()));
    }
    return backend;
}

bool RadosBackend::resume_writes() {
    if (watch_lost_->load()) {
        if (auto watched = watch_feed(); !watched) {
            spdlog::warn("feed watch lost; watching again failed: {}", watched.error().message);
            watch_lost_->store(true);
        } else {
            auto head = pool_.omap_get(std::string(kFeedObject), {std::string(kHeadKey)});
            if (head && head->contains(std::string(kHeadKey))) {
                if (auto seq = decode_seq(head->at(std::string(kHeadKey)))) saw_head(*seq);
            }
        }
    }
    return true;
}

// --- Committed images ---------------------------------------------------------------

Result<std::optional<ImageRecord>> RadosBackend::settle_image(std::string_view name) const {
    const auto object = image_object(name);
    // The staged changes and the data in one operation, so they are of one moment: a
    // finish never falls between them (one round trip, too: a DOWNLOAD that misses the
    // record cache reads this object once).
    auto read = pool_.read_with_omap(object, std::string(kStagePrefix), kOmapPage);
    if (!read) {
        if (is_not_found(read.error())) return std::optional<ImageRecord>();
        return std::unexpected(std::move(read.error()));
    }
    if (read->omap.more) {
        // More staged changes than a page (never in practice: each waits for the one
        // before it): read in pages, the intents before the data.
        return settle_image_paged(name);
    }
    return settle_from(name, read->data, read->omap.values);
}

Result<std::optional<ImageRecord>> RadosBackend::settle_image_paged(std::string_view name) const {
    const auto object = image_object(name);
    // The intents first, then the data: a finish between the two reads shows as an intent
    // already applied, never as a record missing a change that was finished.
    OmapValues stages;
    if (auto listed = visit_omap(pool_, object, kStagePrefix, std::string(kStagePrefix),
                                 [&](const std::string& key, const Bytes& value) {
                                     stages.emplace(key, value);
                                     return true;
                                 });
        !listed) {
        return std::unexpected(std::move(listed.error()));
    }
    auto data = pool_.read(object);
    if (!data) {
        if (is_not_found(data.error())) return std::optional<ImageRecord>();
        return std::unexpected(std::move(data.error()));
    }
    return settle_from(name, *data, stages);
}

Result<std::optional<ImageRecord>> RadosBackend::settle_from(std::string_view name,
                                                             const Bytes& data,
                                                             const OmapValues& stages) const {
    std::optional<ImageRecord> current;
    if (!data.empty()) {
        auto decoded = decode_image_record(data);
        if (!decoded) return std::unexpected(std::move(decoded.error()));
        current = std::move(*decoded);
    }
    for (const auto& [key, staged] : stages) {
        auto change = number_after<std::uint32_t>(key, kStagePrefix);
        if (!change) return fail(ErrorCode::INTERNAL, "stored image intent is unreadable");
        const bool applied =
            *change == 0 ? current.has_value() : current && current->shares.size() >= *change;
        if (applied) continue;
        auto finished = publish_and_finish(name, *change, staged);
        if (!finished) return std::unexpected(std::move(finished.error()));
        current = std::move(*finished);
    }
    return current;
}

Result<ImageRecord> RadosBackend::publish_and_finish(std::string_view name, std::uint32_t change,
                                                     const Bytes& staged, bool listed) const {
    auto decoded = decode_map<StagedChange>(staged);
    if (!decoded) return fail(ErrorCode::INTERNAL, "stored image intent is unreadable");
    auto record = decode_image_record(decoded->record);
    if (!record) return std::unexpected(std::move(record.error()));
    if (change > 0 && record->shares.size() != change) {
        return fail(ErrorCode::INTERNAL, "stored share intent is unreadable");
    }
    auto seq = publish(*record, change);
    if (!seq) return std::unexpected(std::move(seq.error()));
    if (change == 0) {
        record->seq = *seq;
    } else {
        record->shares.back().seq = *seq;
    }
    ObjectWrite finish;
    finish.omap_equals.emplace(stage_key(change), staged);
    finish.data = encode_record(*record);
    finish.omap_set.emplace(kAppliedKey, bytes_of(hex8(change)));
    for (const auto& grant : decoded->grants) {
        finish.omap_set.emplace(grant_omap_key(grant.recipient), grant.sealed_key);
    }
    if (change > 0) {  // a revoke: the readers it takes back lose their grants with it
        for (const auto& reader : record->shares.back().removed)
            finish.omap_remove.insert(grant_omap_key(reader));
    }
    finish.omap_remove.insert(stage_key(change));
    // ComparisonFailed: another node finished this change already, with these same bytes.
    auto finished = pool_.write(image_object(name), finish);
    if (!finished) return std::unexpected(std::move(finished.error()));
    if (change == 0) {
        auto upload = UploadId::from_key(as_string(record->upload));
        if (!upload) return fail(ErrorCode::INTERNAL, "stored image record names no upload");
        if (auto ended = finish_upload(*upload, name, record->chunk_count, listed); !ended) {
            return std::unexpected(std::move(ended.error()));
        }
    }
    return std::move(*record);
}

Result<void> RadosBackend::finish_upload(const UploadId& upload, std::string_view name,
                                         std::uint32_t chunk_count, bool listed) const {
    const auto object = upload_object(upload);
    // Notes first, in bounded batches; the last write ends the session and notes the name.
    constexpr std::uint32_t kBatch = 4096;
    ObjectWrite ended;
    for (std::uint32_t index = 0; index < chunk_count; ++index) {
        ended.omap_remove.insert(note_key(index));
        if (ended.omap_remove.size() == kBatch && index + 1 < chunk_count) {
            if (auto removed = pool_.omap_remove(object, ended.omap_remove); !removed) {
                if (!is_not_found(removed.error())) return removed;
            }
            ended.omap_remove.clear();
        }
    }
    ended.omap_remove.insert(std::string(kSessionKey));
    ended.omap_remove.insert(std::string(kCommittingKey));
    ended.omap_set.emplace(kCommittedKey, bytes_of(name));
    auto written = pool_.write(object, ended);
    if (!written) return std::unexpected(std::move(written.error()));
    if (!listed) return {};
    if (auto unlisted = pool_.omap_remove(std::string(kUploadsObject), {upload.text()});
        !unlisted && !is_not_found(unlisted.error())) {
        return unlisted;
    }
    return {};
}

Result<std::optional<ImageRecord>> RadosBackend::image(std::string_view name) const {
    return settle_image(name);
}

Result<bool> RadosBackend::has_image(std::string_view name) const {
    auto stat = pool_.stat(image_object(name));
    if (stat) return true;
    if (is_not_found(stat.error())) return false;
    return std::unexpected(std::move(stat.error()));
}

Result<bool> RadosBackend::settle_upload(const UploadId& upload, const OmapValues& state) const {
    auto committing = state.find(std::string(kCommittingKey));
    if (committing == state.end()) return false;
    const auto name = string_of(committing->second);
    auto record = settle_image(name);
    if (!record) return std::unexpected(std::move(record.error()));
    if (!*record || as_string((*record)->upload) != upload.key()) return false;
    if (auto ended = finish_upload(upload, name, (*record)->chunk_count); !ended) {
        return std::unexpected(std::move(ended.error()));
    }
    return true;
}

Result<std::optional<std::string>> RadosBackend::committed_name(const UploadId& upload) const {
    auto state = pool_.omap_get(upload_object(upload),
                                {std::string(kCommittedKey), std::string(kCommittingKey)});
    if (!state) {
        if (is_not_found(state.error())) return std::optional<std::string>();
        return std::unexpected(std::move(state.error()));
    }
    if (auto committed = state->find(std::string(kCommittedKey)); committed != state->end()) {
        return std::optional<std::string>(string_of(committed->second));
    }
    auto settled = settle_upload(upload, *state);
    if (!settled) return std::unexpected(std::move(settled.error()));
    if (!*settled) return std::optional<std::string>();
    return std::optional<std::string>(string_of(state->at(std::string(kCommittingKey))));
}

Result<StorageBackend::UploadState> RadosBackend::upload_state(const UploadId& upload) const {
    auto state = pool_.omap_get(upload_object(upload),
                                {std::string(kSessionKey), std::string(kCommittingKey),
                                 std::string(kCommittedKey)});
    if (!state) {
        if (is_not_found(state.error())) return UploadState{};
        return std::unexpected(std::move(state.error()));
    }
    if (auto committed = state->find(std::string(kCommittedKey)); committed != state->end()) {
        return UploadState{string_of(committed->second), false};
    }
    auto settled = settle_upload(upload, *state);
    if (!settled) return std::unexpected(std::move(settled.error()));
    if (*settled) return UploadState{string_of(state->at(std::string(kCommittingKey))), false};
    return UploadState{std::nullopt, state->contains(std::string(kSessionKey))};
}

Result<std::optional<Bytes>> RadosBackend::grant(std::string_view name,
                                                 std::string_view recipient) const {
    const auto object = image_object(name);
    const auto key = grant_omap_key(recipient);
    for (int round = 0; round < 2; ++round) {
        auto found = pool_.omap_get(object, {key});
        if (!found) {
            if (is_not_found(found.error())) return std::optional<Bytes>();
            return std::unexpected(std::move(found.error()));
        }
        if (auto grant = found->find(key); grant != found->end()) {
            return std::optional<Bytes>(grant->second);
        }
        // Not there: unless a change is staged (whose finish writes grants), there is none.
        bool staged = false;
        if (auto listed = visit_omap(pool_, object, kStagePrefix, std::string(kStagePrefix),
                                     [&](const std::string&, const Bytes&) {
                                         staged = true;
                                         return false;
                                     });
            !listed) {
            return std::unexpected(std::move(listed.error()));
        }
        if (!staged || round > 0) break;
        if (auto settled = settle_image(name); !settled) {
            return std::unexpected(std::move(settled.error()));
        }
    }
    return std::optional<Bytes>();
}

Result<std::optional<Bytes>> RadosBackend::chunk(const UploadId& upload,
                                                 std::uint32_t index) const {
    settle_chunk_writes();
    auto data = pool_.read(chunk_object(upload, index));
    if (data) return std::optional<Bytes>(std::move(*data));
    if (is_not_found(data.error())) return std::optional<Bytes>();
    return std::unexpected(std::move(data.error()));
}

Result<ImageRecord> RadosBackend::commit(const CommitRecord& commit) {
    const auto& name = commit.record.name;
    auto upload = UploadId::from_key(as_string(commit.record.upload));
    if (!upload) return fail(ErrorCode::INTERNAL, "a commit names no upload");
    // The only chunk, before anything names it.
    if (commit.only_chunk) {
        if (auto written = pool_.write_full(chunk_object(*upload, 0), *commit.only_chunk);
            !written) {
            return std::unexpected(std::move(written.error()));
        }
    }
    const auto up = upload_object(*upload);
    // An upload begun with POST_BEGIN notes the commit in its object, so that whoever picks
    // the upload up (session(), expiry) rolls it forward instead of discarding its chunks. A
    // POST_IMAGE has no session, nothing that could discard its chunk, and a retry of it
    // names the image: the create below finds it. Its note would be a write for nothing.
    if (!commit.only_chunk) {
        if (auto noted = pool_.omap_set(up, {{std::string(kCommittingKey), bytes_of(name)}});
            !noted) {
            return std::unexpected(std::move(noted.error()));
        }
    }
    // The expiry index before the image: a crash between leaves an entry naming no image,
    // which the sweep forgets, never an image the sweep cannot find.
    if (commit.record.expires_at != 0) {
        if (auto indexed = pool_.omap_set(std::string(kExpiriesObject),
                                          {{expiry_omap_key(commit.record.expires_at, name), {}}});
            !indexed) {
            return std::unexpected(std::move(indexed.error()));
        }
    }
    ImageRecord record = commit.record;
    record.seq = 0;
    const auto staged = encode_staged(StagedChange{encode_record(record), commit.grants});
    ObjectWrite stage;
    stage.create_exclusive = true;
    stage.omap_set.emplace(stage_key(0), staged);
    auto outcome = pool_.write(image_object(name), stage);
    if (!outcome) return std::unexpected(std::move(outcome.error()));
    if (*outcome == WriteOutcome::AlreadyExists) {
        // A retry of this upload's commit (here or on another node) finds it, rolled
        // forward if need be; anyone else finds the name taken.
        auto held = settle_image(name);
        if (!held) return std::unexpected(std::move(held.error()));
        if (*held && (*held)->upload == commit.record.upload) {
            if (auto ended = finish_upload(*upload, name, (*held)->chunk_count,
                                           !commit.only_chunk.has_value());
                !ended) {
                return std::unexpected(std::move(ended.error()));
            }
            return std::move(**held);
        }
        if (!commit.only_chunk) {
            if (auto unnoted = pool_.omap_remove(up, {std::string(kCommittingKey)}); !unnoted) {
                spdlog::debug("could not clear a refused commit's note: {}",
                              unnoted.error().message);
            }
        }
        return fail(ErrorCode::NAME_TAKEN, fmt::format("the name '{}' is taken", name));
    }
    // A POST_IMAGE (its only chunk in the commit) never had a session, so never a key in
    // `uploads` to remove.
    return publish_and_finish(name, 0, staged, !commit.only_chunk.has_value());
}

Result<ImageRecord> RadosBackend::share(const ShareUpdate& update) {
    const auto change = static_cast<std::uint32_t>(update.record.shares.size());
    if (change == 0) return fail(ErrorCode::INTERNAL, "a share without a share");
    const auto& name = update.record.name;
    ImageRecord record = update.record;
    record.shares.back().seq = 0;
    const auto staged = encode_staged(StagedChange{encode_record(record), update.added_grants});
    ObjectWrite stage;
    // The change before this one is finished and no other change `change` is staged: two
    // shares of one image racing, one stages, the other re-reads.
    stage.omap_equals.emplace(kAppliedKey, bytes_of(hex8(change - 1)));
    stage.omap_equals.emplace(stage_key(change), Bytes());
    stage.omap_set.emplace(stage_key(change), staged);
    auto outcome = pool_.write(image_object(name), stage);
    if (!outcome) return std::unexpected(std::move(outcome.error()));
    if (*outcome == WriteOutcome::ComparisonFailed) {
        auto now = settle_image(name);
        if (!now) return std::unexpected(std::move(now.error()));
        if (*now && (*now)->shares.size() == change && (*now)->envelope == record.envelope &&
            (*now)->signature == record.signature) {
            return std::move(**now);  // this share, finished by a retry or another node
        }
        return fail(ErrorCode::SERVICE_UNAVAILABLE,
                    "the image changed while it was being shared; try again");
    }
    return publish_and_finish(name, change, staged);
}

}  // namespace imgshare::storage
