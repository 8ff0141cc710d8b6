// RadosBackend's deletions (rados_backend.h): an owner's DELETE removes the image's object
// in one compare-and-delete, and reclaim_space() removes its chunk objects afterwards, on
// whichever node runs it first.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <ctime>

#include "storage-node/rados_backend.h"
#include "storage-node/rados_objects.h"
#include "storage-node/rados_omap.h"

namespace imgshare::storage {

using namespace rados_layout;
using namespace rados_omap;
using rados::ObjectWrite;
using rados::WriteOutcome;

namespace {

// Attempts at the compare-and-delete before a DELETE gives up: each loses only to a SHARE
// of the same image finishing in between.
constexpr int kMaxDeleteAttempts = 16;
// A note whose image still holds its upload is a deletion that failed before its commit
// point, or one under way on another node: it is dropped once it is this old.
constexpr std::int64_t kUnfinishedNoteSeconds = 60;
// Chunk objects removed per reclaim_space(): a tick stays short however much was deleted.
constexpr std::uint32_t kChunksRemovedPerTick = 256;
// Notes read per reclaim_space().
constexpr std::uint64_t kNotesPerTick = 64;

struct DeletionNote {
    std::int64_t noted_at = 0;
    std::uint32_t chunk_count = 0;
    std::string name;
};

Bytes encode_note(const DeletionNote& note) {
    return bytes_of(fmt::format("{}/{}/{}", note.noted_at, note.chunk_count, note.name));
}

template <class Number>
bool parse_number(std::string_view text, Number& value) {
    auto [end, problem] = std::from_chars(text.data(), text.data() + text.size(), value);
    return problem == std::errc() && end == text.data() + text.size();
}

// "<unix s>/<chunk count>/<name>": the name last, as it may hold anything.
Result<DeletionNote> decode_note(const Bytes& stored) {
    const auto text = string_of(stored);
    const auto first = text.find('/');
    const auto second = first == std::string::npos ? first : text.find('/', first + 1);
    DeletionNote note;
    if (second == std::string::npos ||
        !parse_number(std::string_view(text).substr(0, first), note.noted_at) ||
        !parse_number(std::string_view(text).substr(first + 1, second - first - 1),
                      note.chunk_count) ||
        second + 1 == text.size()) {
        return fail(ErrorCode::INTERNAL, "stored deletion note is unreadable");
    }
    note.name = text.substr(second + 1);
    return note;
}

std::int64_t now_seconds() {
    return static_cast<std::int64_t>(std::time(nullptr));
}

}  // namespace

Result<std::uint64_t> RadosBackend::remove(const ImageRecord& target) {
    const auto& name = target.name;
    auto upload = UploadId::from_key(as_string(target.upload));
    if (!upload) return fail(ErrorCode::INTERNAL, "a deletion names no upload");
    const auto object = image_object(name);
    const std::string deletions(kDeletionsObject);
    for (int attempt = 0; attempt < kMaxDeleteAttempts; ++attempt) {
        auto held = settle_image(name);
        if (!held) return std::unexpected(std::move(held.error()));
        if (!*held || (*held)->upload != target.upload) {
            return fail(ErrorCode::NOT_FOUND, fmt::format("no image '{}'", name));
        }
        const auto& record = **held;
        const auto changes = static_cast<std::uint32_t>(record.shares.size());
        // Noted first: a crash after the image went leaves the note, from which any node's
        // reclaim_space() publishes the entry and removes the chunks.
        const auto note = encode_note({now_seconds(), record.chunk_count, name});
        if (auto noted = pool_.omap_set(deletions, {{upload->text(), note}}); !noted) {
            return std::unexpected(std::move(noted.error()));
        }
        // The name's published notes go before the image does, so that a new commit of the
        // name publishes a new entry rather than finding this image's.
        std::set<std::string> published;
        for (std::uint32_t change = 0; change <= changes; ++change)
            published.insert(published_key(name, change));
        if (auto unpublished = pool_.omap_remove(std::string(kFeedObject), published);
            !unpublished) {
            return std::unexpected(std::move(unpublished.error()));
        }
        // The commit point: the image goes if no change was staged or finished since it was
        // read (a SHARE racing this DELETE: the loop reads it again).
        ObjectWrite erase;
        erase.omap_equals.emplace(kAppliedKey, bytes_of(hex8(changes)));
        erase.omap_equals.emplace(stage_key(changes + 1), Bytes());
        erase.remove_object = true;
        auto outcome = pool_.write(object, erase);
        if (!outcome) {
            if (is_not_found(outcome.error())) continue;  // gone meanwhile: read again
            return std::unexpected(std::move(outcome.error()));
        }
        if (*outcome == WriteOutcome::ComparisonFailed) continue;
        // Noted again: another node's reclaim_space() may have dropped the note while the
        // image was still there.
        if (auto noted = pool_.omap_set(deletions, {{upload->text(), note}}); !noted) {
            spdlog::warn("deletion of '{}': noting it again failed: {}", name,
                         noted.error().message);
        }
        if (record.expires_at != 0) {
            // Left behind, the entry would only be forgotten by the sweep.
            if (auto forgotten = forget_expiry(name, record.expires_at); !forgotten) {
                spdlog::debug("deletion of '{}': its expiry entry stays: {}", name,
                              forgotten.error().message);
            }
        }
        return publish_deletion(name, *upload);
    }
    return fail(ErrorCode::SERVICE_UNAVAILABLE,
                "the image changed while it was being deleted; try again");
}

void RadosBackend::reclaim_space() {
    std::vector<std::pair<std::string, Bytes>> notes;
    if (auto listed = visit_omap(pool_, std::string(kDeletionsObject), "", "",
                                 [&](const std::string& key, const Bytes& value) {
                                     notes.emplace_back(key, value);
                                     return notes.size() < kNotesPerTick;
                                 });
        !listed) {
        spdlog::warn("reading the deletion notes failed: {}", listed.error().message);
        return;
    }
    std::uint32_t budget = kChunksRemovedPerTick;
    for (const auto& [upload, note] : notes) {
        if (budget == 0) break;
        if (auto finished = finish_deletion(upload, note, budget); !finished) {
            spdlog::warn("reclaiming the space of deleted upload {} failed: {}", upload,
                         finished.error().message);
        }
    }
}

Result<void> RadosBackend::finish_deletion(const std::string& upload_hex, const Bytes& stored,
                                           std::uint32_t& budget) {
    const std::string deletions(kDeletionsObject);
    auto upload = UploadId::parse(upload_hex);
    auto note = decode_note(stored);
    if (!upload || !note) {
        spdlog::warn("dropping unreadable deletion note {}", upload_hex);
        return pool_.omap_remove(deletions, {upload_hex});
    }
    auto held = settle_image(note->name);
    if (!held) return std::unexpected(std::move(held.error()));
    if (*held && as_string((*held)->upload) == upload->key()) {
        // Not deleted (yet): a DELETE under way, or one that failed before its commit point.
        if (now_seconds() - note->noted_at < kUnfinishedNoteSeconds) return {};
        chunks_removed_.erase(upload_hex);
        return pool_.omap_remove(deletions, {upload_hex});
    }
    // Gone: its entry is published (once: the node that deleted it may have crashed before),
    // then its chunks go, a bounded number per tick.
    if (auto published = publish_deletion(note->name, *upload); !published) {
        return std::unexpected(std::move(published.error()));
    }
    auto& next = chunks_removed_[upload_hex];
    for (; next < note->chunk_count && budget > 0; ++next, --budget) {
        if (auto removed = pool_.remove(chunk_object(*upload, next));
            !removed && !is_not_found(removed.error())) {
            return removed;
        }
    }
    if (next < note->chunk_count) return {};
    chunks_removed_.erase(upload_hex);
    return pool_.omap_remove(deletions, {upload_hex});
}

}  // namespace imgshare::storage
