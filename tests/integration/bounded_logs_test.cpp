// The servers' logs stay within --log-max-bytes × (--log-keep + 1) under
// traffic: every server started with a tiny bound, posts and listings driven
// through it, then each protocol log (and the storage node's operational log
// file, at debug level so RocksDB's own lines fill it) is checked: rotated,
// no file over the bound, private, every line whole.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/common/scratch_dir.h"
#include "tests/common/support/rotated_log.h"
#include "tests/integration/support/cluster.h"

namespace imgshare::testing {
namespace {

namespace fs = std::filesystem;

constexpr std::uintmax_t kMaxBytes = 8192;
constexpr std::size_t kKeep = 2;

std::vector<std::string> log_bound_flags() {
    return {"--log-max-bytes", std::to_string(kMaxBytes), "--log-keep", std::to_string(kKeep)};
}

// Rotated (FILE.1 exists), FILE and its parts within the bound and mode 0600, every line
// accepted by `whole`.
template <class LineCheck>
void expect_bounded(const fs::path& file, LineCheck whole) {
    SCOPED_TRACE(file.string());
    auto files = rotated_files_oldest_first(file);
    EXPECT_TRUE(fs::exists(rotated_file_name(file, 1))) << "the traffic did not rotate it";
    EXPECT_LE(files.size(), kKeep + 1);
    EXPECT_FALSE(fs::exists(rotated_file_name(file, kKeep + 1)));
    std::uintmax_t total = 0;
    for (const auto& part : files) {
        EXPECT_LE(fs::file_size(part), kMaxBytes) << part;
        EXPECT_EQ(permission_bits(part), 0600u) << part;
        total += fs::file_size(part);
    }
    EXPECT_LE(total, kMaxBytes * (kKeep + 1));
    for (const auto& line : rotated_log_lines(file))
        EXPECT_TRUE(whole(line)) << "a split or damaged line: " << line;
}

TEST(BoundedLogsTest, EveryServersLogsStayWithinTheirRotationBoundUnderTraffic) {
    // The storage node also writes its operational log to a file, at debug level.
    ScratchDir logs;
    const fs::path operational = logs / "storage.log";
    auto storage_flags = log_bound_flags();
    storage_flags.insert(storage_flags.end(),
                         {"--operational-log", operational.string(), "--log-level", "debug"});
    Cluster cluster(ClusterOptions{.start_storage = true,
                                   .storage_args = storage_flags,
                                   .broker_args = log_bound_flags(),
                                   .ca_args = log_bound_flags()});
    auto alice = cluster.new_user("alice");
    auto image = cluster.small_png("small.png");
    for (int i = 0; i < 12; ++i) {
        auto posted =
            cluster.imgshare(alice, {"post", image.string(), "--name", "p" + std::to_string(i)});
        ASSERT_EQ(posted.exit_code, 0) << posted.err;
        ASSERT_EQ(cluster.imgshare(alice, {"list"}).exit_code, 0);
        ASSERT_EQ(cluster.imgshare(alice, {"whois", "alice"}).exit_code, 0);  // the CA's traffic
    }
    // Stopped cleanly, each server has written out every line it batched.
    cluster.stop_broker();
    cluster.stop_storage();
    cluster.stop_ca();

    auto json_line = [](const std::string& line) {
        return !nlohmann::json::parse(line, nullptr, false).is_discarded();
    };
    for (const auto& dir : {cluster.broker_dir(), cluster.ca_dir(), cluster.storage_dir()})
        expect_bounded(dir / "protocol.log", json_line);
    expect_bounded(operational, [](const std::string& line) {
        // "2026-11-23T20:10:13.123Z imgshare-storage debug: …"
        return line.size() > 25 && line[4] == '-' && line[10] == 'T' && line[23] == 'Z' &&
               line.find(" imgshare-storage ") == 24;
    });
}

}  // namespace
}  // namespace imgshare::testing
