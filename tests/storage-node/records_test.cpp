#include "storage-node/records.h"

#include <gtest/gtest.h>

#include <random>

#include "tests/common/wire_test_support.h"

namespace imgshare::storage {
namespace {

ImageRecord sample_record() {
    return ImageRecord{"cat",
                       "alice",
                       Bytes(16, 7),
                       Bytes(300, 1),
                       Bytes(400, 2),
                       Bytes(64, 3),
                       std::string(kEndToEndMode),
                       {},
                       {"alice", "bob"},
                       42,
                       1'700'000'000,
                       3000,
                       3,
                       1'700'000'100};
}

TEST(RecordsTest, ImageRecordRoundTrips) {
    auto record = sample_record();
    auto decoded = decode_image_record(encode_record(record));
    ASSERT_TRUE(decoded.has_value()) << describe(decoded.error());
    EXPECT_EQ(*decoded, record);
}

TEST(RecordsTest, SharesRoundTripAndRecordsWrittenBeforeThemStillDecode) {
    auto record = sample_record();
    record.shares = {ShareRecord{43, {"carol"}}, ShareRecord{44, {"dave", "erin"}}};
    auto decoded = decode_image_record(encode_record(record));
    ASSERT_TRUE(decoded.has_value()) << describe(decoded.error());
    EXPECT_EQ(*decoded, record);

    auto before_shares = imgshare::testing::without_key(encode_record(sample_record()), "shares");
    auto old = decode_image_record(before_shares);
    ASSERT_TRUE(old.has_value()) << describe(old.error());
    EXPECT_EQ(*old, sample_record());
}

TEST(RecordsTest, UploadSessionRoundTrips) {
    UploadSession session{"alice",
                          Bytes(300, 1),
                          Bytes(400, 2),
                          Bytes(64, 3),
                          {},
                          {Grant{"bob", Bytes(80, 4)}},
                          1'700'000'000,
                          12};
    auto decoded = decode_upload_session(encode_record(session));
    ASSERT_TRUE(decoded.has_value()) << describe(decoded.error());
    EXPECT_EQ(*decoded, session);
}

TEST(RecordsTest, RecordsBreakingTheirInvariantsAreInternalErrors) {
    auto record = sample_record();
    record.upload.pop_back();
    EXPECT_EQ(decode_image_record(encode_record(record)).error().code, ErrorCode::INTERNAL);
    record = sample_record();
    record.mode = "plain";
    EXPECT_EQ(decode_image_record(encode_record(record)).error().code, ErrorCode::INTERNAL);
    record = sample_record();
    record.chunk_count = 0;
    EXPECT_EQ(decode_image_record(encode_record(record)).error().code, ErrorCode::INTERNAL);
    UploadSession session;
    session.chunk_count = kMaxChunkCount + 1;
    EXPECT_EQ(decode_upload_session(encode_record(session)).error().code, ErrorCode::INTERNAL);
}

TEST(RecordsTest, DamagedBytesNeverThrowAndAreInternalErrors) {
    const Bytes valid = encode_record(sample_record());
    std::mt19937 random(7);
    for (int round = 0; round < 2000; ++round) {
        Bytes damaged = valid;
        if (round % 3 == 0) damaged.resize(random() % valid.size());
        for (int flips = 1 + random() % 3; flips > 0 && !damaged.empty(); --flips)
            damaged[random() % damaged.size()] = static_cast<std::uint8_t>(random());
        auto decoded = decode_image_record(damaged);  // a throw fails the test
        if (!decoded) {
            EXPECT_EQ(decoded.error().code, ErrorCode::INTERNAL);
        }
        auto session = decode_upload_session(damaged);
        if (!session) {
            EXPECT_EQ(session.error().code, ErrorCode::INTERNAL);
        }
    }
}

}  // namespace
}  // namespace imgshare::storage
