// The protocol logs across the real processes: each hop of a request is a line
// with its type, id and fields, in the log of every process it passes.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <string>
#include <vector>

#include "tests/integration/support/cluster_fixture.h"

namespace imgshare::testing {
namespace {

using nlohmann::json;

std::vector<json> every_log_line(const std::filesystem::path& path) {
    std::vector<json> lines;
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);)
        lines.push_back(json::parse(line));
    return lines;
}

std::vector<json> matching(const std::vector<json>& lines, std::string_view direction,
                           std::string_view peer, std::string_view type) {
    std::vector<json> found;
    for (const auto& line : lines) {
        if (line["direction"] == direction && line["peer"] == peer && line["type"] == type) {
            found.push_back(line);
        }
    }
    return found;
}

class ProtocolTrailTest : public ClusterTest {};

TEST_F(ProtocolTrailTest, TheBrokerLogsWhatItForwardsToAServiceNotAnEmptyMessage) {
    auto alice = cluster_.new_user("alice");
    auto image = cluster_.small_png("a.png");
    ASSERT_EQ(cluster_.imgshare(alice, {"post", image.string(), "--name", "first"}).exit_code, 0);
    auto listed = cluster_.imgshare(alice, {"list", "--after", "0"});
    ASSERT_EQ(listed.exit_code, 0) << listed.err;
    // The servers' logs are batched; a clean stop flushes them.
    cluster_.stop_broker();
    cluster_.stop_storage();

    auto broker = every_log_line(cluster_.broker_dir() / "protocol.log");
    for (const auto& line : broker) {
        if (line["direction"] == "published") continue;  // an event has no header frame
        EXPECT_FALSE(line["type"].is_null()) << line.dump();
        EXPECT_FALSE(line.contains("fields") && line["fields"].contains("undecodable"))
            << line.dump();
    }
    auto from_alice = matching(broker, "received", "alice", "LIST");
    auto to_storage = matching(broker, "sent", "storage", "LIST");
    ASSERT_EQ(from_alice.size(), 1u);
    ASSERT_EQ(to_storage.size(), 1u);
    EXPECT_EQ(to_storage[0]["fields"], from_alice[0]["fields"]);
    EXPECT_EQ(to_storage[0]["header"]["user"], "alice") << to_storage[0].dump();

    // A small image goes in one POST_IMAGE, its chunk as the payload.
    auto chunks_to_storage = matching(broker, "sent", "storage", "POST_IMAGE");
    ASSERT_FALSE(chunks_to_storage.empty());
    EXPECT_GT(chunks_to_storage[0]["payload"]["len"].get<int>(), 0) << chunks_to_storage[0].dump();

    auto storage = every_log_line(cluster_.storage_dir() / "protocol.log");
    auto at_storage = matching(storage, "received", "alice", "LIST");
    ASSERT_EQ(at_storage.size(), 1u);
    EXPECT_EQ(at_storage[0]["fields"], from_alice[0]["fields"]);
    EXPECT_EQ(at_storage[0]["id"], to_storage[0]["id"]);
}

}  // namespace
}  // namespace imgshare::testing
