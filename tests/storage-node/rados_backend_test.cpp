// What only the RADOS backend (rados_backend.h) must do, on a REAL Ceph cluster
// (IMGSHARE_CEPH_CONF; skipped without one): several nodes, each with its own connection,
// over one pool — one feed with unique seqs under concurrent commits, exactly one winner
// for a name, heads kept coherent by notify, the catalog's cache dropping what another
// node's share changed — and a commit cut by a killed node after any of its steps rolled
// forward by whoever comes next, never half visible, never twice in the feed; a deletion
// likewise: whole or gone, finished by any node, and safe against a SHARE racing it; and
// the usage index moving with the feed (whoever publishes), built for a pool from before it.
// (Every promise of the seam is also checked on it by the parameterised suites.)
#ifdef IMGSHARE_WITH_RADOS

#include "storage-node/rados_backend.h"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/envelope.h"
#include "storage-node/image_catalog.h"
#include "storage-node/rados_objects.h"
#include "tests/common/scratch_dir.h"
#include "tests/storage-node/rados_backend_under_test.h"

namespace imgshare::storage::testing {
namespace {

using namespace rados_layout;

Bytes text_bytes(std::string_view text) {
    return Bytes(text.begin(), text.end());
}

class RadosBackendTest : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!rados_under_test()) {
            GTEST_SKIP() << "no Ceph cluster: set IMGSHARE_CEPH_CONF (deploy/ceph.sh up)";
        }
        node_a_ = open_node(*rados_test_connection());
        // Another storage node: a connection of its own, the same pool and namespace.
        rados::ConnectOptions options;
        options.conf_file = rados_test_setting("IMGSHARE_CEPH_CONF", "");
        options.user = rados_test_setting("IMGSHARE_CEPH_USER", "imgshare");
        auto second = rados::RadosConnection::connect(options);
        ASSERT_TRUE(second.has_value()) << describe(second.error());
        second_connection_.emplace(std::move(*second));
        node_b_ = open_node(*second_connection_);
        ASSERT_TRUE(node_a_ && node_b_);
    }

    std::unique_ptr<RadosBackend> open_node(const rados::RadosConnection& connection) {
        auto opened = RadosBackend::open(connection,
                                         rados_test_setting("IMGSHARE_CEPH_POOL", "imgshare"),
                                         rados_test_namespace(dir_.path()));
        EXPECT_TRUE(opened.has_value()) << describe(opened.error());
        return opened ? std::move(*opened) : nullptr;
    }

    std::map<std::uint64_t, std::string> feed_of(const RadosBackend& node) {
        std::map<std::uint64_t, std::string> entries;
        auto visited = node.visit_feed(0, [&](std::uint64_t seq, std::string_view name) {
            EXPECT_TRUE(entries.emplace(seq, std::string(name)).second) << "seq " << seq;
            return true;
        });
        EXPECT_TRUE(visited.has_value()) << describe(visited.error());
        return entries;
    }

    // What a node killed right after step 1 of committing `commit` leaves: the upload's
    // note that its commit began (a POST_IMAGE: its chunk instead), and the staged change in
    // the image's object.
    void stage_as_a_killed_node_leaves(const CommitRecord& commit) {
        ASSERT_TRUE(RadosProbe(*node_a_).cut_commit_after_staging(commit));
    }

    // ... and right after step 2 (publish): the feed names it under `seq`, and its owner's
    // usage counts it.
    void publish_as_a_killed_node_leaves(const CommitRecord& commit, std::uint64_t seq) {
        const auto& name = commit.record.name;
        auto upload = UploadId::from_key(as_string(commit.record.upload)).value();
        auto published = node_a_->pool().omap_set(
            std::string(kFeedObject),
            {{entry_key(seq), text_bytes(name)},
             {std::string(kHeadKey), text_bytes(encode_u64(seq))},
             {published_key(name, 0), text_bytes(encode_u64(seq))},
             {usage_key(commit.record.owner, upload), text_bytes(encode_u64(commit.record.size))},
             {usage_owner_key(upload), text_bytes(commit.record.owner)}});
        ASSERT_TRUE(published.has_value()) << describe(published.error());
    }

    imgshare::testing::ScratchDir dir_;
    std::optional<rados::RadosConnection> second_connection_;
    std::unique_ptr<RadosBackend> node_a_;
    std::unique_ptr<RadosBackend> node_b_;
};

TEST_F(RadosBackendTest, ThirtyTwoConcurrentCommitsAcrossTwoNodesGetUniqueSeqsWithoutAGap) {
    constexpr int kCommits = 32;
    std::vector<Result<ImageRecord>> results(kCommits, fail(ErrorCode::INTERNAL, "not run"));
    {
        std::vector<std::jthread> committers;
        for (int i = 0; i < kCommits; ++i) {
            committers.emplace_back([&, i] {
                auto& node = i % 2 == 0 ? *node_a_ : *node_b_;
                results[i] = node.commit(commit_of("img" + std::to_string(i),
                                                         "up" + std::to_string(i)));
            });
        }
    }
    std::set<std::uint64_t> seqs;
    for (int i = 0; i < kCommits; ++i) {
        ASSERT_TRUE(results[i].has_value()) << describe(results[i].error());
        EXPECT_TRUE(seqs.insert(results[i]->seq).second) << "seq " << results[i]->seq << " twice";
    }
    EXPECT_EQ(*seqs.begin(), 1u);
    EXPECT_EQ(*seqs.rbegin(), static_cast<std::uint64_t>(kCommits));
    auto feed = feed_of(*node_b_);
    ASSERT_EQ(feed.size(), static_cast<std::size_t>(kCommits));
    for (const auto& [seq, name] : feed) {
        auto record = node_a_->image(name);
        ASSERT_TRUE(record.has_value() && record->has_value()) << name;
        EXPECT_EQ((*record)->seq, seq) << name;
    }
}

TEST_F(RadosBackendTest, TwoNodesRacingToCommitOneNameOneWinsAndTheOtherIsNameTaken) {
    for (int round = 0; round < 8; ++round) {
        const auto name = "race" + std::to_string(round);
        Result<ImageRecord> on_a = fail(ErrorCode::INTERNAL, "not run");
        Result<ImageRecord> on_b = fail(ErrorCode::INTERNAL, "not run");
        {
            std::jthread a([&] { on_a = node_a_->commit(commit_of(name, name + "a")); });
            std::jthread b([&] { on_b = node_b_->commit(commit_of(name, name + "b")); });
        }
        ASSERT_NE(on_a.has_value(), on_b.has_value()) << name << ": exactly one must win";
        const auto& lost = on_a ? on_b : on_a;
        EXPECT_EQ(lost.error().code, ErrorCode::NAME_TAKEN) << describe(lost.error());
        const auto& won = on_a ? on_a : on_b;
        EXPECT_EQ(node_b_->image(name).value(), std::optional<ImageRecord>(*won));
    }
    EXPECT_EQ(feed_of(*node_a_).size(), 8u);
}

TEST_F(RadosBackendTest, AnotherNodesCommitMovesThisNodesFeedHeadByNotify) {
    ASSERT_EQ(node_b_->feed_head(), 0u);
    ASSERT_TRUE(node_a_->commit(commit_of("cat", "cat")));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (node_b_->feed_head() < 1 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    EXPECT_EQ(node_b_->feed_head(), 1u) << "node b never heard of node a's commit";
}

// What LIST starts from: the store's head, whether or not the notify has arrived yet.
TEST_F(RadosBackendTest, ReadingTheFeedHeadSeesAnotherNodesCommitAtOnce) {
    ASSERT_TRUE(node_a_->commit(commit_of("cat", "cat")));
    ASSERT_TRUE(node_a_->commit(commit_of("dog", "dog")));
    auto head = node_b_->read_feed_head();
    ASSERT_TRUE(head) << describe(head.error());
    EXPECT_EQ(*head, 2u);
    EXPECT_GE(node_b_->feed_head(), 2u);
}

TEST_F(RadosBackendTest, ACommitStagedByANodeKilledBeforeItsPublishIsRolledForwardOnce) {
    auto cat = commit_of("cat", "cat", {Grant{"bob", Bytes(80, 7)}});
    cat.record.size = 3000;
    stage_as_a_killed_node_leaves(cat);
    EXPECT_EQ(node_b_->usage("alice").value(), (OwnerUsage{0, 0})) << "not published yet";
    auto upload = UploadId::from_key(as_string(cat.record.upload)).value();
    // The name is held; the next reader, on another node, finishes the commit whole.
    EXPECT_TRUE(node_b_->has_image("cat").value());
    auto read = node_b_->image("cat");
    ASSERT_TRUE(read.has_value() && read->has_value());
    EXPECT_EQ((*read)->seq, 1u);
    EXPECT_EQ(node_b_->grant("cat", "bob").value(), std::optional<Bytes>(Bytes(80, 7)));
    EXPECT_EQ(node_b_->committed_name(upload).value(), std::optional<std::string>("cat"));
    EXPECT_EQ(node_b_->session(upload).value(), std::nullopt);
    // The killed node's client retries, on any node: the stored record, no second entry.
    auto retried = node_a_->commit(cat);
    ASSERT_TRUE(retried.has_value()) << describe(retried.error());
    EXPECT_EQ(*retried, **read);
    EXPECT_EQ(feed_of(*node_a_), (std::map<std::uint64_t, std::string>{{1, "cat"}}));
    // Counted once, by the publish that rolled it forward.
    EXPECT_EQ(node_a_->usage("alice").value(), (OwnerUsage{3000, 1}));
}

TEST_F(RadosBackendTest, ACommitPublishedByANodeKilledBeforeItsFinishKeepsItsSeq) {
    auto cat = commit_of("cat", "cat", {Grant{"bob", Bytes(80, 7)}});
    stage_as_a_killed_node_leaves(cat);
    publish_as_a_killed_node_leaves(cat, 1);
    // Another node's commit comes after it; the grant is read before the record.
    auto dog = node_b_->commit(commit_of("dog", "dog"));
    ASSERT_TRUE(dog.has_value()) << describe(dog.error());
    EXPECT_EQ(dog->seq, 2u);
    EXPECT_EQ(node_b_->grant("cat", "bob").value(), std::optional<Bytes>(Bytes(80, 7)));
    auto read = node_b_->image("cat");
    ASSERT_TRUE(read.has_value() && read->has_value());
    EXPECT_EQ((*read)->seq, 1u);
    auto retried = node_a_->commit(cat);
    ASSERT_TRUE(retried.has_value()) << describe(retried.error());
    EXPECT_EQ(retried->seq, 1u);
    EXPECT_EQ(feed_of(*node_a_), (std::map<std::uint64_t, std::string>{{1, "cat"}, {2, "dog"}}));
}

TEST_F(RadosBackendTest, AnExpiryOfAnUploadWhoseCommitIsStagedFinishesTheCommitInstead) {
    auto cat = commit_of("cat", "cat");
    auto upload = UploadId::from_key(as_string(cat.record.upload)).value();
    ASSERT_TRUE(node_a_->store_chunk(upload, 0, text_bytes("chunk"), 1, 5));
    ASSERT_TRUE(node_a_->sync());
    stage_as_a_killed_node_leaves(cat);
    ASSERT_TRUE(node_b_->discard_upload(upload));
    EXPECT_EQ(node_b_->chunk(upload, 0).value(), std::optional<Bytes>(text_bytes("chunk")));
    EXPECT_EQ(node_b_->committed_name(upload).value(), std::optional<std::string>("cat"));
}

TEST_F(RadosBackendTest, APostImageStagedByANodeKilledBeforeItsPublishIsFinishedByItsRetry) {
    auto cat = commit_of("cat", "cat");
    const Bytes chunk = text_bytes("the only chunk");
    cat.only_chunk = ByteView(chunk);
    auto upload = UploadId::from_key(as_string(cat.record.upload)).value();
    stage_as_a_killed_node_leaves(cat);
    // A POST_IMAGE notes nothing in its upload's object: neither pending nor committed yet.
    auto state = node_b_->upload_state(upload);
    ASSERT_TRUE(state.has_value()) << describe(state.error());
    EXPECT_FALSE(state->pending);
    EXPECT_EQ(state->committed_name, std::nullopt);
    // The retry, on another node, meets its own staged image and finishes it once.
    auto retried = node_b_->commit(cat);
    ASSERT_TRUE(retried.has_value()) << describe(retried.error());
    EXPECT_EQ(retried->seq, 1u);
    EXPECT_EQ(node_a_->upload_state(upload).value().committed_name,
              std::optional<std::string>("cat"));
    EXPECT_EQ(node_a_->chunk(upload, 0).value(), std::optional<Bytes>(chunk));
    EXPECT_EQ(feed_of(*node_a_), (std::map<std::uint64_t, std::string>{{1, "cat"}}));
}

TEST_F(RadosBackendTest, AnExpiryOfASessionBesideAStagedPostImageOfItsImageKeepsTheChunk) {
    // The same envelope begun with POST_BEGIN on one node while its POST_IMAGE, on another,
    // was killed after staging: the session's expiry must not take the chunk the image needs.
    auto cat = commit_of("cat", "cat");
    const Bytes chunk = text_bytes("the only chunk");
    cat.only_chunk = ByteView(chunk);
    auto upload = UploadId::from_key(as_string(cat.record.upload)).value();
    Envelope envelope;
    envelope.name = "cat";
    envelope.owner = "alice";
    envelope.owner_serial = 1;
    envelope.mode = std::string(kEscrowMode);
    envelope.content_type = "image/png";
    envelope.padded_size = 1000;
    envelope.chunk_size = 1024;
    envelope.chunk_count = 1;
    envelope.stream_header = Bytes(24, 1);
    envelope.ciphertext_sha256 = Bytes(32, 2);
    envelope.key_commitment = Bytes(32, 3);
    envelope.created_at = 1;
    ASSERT_TRUE(decode_envelope(encode_envelope(envelope)).has_value());
    UploadSession session;
    session.owner = "alice";
    session.envelope = encode_envelope(envelope);
    session.chunk_count = 1;
    ASSERT_TRUE(node_a_->begin_session(upload, session, 1000));
    stage_as_a_killed_node_leaves(cat);
    ASSERT_TRUE(node_b_->discard_upload(upload));
    EXPECT_EQ(node_b_->chunk(upload, 0).value(), std::optional<Bytes>(chunk));
    EXPECT_EQ(node_b_->committed_name(upload).value(), std::optional<std::string>("cat"));
    auto read = node_a_->image("cat");
    ASSERT_TRUE(read.has_value() && read->has_value());
    EXPECT_EQ((*read)->seq, 1u);
}

TEST_F(RadosBackendTest, ChunkWritesRunTogetherUntilSyncWhichReportsARefusedOneNeverNoted) {
    auto upload = UploadId::of(text_bytes("cat"), text_bytes("signature"));
    UploadSession session;
    session.owner = "alice";
    session.chunk_count = 3;
    ASSERT_TRUE(node_a_->begin_session(upload, session, 3000));
    ASSERT_TRUE(node_a_->store_chunk(upload, 0, Bytes(1000, 1), 100, 3000));
    EXPECT_TRUE(node_a_->has_unsettled_writes());
    // Bigger than the cluster takes in one write: refused, but only once waited for.
    ASSERT_TRUE(node_a_->store_chunk(upload, 1, Bytes(91u << 20, 2), 100, 3000));
    ASSERT_TRUE(node_a_->store_chunk(upload, 2, Bytes(1000, 3), 100, 3000));
    auto synced = node_a_->sync();
    ASSERT_FALSE(synced) << "a refused chunk write must fail the sync its reply waits on";
    EXPECT_EQ(synced.error().code, ErrorCode::TOO_LARGE);
    EXPECT_FALSE(node_a_->has_unsettled_writes());
    EXPECT_TRUE(node_a_->sync()) << "reported once";
    // The stored ones are noted (so another node finds them), the refused one is not.
    EXPECT_TRUE(node_b_->has_chunk_note(upload, 0).value());
    EXPECT_FALSE(node_b_->has_chunk_note(upload, 1).value());
    EXPECT_TRUE(node_b_->has_chunk_note(upload, 2).value());
    EXPECT_EQ(node_b_->chunk(upload, 1).value(), std::nullopt);
}

TEST_F(RadosBackendTest, TheCatalogReadsARecordAgainOnceAnotherNodesShareNamesIt) {
    auto cat = commit_of("cat", "cat", {Grant{"alice", Bytes(80, 1)}});
    auto posted = node_a_->commit(cat);
    ASSERT_TRUE(posted.has_value()) << describe(posted.error());
    auto catalog = ImageCatalog::load(*node_b_, 4000);
    ASSERT_TRUE(catalog.has_value());
    auto before = catalog->find("cat");
    ASSERT_TRUE(before.has_value() && *before);
    EXPECT_TRUE((*before)->shares.empty());

    ImageRecord shared = *posted;
    shared.recipients = {"alice", "bob"};
    shared.shares.push_back(ShareRecord{0, {"bob"}});
    auto share = node_a_->share(ShareUpdate{shared, {Grant{"bob", Bytes(80, 2)}}});
    ASSERT_TRUE(share.has_value()) << describe(share.error());
    EXPECT_EQ(share->shares.back().seq, 2u);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (node_b_->feed_head() < 2 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    auto after = catalog->find("cat");
    ASSERT_TRUE(after.has_value() && *after);
    EXPECT_EQ((*after)->recipients, (std::vector<std::string>{"alice", "bob"}));
    ASSERT_EQ((*after)->shares.size(), 1u);
    auto listed = catalog->list("bob", 0, 10, 0);
    ASSERT_TRUE(listed.has_value()) << describe(listed.error());
    ASSERT_EQ(listed->items.size(), 1u);
    EXPECT_EQ(listed->items[0].seq, 2u);
}

TEST_F(RadosBackendTest, ADeletionCutByAKilledNodeAfterItsCommitPointIsFinishedByAnother) {
    auto cat = commit_of("cat", "cat");
    cat.record.chunk_count = 2;
    cat.record.size = 3000;
    auto upload = UploadId::from_key(as_string(cat.record.upload)).value();
    for (std::uint32_t index = 0; index < 2; ++index)
        ASSERT_TRUE(node_a_->store_chunk(upload, index, text_bytes("chunk"), 1, 5));
    ASSERT_TRUE(node_a_->sync());
    ASSERT_TRUE(node_a_->commit(cat));
    // What node a leaves when killed right after removing the image: the note, the image's
    // published notes gone, the object gone; no feed entry for the deletion, chunks there.
    const auto& pool = node_a_->pool();
    ASSERT_TRUE(pool.omap_set(std::string(kDeletionsObject),
                              {{upload.text(), text_bytes("1/2/cat")}}));
    ASSERT_TRUE(pool.omap_remove(std::string(kFeedObject), {published_key("cat", 0)}));
    ASSERT_TRUE(pool.remove(image_object("cat")));
    EXPECT_EQ(node_b_->image("cat").value(), std::nullopt);  // gone for every reader at once
    EXPECT_EQ(feed_of(*node_b_).size(), 1u);

    // The usage moves with the feed: still counted until the deletion's entry is published.
    EXPECT_EQ(node_b_->usage("alice").value(), (OwnerUsage{3000, 1}));

    node_b_->reclaim_space();
    EXPECT_EQ(feed_of(*node_b_), (std::map<std::uint64_t, std::string>{{1, "cat"}, {2, "cat"}}));
    EXPECT_EQ(node_a_->usage("alice").value(), (OwnerUsage{0, 0}));
    EXPECT_EQ(node_b_->chunk(upload, 0).value(), std::nullopt);
    EXPECT_EQ(node_b_->chunk(upload, 1).value(), std::nullopt);
    auto notes = pool.omap_get(std::string(kDeletionsObject), {upload.text()});
    ASSERT_TRUE(notes.has_value()) << describe(notes.error());
    EXPECT_TRUE(notes->empty()) << "the note goes once its work is done";
    // Done once: another tick, on either node, publishes nothing more.
    node_a_->reclaim_space();
    EXPECT_EQ(feed_of(*node_a_).size(), 2u);
    // And the name is free, with a new entry of its own.
    auto again = node_a_->commit(commit_of("cat", "another"));
    ASSERT_TRUE(again.has_value()) << describe(again.error());
    EXPECT_EQ(again->seq, 3u);
}

TEST_F(RadosBackendTest, ANamePostedAgainBeforeACutDeletionIsFinishedStaysInItsOwnersUsage) {
    auto cat = commit_of("cat", "cat");
    cat.record.size = 3000;
    auto upload = UploadId::from_key(as_string(cat.record.upload)).value();
    ASSERT_TRUE(node_a_->commit(cat));
    // Node a killed right after its deletion's commit point (as above) ...
    const auto& pool = node_a_->pool();
    ASSERT_TRUE(pool.omap_set(std::string(kDeletionsObject),
                              {{upload.text(), text_bytes("1/1/cat")}}));
    ASSERT_TRUE(pool.omap_remove(std::string(kFeedObject), {published_key("cat", 0)}));
    ASSERT_TRUE(pool.remove(image_object("cat")));
    // ... the owner posts the name again before any tick finished it ...
    auto again = commit_of("cat", "again");
    again.record.size = 1000;
    ASSERT_TRUE(node_b_->commit(again));
    // ... and the late deletion entry takes out only the deleted post (the index is by
    // upload, not by name).
    node_b_->reclaim_space();
    EXPECT_EQ(feed_of(*node_b_).size(), 3u);
    EXPECT_EQ(node_a_->usage("alice").value(), (OwnerUsage{1000, 1}));
}

TEST_F(RadosBackendTest, APoolWrittenBeforeTheUsageIndexHasItBuiltWhenANodeOpensIt) {
    auto cat = commit_of("cat", "cat");
    cat.record.size = 3000;
    ASSERT_TRUE(node_a_->commit(cat));
    auto dog = commit_of("dog", "dog");
    dog.record.size = 5000;
    auto deleted = node_a_->commit(dog);
    ASSERT_TRUE(deleted.has_value()) << describe(deleted.error());
    ASSERT_TRUE(node_a_->remove(*deleted));
    auto owl = commit_of("owl", "owl");
    owl.record.owner = "bob";
    owl.record.size = 7000;
    stage_as_a_killed_node_leaves(owl);  // staged, never published
    // What an older version left: no u. or o. keys, no mark.
    const auto& pool = node_a_->pool();
    std::set<std::string> index{std::string(kUsageIndexKey)};
    for (const auto* commit : {&cat, &dog, &owl}) {
        auto upload = UploadId::from_key(as_string(commit->record.upload)).value();
        index.insert(usage_key(commit->record.owner, upload));
        index.insert(usage_owner_key(upload));
    }
    ASSERT_TRUE(pool.omap_remove(std::string(kFeedObject), index));
    EXPECT_EQ(node_a_->usage("alice").value(), (OwnerUsage{0, 0}));

    auto node_c = open_node(*rados_test_connection());
    ASSERT_TRUE(node_c);
    EXPECT_EQ(node_c->usage("alice").value(), (OwnerUsage{3000, 1}));
    EXPECT_EQ(node_b_->usage("bob").value(), (OwnerUsage{7000, 1})) << "rolled forward";
    auto marked = pool.omap_get(std::string(kFeedObject), {std::string(kUsageIndexKey)});
    ASSERT_TRUE(marked.has_value()) << describe(marked.error());
    EXPECT_EQ(marked->size(), 1u);
}

TEST_F(RadosBackendTest, ADeletionCutBeforeItsCommitPointLeavesTheImageWhole) {
    auto cat = commit_of("cat", "cat");
    auto upload = UploadId::from_key(as_string(cat.record.upload)).value();
    const Bytes chunk = text_bytes("chunk");
    cat.only_chunk = ByteView(chunk);
    auto committed = node_a_->commit(cat);
    ASSERT_TRUE(committed.has_value()) << describe(committed.error());
    // Killed after noting the deletion, before the image went: a note older than a minute.
    ASSERT_TRUE(node_a_->pool().omap_set(std::string(kDeletionsObject),
                                         {{upload.text(), text_bytes("1/1/cat")}}));
    node_b_->reclaim_space();
    EXPECT_EQ(node_b_->image("cat").value(), std::optional<ImageRecord>(*committed));
    EXPECT_EQ(node_b_->chunk(upload, 0).value(), std::optional<Bytes>(chunk));
    EXPECT_EQ(feed_of(*node_b_).size(), 1u);
    auto notes = node_a_->pool().omap_get(std::string(kDeletionsObject), {upload.text()});
    ASSERT_TRUE(notes.has_value()) << describe(notes.error());
    EXPECT_TRUE(notes->empty()) << "a stale note of a deletion that never happened is dropped";
}

TEST_F(RadosBackendTest, ADeletionRacingAShareOnAnotherNodeDeletesTheSharedImage) {
    auto cat = commit_of("cat", "cat", {Grant{"alice", Bytes(80, 1)}});
    cat.record.recipients = {"alice"};
    auto posted = node_a_->commit(cat);
    ASSERT_TRUE(posted.has_value()) << describe(posted.error());
    ImageRecord shared = *posted;
    shared.recipients = {"alice", "bob"};
    shared.shares.push_back(ShareRecord{0, {"bob"}});
    std::thread share([&] {
        auto done = node_b_->share(ShareUpdate{shared, {Grant{"bob", Bytes(80, 2)}}});
        // Either it finished first (and the deletion removes the shared image) or the image
        // was gone when it tried.
        if (!done) {
            EXPECT_NE(done.error().code, ErrorCode::INTERNAL) << describe(done.error());
        }
    });
    auto removed = node_a_->remove(*posted);
    share.join();
    ASSERT_TRUE(removed.has_value()) << describe(removed.error());
    EXPECT_EQ(node_a_->image("cat").value(), std::nullopt);
    EXPECT_EQ(node_b_->image("cat").value(), std::nullopt);
    EXPECT_EQ(node_b_->grant("cat", "bob").value(), std::nullopt);
}

}  // namespace
}  // namespace imgshare::storage::testing

#endif  // IMGSHARE_WITH_RADOS
