// client/gallery/image_feed: feed order, one entry per name, waits that end.
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
