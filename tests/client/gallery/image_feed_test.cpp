// client/gallery/image_feed: feed order, one entry per name, removals, waits that end.
#include "client/gallery/image_feed.h"

#include <gtest/gtest.h>

#include <thread>

namespace imgshare::gallery {
namespace {

using namespace std::chrono_literals;

nlohmann::json entry(std::uint64_t seq, const std::string& name) {
    return {{"seq", seq}, {"name", name}};
}

TEST(ImageFeedTest, EntriesAfterAPositionComeInFeedOrderAndNewestFirstReverses) {
    ImageFeed feed;
    feed.add(entry(3, "c"));
    feed.add(entry(1, "a"));
    feed.add(entry(2, "b"));
    auto news = feed.after(1, 0ms);
    ASSERT_EQ(news.size(), 2u);
    EXPECT_EQ(news[0]["name"], "b");
    EXPECT_EQ(news[1]["name"], "c");
    EXPECT_EQ(feed.newest_first(), nlohmann::json::array({entry(3, "c"), entry(2, "b"),
                                                          entry(1, "a")}));
    EXPECT_EQ(feed.last_seq(), 3u);
}

TEST(ImageFeedTest, ANameSharedLaterMovesToItsNewPositionAndAnEntryIsNeverAddedTwice) {
    ImageFeed feed;
    feed.add(entry(1, "a"));
    feed.add(entry(1, "a"));
    feed.add(entry(4, "a"));
    EXPECT_EQ(feed.newest_first(), nlohmann::json::array({entry(4, "a")}));
}

nlohmann::json removal_at(std::uint64_t seq, const std::string& name) {
    return {{"seq", seq}, {"name", name}, {"removed", true}};
}

TEST(ImageFeedTest, ARemovalTakesTheImageOutAndComesInFeedOrderAtItsOwnPosition) {
    ImageFeed feed;
    feed.add(entry(1, "a"));
    feed.add(entry(2, "b"));
    EXPECT_TRUE(feed.remove("a", 3));
    feed.add(entry(4, "c"));
    EXPECT_EQ(feed.newest_first(), nlohmann::json::array({entry(4, "c"), entry(2, "b")}));
    // A page that showed "a" learns it went; one resuming after the removal does not get
    // "a" back; one that began before "a" gets only the removal, which it ignores.
    EXPECT_EQ(feed.after(2, 0ms), (std::vector{removal_at(3, "a"), entry(4, "c")}));
    EXPECT_EQ(feed.after(3, 0ms), (std::vector{entry(4, "c")}));
    EXPECT_EQ(feed.after(0, 0ms), (std::vector{entry(2, "b"), removal_at(3, "a"), entry(4, "c")}));
    EXPECT_EQ(feed.last_seq(), 4u);
}

TEST(ImageFeedTest, ANamePostedAgainAfterItsRemovalShowsTheNewImage) {
    ImageFeed feed;
    feed.add(entry(1, "a"));
    EXPECT_TRUE(feed.remove("a", 2));
    feed.add(entry(5, "a"));
    EXPECT_EQ(feed.newest_first(), nlohmann::json::array({entry(5, "a")}));
    EXPECT_EQ(feed.after(1, 0ms), (std::vector{entry(5, "a")}));
    // The same deletion heard again (or late) does not take the new image out.
    EXPECT_FALSE(feed.remove("a", 2));
    EXPECT_EQ(feed.newest_first(), nlohmann::json::array({entry(5, "a")}));
    // And a LIST that raced the deletion cannot bring the deleted image back.
    EXPECT_TRUE(feed.remove("a", 6));
    feed.add(entry(5, "a"));
    feed.add(entry(3, "a"));
    EXPECT_TRUE(feed.newest_first().empty());
}

TEST(ImageFeedTest, ARemovalOfAnUnknownOrAlreadyRemovedNameIsIgnored) {
    ImageFeed feed;
    feed.add(entry(1, "a"));
    EXPECT_FALSE(feed.remove("unknown", 2));
    EXPECT_TRUE(feed.remove("a", 3));
    EXPECT_FALSE(feed.remove("a", 4));  // e.g. revoked, then the owner deleted it
    EXPECT_EQ(feed.after(0, 0ms), (std::vector{removal_at(3, "a")}));
    EXPECT_EQ(feed.last_seq(), 3u);
}

TEST(ImageFeedTest, AWaiterWakesForARemoval) {
    ImageFeed feed;
    feed.add(entry(1, "a"));
    std::thread remover([&] { EXPECT_TRUE(feed.remove("a", 2)); });
    auto news = feed.after(1, 10s);
    remover.join();
    EXPECT_EQ(news, (std::vector{removal_at(2, "a")}));
}

TEST(ImageFeedTest, AWaiterWakesForANewEntryAndForClose) {
    ImageFeed feed;
    std::thread adder([&] { feed.add(entry(1, "a")); });
    auto news = feed.after(0, 10s);  // returns as soon as the entry is there
    adder.join();
    ASSERT_EQ(news.size(), 1u);
    std::thread closer([&] { feed.close(); });
    EXPECT_TRUE(feed.after(1, 10s).empty());
    closer.join();
    EXPECT_TRUE(feed.closed());
}

}  // namespace
}  // namespace imgshare::gallery
