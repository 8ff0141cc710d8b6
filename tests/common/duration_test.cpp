#include "common/duration.h"

#include <gtest/gtest.h>

namespace imgshare {
namespace {

TEST(DurationTest, ReadsEachUnitAndBareSeconds) {
    EXPECT_EQ(parse_duration_seconds("90s").value(), 90);
    EXPECT_EQ(parse_duration_seconds("30m").value(), 1800);
    EXPECT_EQ(parse_duration_seconds("12h").value(), 43'200);
    EXPECT_EQ(parse_duration_seconds("365d").value(), 31'536'000);
    EXPECT_EQ(parse_duration_seconds("5").value(), 5);
    EXPECT_EQ(parse_duration_seconds("999999999999d").value(), 999'999'999'999LL * 86'400);
}

TEST(DurationTest, RefusesWhatIsNotADuration) {
    for (const char* text :
         {"", "d", "0s", "0", "-5s", "5 s", "5x", "1.5h", "5ss", "1000000000000d", "s5", "+5"}) {
        auto parsed = parse_duration_seconds(text);
        ASSERT_FALSE(parsed) << text;
        EXPECT_EQ(parsed.error().code, ErrorCode::CONFIG) << text;
    }
}

TEST(DurationTest, FormatsTheLargestExactUnit) {
    EXPECT_EQ(format_duration(31'536'000), "365d");
    EXPECT_EQ(format_duration(43'200), "12h");
    EXPECT_EQ(format_duration(1800), "30m");
    EXPECT_EQ(format_duration(90), "90s");
    EXPECT_EQ(format_duration(86'401), "86401s");
}

}  // namespace
}  // namespace imgshare
