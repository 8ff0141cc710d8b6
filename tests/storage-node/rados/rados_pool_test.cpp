// storage-node/rados/rados_pool against a real cluster (support/rados_fixture.h): each
// operation's promise, compared with independent constants, never with what was written
// through the same buffer.
#include "storage-node/rados/rados_pool.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/storage-node/rados/support/rados_fixture.h"

namespace imgshare::testing {
namespace {

using storage::rados::ObjectWrite;
using storage::rados::OmapValues;
using storage::rados::RadosPool;
using storage::rados::WriteOutcome;

Bytes pattern(std::size_t size) {
    Bytes out(size);
    for (std::size_t i = 0; i < size; ++i) {
        out[i] = static_cast<std::uint8_t>((i * 131 + 7) % 251);
    }
    return out;
}

using RadosPoolTest = RadosTest;

TEST_F(RadosPoolTest, WriteFullOfOneBufferTwiceReadsBackTheConstantBothTimes) {
    // librados' write_full empties the bufferlist it is given (CEPH.md): a wrapper that
    // reused one would write 0 bytes the second time and still report success.
    const Bytes data = to_bytes("the bytes of one image chunk");
    ASSERT_TRUE(pool_->write_full("first", data));
    ASSERT_TRUE(pool_->write_full("second", data));
    EXPECT_EQ(pool_->read("first").value(), to_bytes("the bytes of one image chunk"));
    EXPECT_EQ(pool_->read("second").value(), to_bytes("the bytes of one image chunk"));
    EXPECT_EQ(pool_->stat("second").value().size, 28U);
}

TEST_F(RadosPoolTest, WriteFullReplacesTheWholeObject) {
    ASSERT_TRUE(pool_->write_full("object", to_bytes("a longer first version")));
    ASSERT_TRUE(pool_->write_full("object", to_bytes("short")));
    EXPECT_EQ(pool_->read("object").value(), to_bytes("short"));
}

TEST_F(RadosPoolTest, ReadsARange) {
    ASSERT_TRUE(pool_->write_full("object", to_bytes("0123456789")));
    EXPECT_EQ(pool_->read("object", 2, 3).value(), to_bytes("234"));
    EXPECT_EQ(pool_->read("object", 8, 100).value(), to_bytes("89"));  // cut at the end
    EXPECT_TRUE(pool_->read("object", 10, 5).value().empty());         // past the end
}

TEST_F(RadosPoolTest, FourMebibytesRoundTrip) {
    const Bytes data = pattern(4 << 20);
    ASSERT_TRUE(pool_->write_full("large", data));
    const auto read = pool_->read("large");
    ASSERT_TRUE(read) << describe(read.error());
    EXPECT_TRUE(*read == pattern(4 << 20));
    EXPECT_EQ(pool_->read("large", (4 << 20) - 2, 10).value(), Bytes(data.end() - 2, data.end()));
}

TEST_F(RadosPoolTest, MissingObjectIsNotFound) {
    EXPECT_EQ(pool_->read("missing").error().code, ErrorCode::NOT_FOUND);
    EXPECT_EQ(pool_->stat("missing").error().code, ErrorCode::NOT_FOUND);
    EXPECT_EQ(pool_->remove("missing").error().code, ErrorCode::NOT_FOUND);
    EXPECT_EQ(pool_->omap_get("missing", {"key"}).error().code, ErrorCode::NOT_FOUND);
    const Error error = pool_->read("missing-secret-name").error();
    EXPECT_EQ(error.message.find("missing-secret-name"), std::string::npos) << error.message;
}

TEST_F(RadosPoolTest, ReadEachGivesEveryObjectInItsPlaceAndAMissingOneAsNotFound) {
    ASSERT_TRUE(pool_->write_full("a", to_bytes("first")));
    ASSERT_TRUE(pool_->write_full("c", pattern(1 << 20)));
    ASSERT_TRUE(pool_->write_full("d", Bytes()));
    const auto read = pool_->read_each({"a", "b", "c", "d", "a"});
    ASSERT_EQ(read.size(), 5U);
    EXPECT_EQ(read[0].value(), to_bytes("first"));
    EXPECT_EQ(read[1].error().code, ErrorCode::NOT_FOUND);
    EXPECT_TRUE(read[2].value() == pattern(1 << 20));
    EXPECT_TRUE(read[3].value().empty());
    EXPECT_EQ(read[4].value(), to_bytes("first"));
    EXPECT_TRUE(pool_->read_each({}).empty());
    const std::vector<std::string> too_many(RadosPool::kMaxReadEach + 1, "a");
    const auto refused = pool_->read_each(too_many);
    ASSERT_EQ(refused.size(), too_many.size());
    EXPECT_EQ(refused[0].error().code, ErrorCode::INTERNAL);
}

TEST_F(RadosPoolTest, WritesBegunTogetherAreEachStoredAndAnOversizedOneIsRefusedWhenWaitedFor) {
    std::vector<storage::rados::WriteInFlight> writes;
    for (int i = 0; i < 4; ++i) {
        auto begun = pool_->begin_write_full("chunk." + std::to_string(i), pattern(1000 + i));
        ASSERT_TRUE(begun) << describe(begun.error());
        writes.push_back(std::move(*begun));
    }
    for (auto& write : writes) {
        ASSERT_TRUE(write.wait());
    }
    for (int i = 0; i < 4; ++i) {
        EXPECT_TRUE(pool_->read("chunk." + std::to_string(i)).value() == pattern(1000 + i)) << i;
    }
    EXPECT_EQ(writes[0].wait().error().code, ErrorCode::INTERNAL) << "waited for twice";
    {
        // Never waited for: the write still ends before its buffer goes.
        auto begun = pool_->begin_write_full("unwaited", to_bytes("landed"));
        ASSERT_TRUE(begun);
    }
    EXPECT_EQ(pool_->read("unwaited").value(), to_bytes("landed"));
    // More than the OSD takes in one write (osd_max_write_size, 90 MiB): its refusal comes
    // with the wait, as the synchronous write's would.
    auto oversized = pool_->begin_write_full("oversized", Bytes(91u << 20, 1));
    ASSERT_TRUE(oversized) << describe(oversized.error());
    auto refused = oversized->wait();
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::TOO_LARGE) << describe(refused.error());
    EXPECT_EQ(pool_->read("oversized").error().code, ErrorCode::NOT_FOUND);
}

TEST_F(RadosPoolTest, RemovedObjectIsGone) {
    ASSERT_TRUE(pool_->write_full("object", to_bytes("data")));
    ASSERT_TRUE(pool_->omap_set("object", {{"key", to_bytes("value")}}));
    ASSERT_TRUE(pool_->remove("object"));
    EXPECT_EQ(pool_->read("object").error().code, ErrorCode::NOT_FOUND);
    EXPECT_EQ(pool_->omap_get("object", {"key"}).error().code, ErrorCode::NOT_FOUND);
}

TEST_F(RadosPoolTest, ExclusiveCreateWritesDataAndOmapTogether) {
    ObjectWrite create;
    create.create_exclusive = true;
    create.data = to_bytes("record");
    create.omap_set = {{"owner", to_bytes("alice")}, {"mode", to_bytes("escrow")}};
    ASSERT_EQ(pool_->write("image", create).value(), WriteOutcome::Done);
    EXPECT_EQ(pool_->read("image").value(), to_bytes("record"));
    EXPECT_EQ(pool_->omap_get("image", {"owner", "mode"}).value(),
              (OmapValues{{"owner", to_bytes("alice")}, {"mode", to_bytes("escrow")}}));
}

TEST_F(RadosPoolTest, ExclusiveCreateOfAnExistingObjectChangesNeitherDataNorOmap) {
    ObjectWrite first;
    first.create_exclusive = true;
    first.data = to_bytes("first record");
    first.omap_set = {{"owner", to_bytes("alice")}};
    ASSERT_EQ(pool_->write("image", first).value(), WriteOutcome::Done);
    ObjectWrite second;
    second.create_exclusive = true;
    second.data = to_bytes("second");
    second.omap_set = {{"owner", to_bytes("mallory")}, {"extra", to_bytes("x")}};
    second.omap_remove = {"owner"};
    EXPECT_EQ(pool_->write("image", second).value(), WriteOutcome::AlreadyExists);
    EXPECT_EQ(pool_->read("image").value(), to_bytes("first record"));
    EXPECT_EQ(pool_->omap_get_after("image", "", 10).value().values,
              (OmapValues{{"owner", to_bytes("alice")}}));
}

TEST_F(RadosPoolTest, FailedComparisonChangesNothing) {
    ASSERT_TRUE(pool_->omap_set("object", {{"state", to_bytes("pending")}}));
    ObjectWrite commit;
    commit.omap_equals = {{"state", to_bytes("open")}};
    commit.data = to_bytes("committed");
    commit.omap_set = {{"state", to_bytes("done")}};
    EXPECT_EQ(pool_->write("object", commit).value(), WriteOutcome::ComparisonFailed);
    EXPECT_EQ(pool_->read("object").value(), Bytes{});
    EXPECT_EQ(pool_->omap_get("object", {"state"}).value(),
              (OmapValues{{"state", to_bytes("pending")}}));

    ObjectWrite absent_key;
    absent_key.omap_equals = {{"other", to_bytes("open")}};
    absent_key.omap_set = {{"state", to_bytes("done")}};
    EXPECT_EQ(pool_->write("object", absent_key).value(), WriteOutcome::ComparisonFailed);

    commit.omap_equals = {{"state", to_bytes("pending")}};
    EXPECT_EQ(pool_->write("object", commit).value(), WriteOutcome::Done);
    EXPECT_EQ(pool_->read("object").value(), to_bytes("committed"));
    EXPECT_EQ(pool_->omap_get("object", {"state"}).value(),
              (OmapValues{{"state", to_bytes("done")}}));
}

TEST_F(RadosPoolTest, ComparisonOnAMissingObjectIsNotFound) {
    ObjectWrite commit;
    commit.omap_equals = {{"state", to_bytes("open")}};
    commit.omap_set = {{"state", to_bytes("done")}};
    EXPECT_EQ(pool_->write("missing", commit).error().code, ErrorCode::NOT_FOUND);
    EXPECT_EQ(pool_->stat("missing").error().code, ErrorCode::NOT_FOUND);
}

TEST_F(RadosPoolTest, OmapGetByKeysLeavesAbsentKeysOut) {
    ASSERT_TRUE(pool_->omap_set("object", {{"a", to_bytes("1")}, {"b", to_bytes("")}}));
    EXPECT_EQ(pool_->omap_get("object", {"a", "b", "c"}).value(),
              (OmapValues{{"a", to_bytes("1")}, {"b", Bytes{}}}));
}

TEST_F(RadosPoolTest, OmapPagesAfterAKeyInOrder) {
    OmapValues all;
    for (int i = 0; i < 10; ++i) {
        all.emplace("seq." + std::to_string(100 + i), to_bytes("image" + std::to_string(i)));
    }
    ASSERT_TRUE(pool_->omap_set("feed", all));
    OmapValues seen;
    std::string after;
    int pages = 0;
    for (bool more = true; more; ++pages) {
        const auto page = pool_->omap_get_after("feed", after, 3);
        ASSERT_TRUE(page) << describe(page.error());
        ASSERT_LE(page->values.size(), 3U);
        ASSERT_FALSE(page->values.empty());
        EXPECT_GT(page->values.begin()->first, after);
        seen.insert(page->values.begin(), page->values.end());
        after = page->values.rbegin()->first;
        more = page->more;
    }
    EXPECT_EQ(pages, 4);
    EXPECT_EQ(seen, all);
    const auto tail = pool_->omap_get_after("feed", "seq.107", 100).value();
    EXPECT_EQ(tail.values.size(), 2U);
    EXPECT_FALSE(tail.more);
}

TEST_F(RadosPoolTest, ReadWithOmapGivesTheDataAndOnlyThePrefixedKeysInOneRead) {
    ASSERT_TRUE(pool_->write_full("image", to_bytes("the record")));
    ASSERT_TRUE(pool_->omap_set("image", {{"applied", to_bytes("0")},
                                          {"stage.1", to_bytes("one")},
                                          {"stage.2", to_bytes("two")},
                                          {"stagex", to_bytes("not a stage")}}));
    auto read = pool_->read_with_omap("image", "stage.", 100);
    ASSERT_TRUE(read) << describe(read.error());
    EXPECT_EQ(read->data, to_bytes("the record"));
    EXPECT_EQ(read->omap.values,
              (OmapValues{{"stage.1", to_bytes("one")}, {"stage.2", to_bytes("two")}}));
    EXPECT_FALSE(read->omap.more);

    auto first = pool_->read_with_omap("image", "stage.", 1);
    ASSERT_TRUE(first);
    EXPECT_EQ(first->omap.values, (OmapValues{{"stage.1", to_bytes("one")}}));
    EXPECT_TRUE(first->omap.more);

    ASSERT_TRUE(pool_->omap_set("keys only", {{"stage.1", to_bytes("one")}}));
    auto empty = pool_->read_with_omap("keys only", "stage.", 100);
    ASSERT_TRUE(empty);
    EXPECT_TRUE(empty->data.empty());
    EXPECT_EQ(empty->omap.values.size(), 1U);

    auto missing = pool_->read_with_omap("no such object", "stage.", 100);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, ErrorCode::NOT_FOUND);
}

TEST_F(RadosPoolTest, OmapRemoveRemovesOnlyThoseKeys) {
    ASSERT_TRUE(pool_->omap_set("object", {{"a", to_bytes("1")}, {"b", to_bytes("2")}}));
    ASSERT_TRUE(pool_->omap_remove("object", {"a", "never-set"}));
    EXPECT_EQ(pool_->omap_get_after("object", "", 10).value().values,
              (OmapValues{{"b", to_bytes("2")}}));
}

TEST_F(RadosPoolTest, CompareAndSwapLosesWhenTheValueChanged) {
    ASSERT_TRUE(pool_->omap_set("counter", {{"next", to_bytes("1")}}));
    EXPECT_TRUE(pool_->compare_and_swap("counter", "next", to_bytes("1"), to_bytes("2")).value());
    EXPECT_FALSE(pool_->compare_and_swap("counter", "next", to_bytes("1"), to_bytes("3")).value());
    EXPECT_FALSE(pool_->compare_and_swap("counter", "absent", to_bytes("1"), to_bytes("3")).value());
    EXPECT_EQ(pool_->omap_get("counter", {"next", "absent"}).value(),
              (OmapValues{{"next", to_bytes("2")}}));
}

TEST_F(RadosPoolTest, AnAbsentKeyComparesEqualToTheEmptyValue) {
    // The OSD compares a missing key as an empty value: a counter can start from "".
    ASSERT_TRUE(pool_->omap_set("counter", {{"other", to_bytes("x")}}));
    EXPECT_TRUE(pool_->compare_and_swap("counter", "next", Bytes{}, to_bytes("1")).value());
    EXPECT_FALSE(pool_->compare_and_swap("counter", "next", Bytes{}, to_bytes("1")).value());
    EXPECT_EQ(pool_->omap_get("counter", {"next"}).value(), (OmapValues{{"next", to_bytes("1")}}));
}

// Takes the next value of a counter shared by several clients: read, then swap in value+1;
// a lost swap means another client took it first, so read again.
std::uint64_t take_next(const RadosPool& pool) {
    for (;;) {
        const auto current = pool.omap_get("counter", {"next"});
        EXPECT_TRUE(current) << describe(current.error());
        const Bytes& held = current->at("next");
        const std::uint64_t value = std::stoull(std::string(as_string(held)));
        const auto swapped =
            pool.compare_and_swap("counter", "next", held, to_bytes(std::to_string(value + 1)));
        EXPECT_TRUE(swapped) << describe(swapped.error());
        if (*swapped) {
            return value + 1;
        }
    }
}

TEST_F(RadosPoolTest, TwoClientsIncrementingAtOnceNeverTakeTheSameValue) {
    constexpr int kEach = 60;
    ASSERT_TRUE(pool_->omap_set("counter", {{"next", to_bytes("0")}}));
    auto other = second_client();
    ASSERT_TRUE(other) << describe(other.error());
    std::vector<std::uint64_t> mine;
    std::vector<std::uint64_t> theirs;
    std::thread second([&] {
        for (int i = 0; i < kEach; ++i) {
            theirs.push_back(take_next(*other));
        }
    });
    for (int i = 0; i < kEach; ++i) {
        mine.push_back(take_next(*pool_));
    }
    second.join();
    EXPECT_TRUE(std::ranges::is_sorted(mine));
    EXPECT_TRUE(std::ranges::is_sorted(theirs));
    std::set<std::uint64_t> all(mine.begin(), mine.end());
    all.insert(theirs.begin(), theirs.end());
    EXPECT_EQ(all.size(), 2U * kEach);  // no value taken twice
    EXPECT_EQ(*all.begin(), 1U);
    EXPECT_EQ(*all.rbegin(), 2U * kEach);
    EXPECT_EQ(pool_->omap_get("counter", {"next"}).value().at("next"),
              to_bytes(std::to_string(2 * kEach)));
}

}  // namespace
}  // namespace imgshare::testing
