// Quotas across the real processes (issue #21): `imgshare usage` against a storage node run
// with --quota-bytes-per-user, a post over the quota refused at POST_BEGIN with the figures
// before any chunk leaves the client, and the same post accepted once `imgshare delete`
// made room.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "tests/integration/support/cluster_fixture.h"

namespace imgshare::testing {
namespace {

namespace fs = std::filesystem;

constexpr std::uint64_t kAliceQuota = 600 * 1024;

// The unsigned number after "`key`": in a JSON line; nullopt if there is none.
std::optional<std::uint64_t> json_number(const std::string& line, const std::string& key) {
    const auto quoted = "\"" + key + "\":";
    const auto at = line.find(quoted);
    if (at == std::string::npos) return std::nullopt;
    std::size_t end = at + quoted.size();
    std::uint64_t value = 0;
    bool any = false;
    for (; end < line.size() && line[end] >= '0' && line[end] <= '9'; ++end, any = true)
        value = value * 10 + static_cast<std::uint64_t>(line[end] - '0');
    if (!any) return std::nullopt;
    return value;
}

std::size_t occurrences(const std::string& text, const std::string& needle) {
    std::size_t count = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
        ++count;
    return count;
}

class StorageQuotaTest : public ::testing::Test {
  protected:
    Cluster cluster_{ClusterOptions{
        true, {"--quota-bytes-per-user", std::to_string(kAliceQuota)}, {}, {}}};

    // Alice's usage as --json gives it.
    std::string usage_json(const fs::path& home) {
        auto usage = cluster_.imgshare(home, {"--json", "usage"});
        EXPECT_EQ(usage.exit_code, 0) << usage.err;
        return usage.out;
    }

    std::size_t chunks_through_the_broker() {
        return occurrences(read_text(cluster_.broker_dir() / "protocol.log"), "\"POST_CHUNK\"");
    }
};

TEST_F(StorageQuotaTest, APostOverTheQuotaIsRefusedBeforeAnyChunkAndAcceptedOnceRoomIsMade) {
    auto alice = cluster_.new_user("alice");
    auto empty = cluster_.imgshare(alice, {"usage"});
    ASSERT_EQ(empty.exit_code, 0) << empty.err;
    EXPECT_EQ(empty.out, "used 0 B in 0 images of 600 KiB quota\n");

    // Two images of two chunks each (256 KiB chunks): posted with POST_BEGIN and chunks.
    auto first = cluster_.dir() / "first.png";
    write_large_image(first, 400'000, 1);
    auto second = cluster_.dir() / "second.png";
    write_large_image(second, 300'000, 2);
    auto posted = cluster_.imgshare(alice, {"post", first.string()});
    ASSERT_EQ(posted.exit_code, 0) << posted.err;
    const auto json = usage_json(alice);
    const auto used = json_number(json, "used_bytes");
    ASSERT_TRUE(used.has_value()) << json;
    EXPECT_GE(*used, 400'000u) << "padded: a little more than the file";
    EXPECT_EQ(json_number(json, "images"), 1u) << json;
    EXPECT_EQ(json_number(json, "pending_uploads"), 0u) << json;
    EXPECT_EQ(json_number(json, "quota_bytes"), kAliceQuota) << json;
    auto shown = cluster_.imgshare(alice, {"usage"});
    ASSERT_EQ(shown.exit_code, 0) << shown.err;
    EXPECT_EQ(shown.out.rfind("used ", 0), 0u) << shown.out;
    EXPECT_NE(shown.out.find(" KiB in 1 image of 600 KiB quota\n"), std::string::npos)
        << shown.out;

    const auto chunks_before = chunks_through_the_broker();
    ASSERT_GE(chunks_before, 2u) << "the first post's chunks are in the broker's log";
    auto refused = cluster_.imgshare(alice, {"post", second.string()});
    EXPECT_EQ(refused.exit_code, 1);
    const auto figures = "error: QUOTA_EXCEEDED: you use " + std::to_string(*used) +
                         " of your " + std::to_string(kAliceQuota) + " bytes; this image needs ";
    EXPECT_EQ(refused.err.rfind(figures, 0), 0u) << refused.err;
    EXPECT_EQ(chunks_through_the_broker(), chunks_before) << "a chunk was sent";
    EXPECT_EQ(json_number(usage_json(alice), "used_bytes"), used);

    auto deleted = cluster_.imgshare(alice, {"delete", "first"});
    ASSERT_EQ(deleted.exit_code, 0) << deleted.err;
    auto again = cluster_.imgshare(alice, {"post", second.string()});
    ASSERT_EQ(again.exit_code, 0) << again.err;
    EXPECT_NE(again.out.find("posted second"), std::string::npos) << again.out;
    const auto after = usage_json(alice);
    EXPECT_EQ(json_number(after, "images"), 1u) << after;
    EXPECT_GE(json_number(after, "used_bytes").value_or(0), 300'000u) << after;
    EXPECT_LT(json_number(after, "used_bytes").value_or(0), *used) << after;
}

TEST_F(StorageQuotaTest, UsageShowsOnlyTheSendersOwnImages) {
    auto alice = cluster_.new_user("alice");
    auto bob = cluster_.new_user("bob");
    auto posted = cluster_.imgshare(alice, {"post", cluster_.small_png("cat.png").string()});
    ASSERT_EQ(posted.exit_code, 0) << posted.err;
    auto bobs = cluster_.imgshare(bob, {"usage"});
    ASSERT_EQ(bobs.exit_code, 0) << bobs.err;
    EXPECT_EQ(bobs.out, "used 0 B in 0 images of 600 KiB quota\n");
    auto alices = cluster_.imgshare(alice, {"usage"});
    ASSERT_EQ(alices.exit_code, 0) << alices.err;
    EXPECT_EQ(alices.out, "used 4 KiB in 1 image of 600 KiB quota\n");
}

}  // namespace
}  // namespace imgshare::testing
