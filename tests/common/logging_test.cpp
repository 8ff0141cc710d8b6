#include "common/logging.h"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include "tests/common/timestamp_shape.h"

namespace imgshare {
namespace {

TEST(LoggingTest, LinesCarryUtcTimeProcessAndLevel) {
    init_process_logging("imgshare-test");
    ::testing::internal::CaptureStderr();
    spdlog::info("listening on {}", "tcp://*:7400");
    spdlog::warn("worker lost");
    std::string output = ::testing::internal::GetCapturedStderr();

    constexpr std::size_t kTimestampLength = 24;
    auto newline = output.find('\n');
    ASSERT_NE(newline, std::string::npos) << output;
    std::string first = output.substr(0, newline);
    std::string second = output.substr(newline + 1);
    ASSERT_GT(first.size(), kTimestampLength);
    ASSERT_GT(second.size(), kTimestampLength);
    EXPECT_TRUE(testing::is_utc_millis_timestamp(first.substr(0, kTimestampLength))) << first;
    EXPECT_EQ(first.substr(kTimestampLength), " imgshare-test info: listening on tcp://*:7400");
    EXPECT_TRUE(testing::is_utc_millis_timestamp(second.substr(0, kTimestampLength))) << second;
    EXPECT_EQ(second.substr(kTimestampLength), " imgshare-test warning: worker lost\n");
}

TEST(LoggingTest, LevelFiltersLowerLevels) {
    init_process_logging("imgshare-test", spdlog::level::warn);
    ::testing::internal::CaptureStderr();
    spdlog::info("not shown");
    spdlog::error("shown");
    std::string output = ::testing::internal::GetCapturedStderr();
    EXPECT_EQ(output.find("not shown"), std::string::npos) << output;
    EXPECT_NE(output.find("imgshare-test error: shown"), std::string::npos) << output;
    init_process_logging("imgshare-test");
}

TEST(LoggingTest, ParsesLevelNames) {
    EXPECT_EQ(parse_log_level("debug").value(), spdlog::level::debug);
    EXPECT_EQ(parse_log_level("warn").value(), spdlog::level::warn);
    EXPECT_EQ(parse_log_level("error").value(), spdlog::level::err);
    EXPECT_EQ(parse_log_level("off").value(), spdlog::level::off);
    auto bad = parse_log_level("verbose");
    ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error().code, ErrorCode::CONFIG);
    EXPECT_NE(bad.error().message.find("'verbose'"), std::string::npos);
}

}  // namespace
}  // namespace imgshare
