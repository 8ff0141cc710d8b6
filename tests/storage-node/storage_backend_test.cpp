// The seam's own promises (storage_backend.h), checked on every backend under test with
// the backend alone: what a commit and a share make visible, who numbers the feed, what a
// retried or a rival commit gets, and what survives a reopen.
#include "storage-node/storage_backend.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "tests/storage-node/storage_test_support.h"

namespace imgshare::storage::testing {
namespace {

class StorageBackendTest : public ::testing::TestWithParam<BackendUnderTest> {
  protected:
    void SetUp() override { open(); }
    void open() {
        opened_ = GetParam().open(dir_.path());
        ASSERT_TRUE(opened_.backend);
    }
    void reopen() {
        opened_ = {};
        open();
    }
    StorageBackend& backend() { return *opened_.backend; }
    BackendProbe& probe() { return *opened_.probe; }

    std::vector<std::pair<std::uint64_t, std::string>> feed(std::uint64_t first = 1) {
        std::vector<std::pair<std::uint64_t, std::string>> entries;
        auto visited = backend().visit_feed(first, [&](std::uint64_t seq, std::string_view name) {
            entries.emplace_back(seq, std::string(name));
            return true;
        });
        EXPECT_TRUE(visited.has_value()) << describe(visited.error());
        return entries;
    }

    imgshare::testing::ScratchDir dir_;
    OpenedBackend opened_;
};

using Feed = std::vector<std::pair<std::uint64_t, std::string>>;

TEST_P(StorageBackendTest, ACommitMakesTheRecordItsGrantsItsFeedEntryAndItsUploadVisible) {
    auto cat = commit_of("cat", "cat-upload", {Grant{"bob", Bytes(80, 7)}});
    auto committed = backend().commit(cat);
    ASSERT_TRUE(committed.has_value()) << describe(committed.error());
    EXPECT_EQ(committed->seq, 1u);
    EXPECT_EQ(backend().feed_head(), 1u);
    EXPECT_EQ(backend().image("cat").value(), std::optional<ImageRecord>(*committed));
    EXPECT_TRUE(backend().has_image("cat").value());
    EXPECT_EQ(backend().grant("cat", "bob").value(), std::optional<Bytes>(Bytes(80, 7)));
    EXPECT_EQ(backend().grant("cat", "carol").value(), std::nullopt);
    auto upload = UploadId::from_key(as_string(cat.record.upload)).value();
    EXPECT_EQ(backend().committed_name(upload).value(), std::optional<std::string>("cat"));
    EXPECT_EQ(feed(), (Feed{{1, "cat"}}));
    EXPECT_FALSE(backend().has_image("dog").value());
    EXPECT_EQ(backend().image("dog").value(), std::nullopt);
}

TEST_P(StorageBackendTest, SeqsAreTheBackendsAndContinueAcrossAReopen) {
    ASSERT_TRUE(backend().commit(commit_of("a", "a")));
    ASSERT_TRUE(backend().commit(commit_of("b", "b")));
    ASSERT_TRUE(backend().sync());
    reopen();
    EXPECT_EQ(backend().feed_head(), 2u);
    auto c = backend().commit(commit_of("c", "c"));
    ASSERT_TRUE(c.has_value()) << describe(c.error());
    EXPECT_EQ(c->seq, 3u);
    EXPECT_EQ(feed(), (Feed{{1, "a"}, {2, "b"}, {3, "c"}}));
    EXPECT_EQ(feed(3), (Feed{{3, "c"}}));
}

TEST_P(StorageBackendTest, ARetriedCommitGetsTheStoredRecordAndARivalOneNameTaken) {
    auto first = backend().commit(commit_of("cat", "first"));
    ASSERT_TRUE(first.has_value()) << describe(first.error());
    auto retried = backend().commit(commit_of("cat", "first"));
    ASSERT_TRUE(retried.has_value()) << describe(retried.error());
    EXPECT_EQ(*retried, *first);
    auto rival = backend().commit(commit_of("cat", "second"));
    ASSERT_FALSE(rival.has_value());
    EXPECT_EQ(rival.error().code, ErrorCode::NAME_TAKEN);
    auto second = UploadId::of(to_bytes("second"), to_bytes("signature"));
    EXPECT_EQ(backend().committed_name(second).value(), std::nullopt);
    EXPECT_EQ(feed(), (Feed{{1, "cat"}}));
    EXPECT_EQ(backend().feed_head(), 1u);
    EXPECT_EQ(probe().images(), 1u);
}

TEST_P(StorageBackendTest, ACommitEndsItsUploadsSessionAndNotesAndKeepsItsChunks) {
    auto commit = commit_of("cat", "cat-upload");
    auto upload = UploadId::from_key(as_string(commit.record.upload)).value();
    UploadSession session;
    session.owner = "alice";
    session.chunk_count = 1;
    ASSERT_TRUE(backend().begin_session(upload, session, 1000));
    ASSERT_TRUE(backend().store_chunk(upload, 0, Bytes(1017, 3), 1'700'000'000, 1000));
    EXPECT_TRUE(backend().has_chunk_note(upload, 0).value());
    EXPECT_EQ(backend().session(upload).value(), std::optional<UploadSession>(session));
    ASSERT_TRUE(backend().chunks_durable(upload, 1000));
    ASSERT_TRUE(backend().commit(commit));
    EXPECT_EQ(backend().session(upload).value(), std::nullopt);
    EXPECT_FALSE(backend().has_chunk_note(upload, 0).value());
    EXPECT_EQ(probe().upload_state(), 0u);
    EXPECT_EQ(backend().chunk(upload, 0).value(), std::optional<Bytes>(Bytes(1017, 3)));
}

TEST_P(StorageBackendTest, AnUploadsStateIsNeitherThenPendingThenCommitted) {
    auto cat = commit_of("cat", "cat");
    auto upload = UploadId::from_key(as_string(cat.record.upload)).value();
    auto state = backend().upload_state(upload);
    ASSERT_TRUE(state.has_value()) << describe(state.error());
    EXPECT_FALSE(state->pending);
    EXPECT_EQ(state->committed_name, std::nullopt);
    UploadSession session;
    session.owner = "alice";
    session.chunk_count = 1;
    ASSERT_TRUE(backend().begin_session(upload, session, 1000));
    ASSERT_TRUE(backend().store_chunk(upload, 0, Bytes(1017, 3), 1, 1000));
    state = backend().upload_state(upload);
    ASSERT_TRUE(state.has_value()) << describe(state.error());
    EXPECT_TRUE(state->pending);
    EXPECT_EQ(state->committed_name, std::nullopt);
    ASSERT_TRUE(backend().commit(cat));
    state = backend().upload_state(upload);
    ASSERT_TRUE(state.has_value()) << describe(state.error());
    EXPECT_FALSE(state->pending);
    EXPECT_EQ(state->committed_name, std::optional<std::string>("cat"));
}

TEST_P(StorageBackendTest, AnImageOfOneChunkIsCommittedWithItsChunk) {
    auto commit = commit_of("cat", "cat-upload");
    const Bytes chunk(1017, 5);
    commit.only_chunk = ByteView(chunk);
    ASSERT_TRUE(backend().commit(commit));
    auto upload = UploadId::from_key(as_string(commit.record.upload)).value();
    EXPECT_EQ(backend().chunk(upload, 0).value(), std::optional<Bytes>(chunk));
    EXPECT_EQ(backend().chunk(upload, 1).value(), std::nullopt);
}

TEST_P(StorageBackendTest, AShareIsStoredUnderTheNextSeqWithItsGrants) {
    auto committed = backend().commit(commit_of("cat", "cat-upload", {Grant{"bob", Bytes(80, 1)}}));
    ASSERT_TRUE(committed.has_value()) << describe(committed.error());
    ImageRecord grown = *committed;
    grown.recipients = {"alice", "bob", "carol"};
    grown.shares.push_back(ShareRecord{0, {"carol"}});
    auto shared = backend().share(ShareUpdate{grown, {Grant{"carol", Bytes(80, 2)}}});
    ASSERT_TRUE(shared.has_value()) << describe(shared.error());
    ASSERT_EQ(shared->shares.size(), 1u);
    EXPECT_EQ(shared->shares[0], (ShareRecord{2, {"carol"}}));
    EXPECT_EQ(backend().image("cat").value(), std::optional<ImageRecord>(*shared));
    EXPECT_EQ(backend().grant("cat", "carol").value(), std::optional<Bytes>(Bytes(80, 2)));
    EXPECT_EQ(feed(), (Feed{{1, "cat"}, {2, "cat"}}));
    EXPECT_EQ(backend().feed_head(), 2u);
}

TEST_P(StorageBackendTest, PendingUploadsAreFoundInTheStoreWithTheirLastChunksTime) {
    auto cat = UploadId::of(to_bytes("cat"), to_bytes("signature"));
    auto dog = UploadId::of(to_bytes("dog"), to_bytes("signature"));
    UploadSession session;
    session.owner = "alice";
    session.chunk_count = 3;
    ASSERT_TRUE(backend().begin_session(cat, session, 3000));
    ASSERT_TRUE(backend().begin_session(dog, session, 3000));
    ASSERT_TRUE(backend().store_chunk(cat, 0, Bytes(1041, 1), 100, 3000));
    ASSERT_TRUE(backend().store_chunk(cat, 2, Bytes(1041, 1), 300, 3000));
    ASSERT_TRUE(backend().store_chunk(cat, 1, Bytes(1041, 1), 200, 3000));
    ASSERT_TRUE(backend().sync());
    reopen();
    std::map<UploadId, std::int64_t> found;
    ASSERT_TRUE(backend().visit_sessions(
        [&](const UploadId& upload, Result<UploadSession> stored, std::int64_t last_chunk_at) {
            EXPECT_TRUE(stored.has_value());
            found[upload] = last_chunk_at;
        }));
    EXPECT_EQ(found, (std::map<UploadId, std::int64_t>{{cat, 300}, {dog, 0}}));
    std::vector<std::uint32_t> notes;
    ASSERT_TRUE(backend().visit_chunk_notes(cat, [&](std::uint32_t index) {
        notes.push_back(index);
        return true;
    }));
    EXPECT_EQ(notes, (std::vector<std::uint32_t>{0, 1, 2}));
    ASSERT_TRUE(backend().repair_chunk_notes(cat, {}, {1, 2}, 400));
    EXPECT_FALSE(backend().has_chunk_note(cat, 1).value());
    EXPECT_EQ(probe().chunks(cat), 3u) << "a note's repair leaves the chunks alone";
    ASSERT_TRUE(backend().discard_upload(cat));
    EXPECT_EQ(probe().chunks(cat), 0u);
    EXPECT_EQ(probe().upload_state(cat), 0u);
    EXPECT_EQ(probe().upload_state(dog), 1u);
}

TEST_P(StorageBackendTest, AChunkIsNotedOnceStoredAndItsWriteIsSettledBySync) {
    auto cat = UploadId::of(to_bytes("cat"), to_bytes("signature"));
    UploadSession session;
    session.owner = "alice";
    session.chunk_count = 2;
    ASSERT_TRUE(backend().begin_session(cat, session, 2000));
    ASSERT_TRUE(backend().store_chunk(cat, 0, Bytes(1000, 3), 100, 2000));
    // Counted at once, written or not: a repeat in the same burst is not written twice.
    EXPECT_TRUE(backend().has_chunk_note(cat, 0).value());
    EXPECT_FALSE(backend().has_chunk_note(cat, 1).value());
    ASSERT_TRUE(backend().sync());
    EXPECT_FALSE(backend().has_unsettled_writes());
    std::vector<std::uint32_t> notes;
    ASSERT_TRUE(backend().visit_chunk_notes(cat, [&](std::uint32_t index) {
        notes.push_back(index);
        return true;
    }));
    EXPECT_EQ(notes, std::vector<std::uint32_t>{0});
    EXPECT_EQ(backend().chunk(cat, 0).value(), std::optional<Bytes>(Bytes(1000, 3)));
    ASSERT_TRUE(backend().store_chunk(cat, 1, Bytes(1000, 4), 200, 2000));
    // Any reader of chunks settles the writes first.
    EXPECT_EQ(backend().chunk(cat, 1).value(), std::optional<Bytes>(Bytes(1000, 4)));
    ASSERT_TRUE(backend().sync());
    EXPECT_FALSE(backend().has_unsettled_writes());
}

TEST_P(StorageBackendTest, VisitChunksGivesTheStoredChunksInOrderUntilTheVisitStops) {
    // More chunks than the RADOS backend reads at once, one of them missing.
    auto cat = UploadId::of(to_bytes("cat"), to_bytes("signature"));
    UploadSession session;
    session.owner = "alice";
    session.chunk_count = 21;
    ASSERT_TRUE(backend().begin_session(cat, session, 21 * 1000));
    for (std::uint32_t index = 0; index < 21; ++index) {
        if (index == 9) continue;
        ASSERT_TRUE(backend().store_chunk(cat, index, Bytes(1000 + index, index), 100, 21000));
    }
    ASSERT_TRUE(backend().sync());
    std::vector<std::uint32_t> seen;
    ASSERT_TRUE(backend().visit_chunks(cat, [&](std::uint32_t index, ByteView chunk) {
        EXPECT_EQ(chunk.size(), 1000u + index);
        EXPECT_EQ(chunk.front(), static_cast<std::uint8_t>(index));
        seen.push_back(index);
        return true;
    }));
    std::vector<std::uint32_t> expected;
    for (std::uint32_t index = 0; index < 21; ++index) {
        if (index != 9) expected.push_back(index);
    }
    EXPECT_EQ(seen, expected);
    seen.clear();
    ASSERT_TRUE(backend().visit_chunks(cat, [&](std::uint32_t index, ByteView) {
        seen.push_back(index);
        return index < 12;
    }));
    EXPECT_EQ(seen, (std::vector<std::uint32_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12}));
}

TEST_P(StorageBackendTest, ARemovedImageIsGoneForEveryReaderAndItsNameMayBeCommittedAgain) {
    auto cat = commit_of("cat", "cat-upload", {Grant{"bob", Bytes(80, 7)}});
    cat.record.recipients = {"alice", "bob"};
    cat.record.chunk_count = 3;
    auto upload = UploadId::from_key(as_string(cat.record.upload)).value();
    for (std::uint32_t index = 0; index < 3; ++index)
        ASSERT_TRUE(backend().store_chunk(upload, index, Bytes(1017, 3), 1'700'000'000, 1000));
    auto committed = backend().commit(cat);
    ASSERT_TRUE(committed.has_value()) << describe(committed.error());
    auto removed = backend().remove(*committed);
    ASSERT_TRUE(removed.has_value()) << describe(removed.error());
    EXPECT_EQ(*removed, 2u);
    EXPECT_EQ(backend().feed_head(), 2u);
    EXPECT_EQ(feed(), (Feed{{1, "cat"}, {2, "cat"}}));
    EXPECT_EQ(backend().image("cat").value(), std::nullopt);
    EXPECT_FALSE(backend().has_image("cat").value());
    EXPECT_EQ(backend().grant("cat", "bob").value(), std::nullopt);
    EXPECT_EQ(probe().images(), 0u);
    backend().reclaim_space();
    EXPECT_EQ(probe().chunks(upload), 0u);
    EXPECT_EQ(backend().chunk(upload, 0).value(), std::nullopt);

    auto again = backend().commit(commit_of("cat", "another-upload"));
    ASSERT_TRUE(again.has_value()) << describe(again.error());
    EXPECT_EQ(again->seq, 3u);
    EXPECT_EQ(feed(), (Feed{{1, "cat"}, {2, "cat"}, {3, "cat"}}));
    EXPECT_EQ(backend().grant("cat", "bob").value(), std::nullopt);
}

TEST_P(StorageBackendTest, OnlyTheImageItNamesIsRemoved) {
    auto committed = backend().commit(commit_of("cat", "first"));
    ASSERT_TRUE(committed.has_value()) << describe(committed.error());
    // An earlier post under the same name, a missing name: nothing to remove.
    auto earlier = commit_of("cat", "earlier").record;
    expect_error(backend().remove(earlier), ErrorCode::NOT_FOUND);
    expect_error(backend().remove(commit_of("dog", "dog").record), ErrorCode::NOT_FOUND);
    EXPECT_TRUE(backend().has_image("cat").value());
    ASSERT_TRUE(backend().remove(*committed));
    expect_error(backend().remove(*committed), ErrorCode::NOT_FOUND);  // a repeat
    EXPECT_EQ(backend().feed_head(), 2u);
}

TEST_P(StorageBackendTest, ARemovalSurvivesAReopenAndItsSpaceIsReclaimedAfter) {
    auto cat = commit_of("cat", "cat-upload");
    const Bytes chunk(1017, 5);
    cat.only_chunk = ByteView(chunk);
    auto committed = backend().commit(cat);
    ASSERT_TRUE(committed.has_value()) << describe(committed.error());
    ASSERT_TRUE(backend().remove(*committed));
    ASSERT_TRUE(backend().sync());
    reopen();
    EXPECT_EQ(backend().feed_head(), 2u);
    EXPECT_EQ(backend().image("cat").value(), std::nullopt);
    auto upload = UploadId::from_key(as_string(cat.record.upload)).value();
    backend().reclaim_space();
    EXPECT_EQ(probe().chunks(upload), 0u);
    // The upload's note stays: a late retry of its commit learns what it became.
    EXPECT_EQ(backend().committed_name(upload).value(), std::optional<std::string>("cat"));
}

// `name` of `owner`, `size` padded bytes, from upload `upload_seed`.
CommitRecord owned_commit(const std::string& name, const std::string& upload_seed,
                          const std::string& owner, std::uint64_t size) {
    auto commit = commit_of(name, upload_seed);
    commit.record.owner = owner;
    commit.record.size = size;
    return commit;
}

TEST_P(StorageBackendTest, UsageCountsEachOwnersCommittedImagesOnce) {
    EXPECT_EQ(backend().usage("alice").value(), (OwnerUsage{0, 0}));
    ASSERT_TRUE(backend().commit(owned_commit("cat", "cat", "alice", 3000)));
    ASSERT_TRUE(backend().commit(owned_commit("dog", "dog", "alice", 5000)));
    ASSERT_TRUE(backend().commit(owned_commit("bird", "bird", "bob", 7000)));
    ASSERT_TRUE(backend().commit(owned_commit("owl", "owl", "alice.b", 11)));
    // A retried commit, and a rival's NAME_TAKEN, count nothing more.
    ASSERT_TRUE(backend().commit(owned_commit("cat", "cat", "alice", 3000)));
    expect_error(backend().commit(owned_commit("cat", "rival", "alice", 1)),
                 ErrorCode::NAME_TAKEN);
    EXPECT_EQ(backend().usage("alice").value(), (OwnerUsage{8000, 2}));
    EXPECT_EQ(backend().usage("bob").value(), (OwnerUsage{7000, 1}));
    EXPECT_EQ(backend().usage("alice.b").value(), (OwnerUsage{11, 1}));
    EXPECT_EQ(backend().usage("alic").value(), (OwnerUsage{0, 0}));
    EXPECT_EQ(backend().usage("carol").value(), (OwnerUsage{0, 0}));
}

TEST_P(StorageBackendTest, UsageFollowsRemovalsAndSurvivesAReopen) {
    auto cat = backend().commit(owned_commit("cat", "cat", "alice", 3000));
    ASSERT_TRUE(cat.has_value()) << describe(cat.error());
    ASSERT_TRUE(backend().commit(owned_commit("dog", "dog", "alice", 5000)));
    ASSERT_TRUE(backend().remove(*cat));
    EXPECT_EQ(backend().usage("alice").value(), (OwnerUsage{5000, 1}));
    ASSERT_TRUE(backend().sync());
    reopen();
    EXPECT_EQ(backend().usage("alice").value(), (OwnerUsage{5000, 1}));
    // The name posted again counts at its new size.
    ASSERT_TRUE(backend().commit(owned_commit("cat", "cat-again", "alice", 1000)));
    EXPECT_EQ(backend().usage("alice").value(), (OwnerUsage{6000, 2}));
    backend().reclaim_space();
    EXPECT_EQ(backend().usage("alice").value(), (OwnerUsage{6000, 2}));
}

INSTANTIATE_TEST_SUITE_P(Backends, StorageBackendTest, on_every_backend(), backend_name);

}  // namespace
}  // namespace imgshare::storage::testing
