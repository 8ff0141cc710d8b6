#include "common/logging.h"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <regex>

namespace imgshare {
namespace {

TEST(LoggingTest, LinesCarryUtcTimeProcessAndLevel) {
    init_process_logging("imgshare-test");
    ::testing::internal::CaptureStderr();
    spdlog::info("listening on {}", "tcp://*:7400");
    spdlog::warn("worker lost");
    std::string output = ::testing::internal::GetCapturedStderr();

    std::regex line(
        R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z imgshare-test info: listening on tcp://\*:7400
\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z imgshare-test warning: worker lost
)");
    EXPECT_TRUE(std::regex_match(output, line)) << output;
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
