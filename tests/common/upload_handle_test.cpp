// The upload handle: derived from the signed envelope, the same for the client
// that keeps the envelope and for the storage node that receives it.
#include <gtest/gtest.h>

#include "common/crypto/sha256.h"
#include "common/protocol/upload_handle.h"

namespace imgshare {
namespace {

TEST(UploadHandleTest, IsTheFirstSixteenBytesOfTheDigestOfEnvelopeAndSignatureInHex) {
    const Bytes envelope = to_bytes("envelope bytes");
    const Bytes signature = to_bytes("signature bytes");
    Bytes both = envelope;
    both.insert(both.end(), signature.begin(), signature.end());
    auto digest = sha256(both);
    EXPECT_EQ(upload_handle(envelope, signature),
              to_hex(ByteView(digest.data(), kUploadHandleBytes)));
    EXPECT_EQ(upload_handle(envelope, signature).size(), 32u);
}

TEST(UploadHandleTest, AnotherEnvelopeOrSignatureIsAnotherUpload) {
    const Bytes envelope = to_bytes("envelope");
    EXPECT_NE(upload_handle(envelope, to_bytes("one")), upload_handle(envelope, to_bytes("two")));
    EXPECT_EQ(upload_handle(envelope, to_bytes("one")), upload_handle(envelope, to_bytes("one")));
}

}  // namespace
}  // namespace imgshare
