#include "storage-node/storage_keys.h"

#include <gtest/gtest.h>

namespace imgshare::storage {
namespace {

TEST(StorageKeysTest, UploadIdIsDerivedFromTheSignedEnvelopeAndRoundTripsAsHex) {
    auto id = UploadId::of(to_bytes("envelope"), to_bytes("signature"));
    EXPECT_EQ(id, UploadId::of(to_bytes("envelope"), to_bytes("signature")));
    EXPECT_NE(id, UploadId::of(to_bytes("envelope"), to_bytes("signature2")));
    EXPECT_EQ(id.text().size(), 32u);
    auto parsed = UploadId::parse(id.text());
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(*parsed, id);
    EXPECT_EQ(id.key().size(), kUploadIdSize);
}

TEST(StorageKeysTest, MalformedUploadHandlesAreBadRequests) {
    for (std::string_view text :
         {"", "abc", "zz000000000000000000000000000000", "00000000000000000000000000000000ff"}) {
        auto parsed = UploadId::parse(text);
        ASSERT_FALSE(parsed.has_value()) << text;
        EXPECT_EQ(parsed.error().code, ErrorCode::BAD_REQUEST);
    }
}

TEST(StorageKeysTest, ChunkKeysSortByIndexAndStayInsideTheirUpload) {
    auto id = UploadId::of(to_bytes("a"), to_bytes("b"));
    auto other = UploadId::of(to_bytes("c"), to_bytes("d"));
    EXPECT_LT(chunk_key(id, 1), chunk_key(id, 2));
    EXPECT_LT(chunk_key(id, 255), chunk_key(id, 256));
    EXPECT_LT(chunk_key(id, 0xffffff), chunk_key(id, 0x1000000));
    EXPECT_EQ(chunk_index_of(chunk_key(id, 70000), id), 70000u);
    EXPECT_EQ(chunk_index_of(chunk_key(other, 1), id), std::nullopt);
    EXPECT_EQ(chunk_index_of(std::string(id.key()), id), std::nullopt);
    auto end = prefix_end(id.key());
    EXPECT_GT(end, chunk_key(id, 0xffffffff));
    EXPECT_LT(std::string(id.key()), end);
}

TEST(StorageKeysTest, FeedKeysSortBySeq) {
    EXPECT_LT(feed_key(9), feed_key(10));
    EXPECT_LT(feed_key(0xff), feed_key(0x100));
    EXPECT_EQ(seq_of_feed_key(feed_key(1ull << 40)), 1ull << 40);
    EXPECT_EQ(seq_of_feed_key("short"), std::nullopt);
}

TEST(StorageKeysTest, PrefixEndCarriesAndHasNoneForAllOnes) {
    EXPECT_EQ(prefix_end("ab"), "ac");
    EXPECT_EQ(prefix_end(std::string("a\xff", 2)), "b");
    EXPECT_EQ(prefix_end(std::string("\xff\xff", 2)), "");
    EXPECT_EQ(prefix_end(""), "");
}

TEST(StorageKeysTest, GrantKeysOfOneImageShareAPrefix) {
    EXPECT_TRUE(grant_key("cat", "bob").starts_with(std::string("cat\0", 4)));
    EXPECT_FALSE(grant_key("cats", "bob").starts_with(std::string("cat\0", 4)));
}

}  // namespace
}  // namespace imgshare::storage
