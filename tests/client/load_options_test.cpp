// imgshare-load's flags: sizes, size distributions, mixes, durations, verify modes, and the
// weighted pickers. A typo must stop a benchmark, never measure something else.
#include "client/load/load_options.h"

#include <gtest/gtest.h>

#include <map>

namespace imgshare::client::load {
namespace {

void expect_bad_request(const auto& result) {
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code, ErrorCode::BAD_REQUEST) << result.error().message;
}

TEST(LoadOptionsTest, ByteSizesTakeBinaryAndDecimalUnits) {
    EXPECT_EQ(parse_byte_size("100KiB").value(), 100u * 1024);
    EXPECT_EQ(parse_byte_size("200MiB").value(), 200u << 20);
    EXPECT_EQ(parse_byte_size("1GiB").value(), 1ull << 30);
    EXPECT_EQ(parse_byte_size("4096").value(), 4096u);
    EXPECT_EQ(parse_byte_size("4096B").value(), 4096u);
    EXPECT_EQ(parse_byte_size("10KB").value(), 10'000u);
    EXPECT_EQ(parse_byte_size("2MB").value(), 2'000'000u);
}

TEST(LoadOptionsTest, ByteSizesRefuseWhatIsUnclear) {
    expect_bad_request(parse_byte_size(""));
    expect_bad_request(parse_byte_size("KiB"));
    expect_bad_request(parse_byte_size("100kib"));
    expect_bad_request(parse_byte_size("1.5MiB"));
    expect_bad_request(parse_byte_size("-1"));
    expect_bad_request(parse_byte_size("100 KiB extra"));
    expect_bad_request(parse_byte_size("99999999999999999999"));
    expect_bad_request(parse_byte_size("18446744073709551615GiB"));
}

TEST(LoadOptionsTest, SizeDistributionsCarryWeights) {
    auto one = parse_size_distribution("100KiB").value();
    ASSERT_EQ(one.size(), 1u);
    EXPECT_EQ(one[0], (SizeClass{100 * 1024, 1}));
    auto two = parse_size_distribution("10KiB:50,1MiB:50").value();
    ASSERT_EQ(two.size(), 2u);
    EXPECT_EQ(two[0], (SizeClass{10 * 1024, 50}));
    EXPECT_EQ(two[1], (SizeClass{1 << 20, 50}));
}

TEST(LoadOptionsTest, SizeDistributionsRefuseBadSizesAndWeights) {
    expect_bad_request(parse_size_distribution("10KiB:0"));
    expect_bad_request(parse_size_distribution("10KiB:"));
    expect_bad_request(parse_size_distribution("10KiB:x"));
    expect_bad_request(parse_size_distribution("10KiB,"));
    expect_bad_request(parse_size_distribution("8"));     // below kMinImageBytes
    expect_bad_request(parse_size_distribution("2GiB"));  // above kMaxImageBytes
}

TEST(LoadOptionsTest, MixesNameOperationsWithWeights) {
    EXPECT_EQ(parse_mix("post=20,download=70,list=10").value(), (OperationMix{20, 70, 10}));
    EXPECT_EQ(parse_mix("list=1").value(), (OperationMix{0, 0, 1}));
    EXPECT_EQ(parse_mix(" post = 3 , list = 0 ").value(), (OperationMix{3, 0, 0}));
}

TEST(LoadOptionsTest, MixesRefuseUnknownRepeatedOrEmpty) {
    expect_bad_request(parse_mix("upload=5"));
    expect_bad_request(parse_mix("post=1,post=2"));
    expect_bad_request(parse_mix("post=0,list=0"));
    expect_bad_request(parse_mix("post"));
    expect_bad_request(parse_mix("post=-1"));
    expect_bad_request(parse_mix(""));
}

TEST(LoadOptionsTest, DurationsTakeUnits) {
    using namespace std::chrono_literals;
    EXPECT_EQ(parse_duration("30s").value(), 30s);
    EXPECT_EQ(parse_duration("30").value(), 30s);
    EXPECT_EQ(parse_duration("500ms").value(), 500ms);
    EXPECT_EQ(parse_duration("2m").value(), 120s);
    EXPECT_EQ(parse_duration("1h").value(), 3600s);
    expect_bad_request(parse_duration("0s"));
    expect_bad_request(parse_duration("5 minutes"));
    expect_bad_request(parse_duration("s"));
    expect_bad_request(parse_duration("100000h"));
}

TEST(LoadOptionsTest, VerifyModes) {
    EXPECT_EQ(parse_verify_mode("all").value(), VerifyMode::All);
    EXPECT_EQ(parse_verify_mode("sample").value(), VerifyMode::Sample);
    EXPECT_EQ(parse_verify_mode("none").value(), VerifyMode::None);
    expect_bad_request(parse_verify_mode("some"));
    expect_bad_request(parse_verify_mode("ALL"));
}

TEST(LoadOptionsTest, FormattedSizesParseBack) {
    for (std::uint64_t bytes : {64ull, 1000ull, 100ull * 1024, 200ull << 20, 1ull << 30, 1500ull}) {
        EXPECT_EQ(parse_byte_size(format_byte_size(bytes)).value(), bytes) << bytes;
    }
    EXPECT_EQ(format_byte_size(100 * 1024), "100KiB");
    EXPECT_EQ(format_sizes(parse_size_distribution("10KiB:50,1MiB:50").value()),
              "10KiB:50,1MiB:50");
    EXPECT_EQ(format_mix(OperationMix{20, 70, 10}), "post=20,download=70,list=10");
}

TEST(LoadOptionsTest, PickersFollowTheWeightsExactlyOverOneCycle) {
    const OperationMix mix{2, 7, 1};
    std::map<Operation, int> operations;
    for (std::uint64_t random = 0; random < 10; ++random)
        ++operations[pick_operation(mix, random)];
    EXPECT_EQ(operations[Operation::Post], 2);
    EXPECT_EQ(operations[Operation::Download], 7);
    EXPECT_EQ(operations[Operation::List], 1);

    const std::vector<SizeClass> sizes{{1000, 3}, {2000, 1}};
    std::map<std::uint64_t, int> picked;
    for (std::uint64_t random = 0; random < 4; ++random)
        ++picked[pick_size(sizes, random)];
    EXPECT_EQ(picked[1000], 3);
    EXPECT_EQ(picked[2000], 1);
}

TEST(LoadOptionsTest, AZeroWeightIsNeverPicked) {
    const OperationMix only_lists{0, 0, 5};
    for (std::uint64_t random = 0; random < 100; ++random)
        EXPECT_EQ(pick_operation(only_lists, random * 7919), Operation::List);
}

}  // namespace
}  // namespace imgshare::client::load
