// RadosBackend's feed (rados_backend.h): a change published once under the next seq by a
// compare-and-swap on the `feed` object, the entries read in order, and the head kept
// coherent across nodes by watch/notify (rados_feed_notifier.h).
#include <spdlog/spdlog.h>

#include "storage-node/rados_backend.h"
#include "storage-node/rados_feed_notifier.h"
#include "storage-node/rados_objects.h"
#include "storage-node/rados_omap.h"

namespace imgshare::storage {

using namespace rados_layout;
using namespace rados_omap;
using rados::ObjectWrite;
using rados::WriteOutcome;

namespace {

// Compare-and-swap attempts on the feed before a commit gives up (each loses only to
// another node's publish, so this many means the cluster is far too slow).
constexpr int kMaxPublishAttempts = 10'000;

}  // namespace

Result<void> RadosBackend::watch_feed() {
    watch_.reset();
    watch_lost_->store(false);
    auto head = head_;
    auto lost = watch_lost_;
    auto watch = pool_.watch(
        std::string(kFeedObject),
        [head](ByteView payload) {
            auto seq = decode_u64(as_string(payload));
            if (!seq) return;
            auto known = head->load();
            while (*seq > known && !head->compare_exchange_weak(known, *seq)) {
            }
        },
        [lost](const Error&) { lost->store(true); });
    if (!watch) return std::unexpected(std::move(watch.error()));
    watch_.emplace(std::move(*watch));
    return {};
}

Result<std::uint64_t> RadosBackend::read_feed_head() const {
    auto head = pool_.omap_get(std::string(kFeedObject), {std::string(kHeadKey)});
    if (!head) return std::unexpected(std::move(head.error()));
    std::uint64_t seq = 0;
    if (auto found = head->find(std::string(kHeadKey)); found != head->end()) {
        auto decoded = decode_seq(found->second);
        if (!decoded) return std::unexpected(std::move(decoded.error()));
        seq = *decoded;
    }
    saw_head(seq);
    return head_->load();
}

void RadosBackend::saw_head(std::uint64_t seq) const {
    auto known = head_->load();
    while (seq > known && !head_->compare_exchange_weak(known, seq)) {
    }
}

Result<std::uint64_t> RadosBackend::publish(const ImageRecord& record,
                                            std::uint32_t change) const {
    const auto& name = record.name;
    ObjectWrite usage;
    if (change == 0) {
        // The post enters its owner's usage in the write that makes it visible, whichever
        // node (or later reader rolling it forward) gets there first.
        auto upload = UploadId::from_key(as_string(record.upload));
        if (!upload) return fail(ErrorCode::INTERNAL, "stored image record names no upload");
        usage.omap_set.emplace(usage_key(record.owner, *upload), bytes_of(encode_u64(record.size)));
        usage.omap_set.emplace(usage_owner_key(*upload), bytes_of(record.owner));
    }
    return publish_once(name, published_key(name, change), usage);
}

Result<std::uint64_t> RadosBackend::publish_once(std::string_view name,
                                                 const std::string& published,
                                                 const ObjectWrite& usage) const {
    const std::string feed(kFeedObject);
    std::uint64_t head = head_->load();
    for (int attempt = 0; attempt < kMaxPublishAttempts; ++attempt) {
        ObjectWrite swap;
        swap.omap_equals.emplace(kHeadKey, bytes_of(encode_u64(head)));
        swap.omap_equals.emplace(published, Bytes());  // not published yet (absent)
        const auto seq = head + 1;
        swap.omap_set.emplace(entry_key(seq), bytes_of(name));
        swap.omap_set.emplace(kHeadKey, bytes_of(encode_u64(seq)));
        swap.omap_set.emplace(published, bytes_of(encode_u64(seq)));
        swap.omap_set.insert(usage.omap_set.begin(), usage.omap_set.end());
        swap.omap_remove = usage.omap_remove;
        auto outcome = pool_.write(feed, swap);
        if (!outcome) return std::unexpected(std::move(outcome.error()));
        if (*outcome == WriteOutcome::Done) {
            saw_head(seq);
            notifier_->tell(seq);
            return seq;
        }
        auto now = pool_.omap_get(feed, {std::string(kHeadKey), published});
        if (!now) return std::unexpected(std::move(now.error()));
        if (auto done = now->find(published); done != now->end()) {
            return decode_seq(done->second);  // published already: a retry, or another node
        }
        auto stored = now->find(std::string(kHeadKey));
        if (stored == now->end()) return fail(ErrorCode::INTERNAL, "the feed has no head");
        auto moved = decode_seq(stored->second);
        if (!moved) return std::unexpected(std::move(moved.error()));
        head = *moved;
        saw_head(head);
    }
    return fail(ErrorCode::SERVICE_UNAVAILABLE,
                "storage cluster: the feed is too busy to take a commit; try again");
}

Result<void> RadosBackend::visit_feed(std::uint64_t first, const FeedVisitor& visit) const {
    std::string after = first == 0 ? std::string(kEntryPrefix) : entry_key(first - 1);
    std::optional<Error> problem;
    auto visited = visit_omap(pool_, std::string(kFeedObject), kEntryPrefix, std::move(after),
                              [&](const std::string& key, const Bytes& name) {
                                  auto seq = number_after<std::uint64_t>(key, kEntryPrefix);
                                  if (!seq) {
                                      problem = Error{ErrorCode::INTERNAL,
                                                      "stored feed key is unreadable"};
                                      return false;
                                  }
                                  saw_head(*seq);
                                  return visit(*seq, as_string(name));
                              });
    if (!visited) return visited;
    if (problem) return std::unexpected(std::move(*problem));
    return {};
}

}  // namespace imgshare::storage
