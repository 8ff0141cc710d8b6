// The certificate log's entries: one canonical encoding each, read back exactly, and nothing
// else accepted.
#include "common/transparency/log_entry.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace imgshare::transparency {
namespace {

TEST(LogEntryTest, EachKindRoundTrips) {
    const Bytes certificate{1, 2, 3, 4};
    auto entry = decode_log_entry(encode_certificate_entry(certificate));
    ASSERT_TRUE(entry) << entry.error().message;
    EXPECT_EQ(entry->kind, LogEntryKind::certificate);
    EXPECT_EQ(entry->certificate, certificate);

    entry = decode_log_entry(encode_revocation_entry("alice", 7, 1'750'000'000));
    ASSERT_TRUE(entry) << entry.error().message;
    EXPECT_EQ(entry->kind, LogEntryKind::revocation);
    EXPECT_EQ(entry->username, "alice");
    EXPECT_EQ(entry->serial, 7u);
    EXPECT_EQ(entry->at, 1'750'000'000);

    entry = decode_log_entry(encode_release_entry("bob", 9, 42));
    ASSERT_TRUE(entry) << entry.error().message;
    EXPECT_EQ(entry->kind, LogEntryKind::release);
    EXPECT_EQ(entry->username, "bob");
}

TEST(LogEntryTest, TheKindsNeverShareAnEncoding) {
    EXPECT_NE(encode_revocation_entry("alice", 7, 1), encode_release_entry("alice", 7, 1));
}

TEST(LogEntryTest, AnythingElseIsRefused) {
    auto revocation = encode_revocation_entry("alice", 7, 1);
    std::vector<Bytes> bad{
        {},
        {0x90},                                   // []
        {0x93, 0x02, 0xa1, 'x', 0xc4, 0x01, 0x00},  // version 2
        Bytes(revocation.begin(), revocation.end() - 1),
    };
    // Another kind's name with a certificate's shape.
    auto certificate = encode_certificate_entry(Bytes{1});
    auto renamed = certificate;
    renamed[2] = 0xaa;  // the kind's length: "certificate" read as 10 bytes
    bad.push_back(renamed);
    // A non-canonical integer: serial 7 as a uint16.
    Bytes wide = revocation;
    // [array, 1, "revocation" (1 + 10 bytes), "alice" (1 + 5), serial, at]
    auto at = wide.begin() + 1 + 1 + 11 + 6;
    ASSERT_EQ(*at, 0x07);
    *at = 0xcd;
    wide.insert(at + 1, {0x00, 0x07});
    bad.push_back(wide);
    bad.push_back(Bytes(kMaxLogEntryBytes + 1, 0x90));
    for (const auto& bytes : bad) {
        auto decoded = decode_log_entry(bytes);
        ASSERT_FALSE(decoded) << bytes.size();
        EXPECT_EQ(decoded.error().code, ErrorCode::BAD_REQUEST);
    }
}

}  // namespace
}  // namespace imgshare::transparency
