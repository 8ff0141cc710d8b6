#include "common/rotating_file.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "tests/common/scratch_dir.h"
#include "tests/common/support/rotated_log.h"

namespace imgshare {
namespace {

using testing::permission_bits;
using testing::rotated_files_oldest_first;
using testing::rotated_log_lines;
using testing::ScratchDir;

// Numbered lines of 20 to 200 bytes, so that files never fill exactly.
std::vector<std::string> numbered_lines(int count, unsigned seed) {
    std::mt19937 random(seed);
    std::vector<std::string> lines;
    for (int i = 0; i < count; ++i) {
        auto line = "line " + std::to_string(i) + " ";
        line.append(random() % 180 + 14, static_cast<char>('a' + i % 26));
        lines.push_back(std::move(line));
    }
    return lines;
}

// Appends `lines` in batches of 1 to 40 lines, as a batched log writes them out.
void append_in_batches(RotatingFile& file, const std::vector<std::string>& lines, unsigned seed) {
    std::mt19937 random(seed);
    std::size_t next = 0;
    while (next < lines.size()) {
        std::string batch;
        for (auto count = random() % 40 + 1; count > 0 && next < lines.size(); --count)
            batch += lines[next++] + "\n";
        auto appended = file.append(batch);
        ASSERT_EQ(appended.bytes, batch.size()) << std::strerror(appended.error);
    }
}

TEST(RotatingFileTest, NamesItsPartsAsSpdlogDoes) {
    EXPECT_EQ(rotated_file_name("/d/protocol.log", 0), "/d/protocol.log");
    EXPECT_EQ(rotated_file_name("/d/protocol.log", 3), "/d/protocol.3.log");
    EXPECT_EQ(rotated_file_name("/d/trail", 2), "/d/trail.2");
}

TEST(RotatingFileTest, EveryLineAppearsOnceInOrderAcrossTheFilesWithinTheBound) {
    ScratchDir dir;
    auto path = dir / "protocol.log";
    const LogRotation rotation{.max_bytes = 4096, .keep = 8};
    auto lines = numbered_lines(250, 1);  // ~27 KB: seven rotations, nothing dropped yet
    {
        RotatingFile file(path, 0600, rotation);
        append_in_batches(file, lines, 2);
    }
    auto files = rotated_files_oldest_first(path);
    EXPECT_GE(files.size(), 7u);
    for (const auto& part : files) {
        EXPECT_LE(std::filesystem::file_size(part), rotation.max_bytes) << part;
        EXPECT_EQ(permission_bits(part), 0600u) << part;
    }
    EXPECT_EQ(rotated_log_lines(path), lines);
}

TEST(RotatingFileTest, ALongRunKeepsTheNewestLinesWithinMaxBytesTimesKeepPlusOne) {
    ScratchDir dir;
    auto path = dir / "protocol.log";
    const LogRotation rotation{.max_bytes = 4096, .keep = 3};
    auto lines = numbered_lines(2000, 3);  // ~220 KB, 13 times the bound
    {
        RotatingFile file(path, 0640, rotation);
        append_in_batches(file, lines, 4);
    }
    auto files = rotated_files_oldest_first(path);
    ASSERT_EQ(files.size(), rotation.keep + 1);
    EXPECT_FALSE(std::filesystem::exists(rotated_file_name(path, rotation.keep + 1)));
    std::uintmax_t total = 0;
    for (const auto& part : files) {
        EXPECT_LE(std::filesystem::file_size(part), rotation.max_bytes) << part;
        EXPECT_EQ(permission_bits(part), 0640u) << part;
        total += std::filesystem::file_size(part);
    }
    EXPECT_LE(total, rotation.max_bytes * (rotation.keep + 1));
    // What is kept is the newest lines, whole, in order, each once.
    auto kept = rotated_log_lines(path);
    ASSERT_FALSE(kept.empty());
    std::vector<std::string> newest(lines.end() - static_cast<std::ptrdiff_t>(kept.size()),
                                    lines.end());
    EXPECT_EQ(kept, newest);
}

TEST(RotatingFileTest, ALineLongerThanTheLimitIsWrittenWholeInAFileOfItsOwn) {
    ScratchDir dir;
    auto path = dir / "protocol.log";
    RotatingFile file(path, 0600, LogRotation{.max_bytes = 4096, .keep = 4});
    std::string long_line(10000, 'x');
    ASSERT_EQ(file.append("before\n").bytes, 7u);
    ASSERT_EQ(file.append(long_line + "\nafter\n").bytes, long_line.size() + 7);
    EXPECT_EQ(rotated_log_lines(path), (std::vector<std::string>{"before", long_line, "after"}));
    EXPECT_EQ(rotated_files_oldest_first(path).size(), 3u);
}

TEST(RotatingFileTest, AnExistingFileIsTightenedToTheModeAndAppendedTo) {
    ScratchDir dir;
    auto path = dir / "protocol.log";
    {
        RotatingFile file(path, 0644, LogRotation{});
        ASSERT_EQ(file.append("first\n").bytes, 6u);
    }
    RotatingFile file(path, 0600, LogRotation{});
    EXPECT_EQ(permission_bits(path), 0600u);
    ASSERT_EQ(file.append("second\n").bytes, 7u);
    EXPECT_EQ(rotated_log_lines(path), (std::vector<std::string>{"first", "second"}));
}

TEST(RotatingFileTest, WritersSharingAFileRotateItOnceAndLoseNoLine) {
    // Two open file descriptions, as two client processes sharing a home have.
    ScratchDir dir;
    auto path = dir / "protocol.log";
    const LogRotation rotation{.max_bytes = 4096, .keep = 20};
    RotatingFile first(path, 0600, rotation);
    RotatingFile second(path, 0600, rotation);
    std::vector<std::string> written;
    for (int i = 0; i < 400; ++i) {
        // The first writer's lines are long and the second's short: after the first rotates
        // for a line that did not fit, a short line would still fit the rotated-out file.
        auto line = "writer " + std::to_string(i % 2) + " line " + std::to_string(i) +
                    std::string(i % 2 == 0 ? 120 : 2, '.');
        ASSERT_EQ((i % 2 == 0 ? first : second).append(line + "\n").bytes, line.size() + 1);
        written.push_back(line);
    }
    EXPECT_EQ(rotated_log_lines(path), written);
    for (const auto& part : rotated_files_oldest_first(path))
        EXPECT_LE(std::filesystem::file_size(part), rotation.max_bytes) << part;
}

}  // namespace
}  // namespace imgshare
