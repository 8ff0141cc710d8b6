#include "common/binary_summary.h"

#include <sodium.h>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "tests/common/expected_digests.h"

namespace imgshare {
namespace {

using testing::expected_sampled_sha256;
using testing::expected_short_sha256;

using Json = nlohmann::ordered_json;

Json summarize_binary(ByteView bytes) {
    std::string text;
    append_binary_summary(text, bytes);
    return Json::parse(text);
}

TEST(BinarySummaryTest, UpTo16KiBIsHashedWholeALargerOneByItsEnds) {
    Bytes small(16 * 1024);
    randombytes_buf(small.data(), small.size());
    EXPECT_EQ(summarize_binary(small),
              (Json{{"len", small.size()}, {"sha256", expected_short_sha256(small)}}));

    Bytes chunk(256 * 1024 + 17);
    randombytes_buf(chunk.data(), chunk.size());
    Json summary = summarize_binary(chunk);
    EXPECT_EQ(summary,
              (Json{{"len", chunk.size()}, {"sampled_sha256", expected_sampled_sha256(chunk)}}));
    Bytes last_byte_changed = chunk;
    last_byte_changed.back() ^= 1;
    EXPECT_NE(summarize_binary(last_byte_changed), summary);
    Bytes first_byte_changed = chunk;
    first_byte_changed.front() ^= 1;
    EXPECT_NE(summarize_binary(first_byte_changed), summary);
    EXPECT_EQ(summary.dump().find(to_hex(ByteView(chunk).first(8))), std::string::npos);
}

// The last payload's summary is reused for the next with the same length and
// hashed bytes: every payload must still get exactly append_binary_summary's text.
TEST(BinarySummaryTest, APayloadSummaryIsTheBinarySummaryWhateverCameBefore) {
    auto changed = [](Bytes bytes, std::size_t at) {
        bytes[at] ^= 0x01;
        return bytes;
    };
    Bytes large(100 * 1024, 0x5a);
    Bytes small(16 * 1024, 0x33);  // the largest hashed whole
    std::vector<Bytes> payloads{large,
                                large,
                                changed(large, 0),
                                changed(large, large.size() - 1),
                                changed(large, 4095),
                                changed(large, large.size() - 4096),
                                changed(large, 50 * 1024),  // not hashed: the same summary
                                Bytes(100 * 1024 + 1, 0x5a),
                                small,
                                changed(small, 8 * 1024),
                                small,
                                Bytes{},
                                Bytes{},
                                Bytes{0x5a},
                                large};
    for (std::size_t i = 0; i < payloads.size(); ++i) {
        std::string expected;
        append_binary_summary(expected, payloads[i]);
        std::string shown;
        append_payload_summary(shown, payloads[i]);
        EXPECT_EQ(shown, expected) << "payload " << i;
    }
}

}  // namespace
}  // namespace imgshare
