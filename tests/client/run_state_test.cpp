// What a load run's clients share: downloads pick only images their user may read (every
// escrow image, the end-to-end images it is a reader of), and subscribers expect each
// commit's events only from its audience, counted once per image.
#include "client/load/run_state.h"

#include <gtest/gtest.h>

#include <set>

#include "client/load/load_client.h"

namespace imgshare::client::load {
namespace {

std::set<std::string> picks_for(const PostedImages& images, const std::string& reader) {
    std::set<std::string> names;
    for (std::uint64_t random = 0; random < 64; ++random) {
        auto picked = images.pick(random, reader);
        if (picked) names.insert(picked->name);
    }
    return names;
}

TEST(RunStateTest, DownloadsPickEscrowImagesAndOnlyTheEndToEndImagesTheirUserReads) {
    PostedImages images;
    EXPECT_FALSE(images.pick(7, "load-000"));
    images.add({"for-bob", 10, {"load-000", "load-001"}});
    EXPECT_FALSE(images.pick(7, "load-002")) << "nothing load-002 may read";
    images.add({"everyone", 10, {}});
    images.add({"for-carol", 10, {"load-000", "load-002"}});
    EXPECT_EQ(images.size(), 3u);
    EXPECT_EQ(picks_for(images, "load-000"),
              (std::set<std::string>{"for-bob", "everyone", "for-carol"}));
    EXPECT_EQ(picks_for(images, "load-001"), (std::set<std::string>{"for-bob", "everyone"}));
    EXPECT_EQ(picks_for(images, "load-002"), (std::set<std::string>{"everyone", "for-carol"}));
    EXPECT_EQ(picks_for(images, "load-003"), (std::set<std::string>{"everyone"}));
}

TEST(RunStateTest, ExpectedEventsAddEachCommitsAudienceOnce) {
    CommitTimes commits;
    commits.record("a", 100, 3);
    commits.record("b", 200, 1);
    commits.record("a", 300, 3);  // a retried record of the same commit
    EXPECT_EQ(commits.size(), 2u);
    EXPECT_EQ(commits.expected_events(), 4u);
    EXPECT_EQ(commits.find("a"), 100);
    EXPECT_FALSE(commits.find("c"));
}

TEST(RunStateTest, EndToEndReadersAreThePosterAndTheNextUsersWrappingAround) {
    EXPECT_EQ(reader_indices(0, 2, 5), (std::vector<std::size_t>{0, 1, 2}));
    EXPECT_EQ(reader_indices(4, 2, 5), (std::vector<std::size_t>{4, 0, 1}));
    EXPECT_EQ(reader_indices(1, 0, 5), (std::vector<std::size_t>{1}));
}

}  // namespace
}  // namespace imgshare::client::load
