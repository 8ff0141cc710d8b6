#include "storage-node/feed_tail.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace imgshare::storage {
namespace {

using Entries = std::vector<std::pair<std::uint64_t, std::string>>;

Entries held_from(const FeedTail& tail, std::uint64_t first, std::size_t stop_after = 1000) {
    Entries entries;
    tail.visit_from(first, [&](std::uint64_t seq, std::string_view name) {
        entries.emplace_back(seq, std::string(name));
        return entries.size() < stop_after;
    });
    return entries;
}

TEST(FeedTailTest, AfterAStartItCoversOnlyWhatComesNext) {
    FeedTail tail(41, 8);
    EXPECT_EQ(tail.last_seq(), 41u);
    EXPECT_FALSE(tail.covers(41));  // written before the start: only RocksDB has it
    EXPECT_TRUE(tail.covers(42));
    EXPECT_TRUE(held_from(tail, 42).empty());
    tail.append(42, "cat");
    tail.append(43, "dog");
    EXPECT_FALSE(tail.covers(41));
    EXPECT_EQ(held_from(tail, 42), (Entries{{42, "cat"}, {43, "dog"}}));
    EXPECT_EQ(held_from(tail, 43), (Entries{{43, "dog"}}));
    EXPECT_EQ(tail.last_seq(), 43u);
    EXPECT_TRUE(held_from(tail, 44).empty());
    EXPECT_EQ(held_from(tail, 42, 1), (Entries{{42, "cat"}}));  // the visitor stops it
}

TEST(FeedTailTest, KeepsTheNewestEntriesUpToItsCapacity) {
    FeedTail tail(0, 3);
    for (std::uint64_t seq = 1; seq <= 5; ++seq)
        tail.append(seq, "image-" + std::to_string(seq));
    EXPECT_FALSE(tail.covers(2));
    EXPECT_TRUE(tail.covers(3));
    EXPECT_EQ(held_from(tail, 3), (Entries{{3, "image-3"}, {4, "image-4"}, {5, "image-5"}}));
    EXPECT_EQ(tail.last_seq(), 5u);  // dropping old entries does not move the head
}

TEST(FeedTailTest, AGapRestartsItRatherThanSkippingEntries) {
    FeedTail tail(0, 8);
    tail.append(1, "cat");
    tail.append(3, "dog");  // seq 2 never reached the tail
    EXPECT_FALSE(tail.covers(1));
    EXPECT_FALSE(tail.covers(2));
    EXPECT_EQ(held_from(tail, 3), (Entries{{3, "dog"}}));
    EXPECT_EQ(tail.last_seq(), 3u);
}

}  // namespace
}  // namespace imgshare::storage
