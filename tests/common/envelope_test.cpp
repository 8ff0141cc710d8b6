#include "common/envelope.h"

#include <gtest/gtest.h>

#include "common/crypto/chunk_stream.h"
#include "common/crypto/keys.h"
#include "common/crypto/sha256.h"
#include "common/crypto/signing.h"
#include "common/crypto/thumbnail_box.h"
#include "common/protocol/limits.h"

namespace imgshare {
namespace {

class EnvelopeTest : public ::testing::Test {
  protected:
    void SetUp() override {
        certificate_.serial = 7;
        certificate_.username = "alice";
        certificate_.sign_pk = owner_keys_.public_key;
        certificate_.box_pk = generate_box_keys().public_key;
        certificate_.curve_pk = generate_curve_keys().public_key;
        certificate_.not_before = 0;
        certificate_.not_after = 2'000'000'000;
        certificate_.issuer = "imgshare-ca";
        certificate_ = issue_certificate(certificate_, ca_keys_.secret_key);

        auto key = generate_content_key();
        ChunkEncryptor encryptor(key);
        envelope_.name = "cat";
        envelope_.owner = "alice";
        envelope_.owner_serial = 7;
        envelope_.mode = std::string(kEscrowMode);
        envelope_.content_type = "image/png";
        envelope_.padded_size = 5000;
        envelope_.chunk_size = 4096;
        envelope_.chunk_count = 2;
        envelope_.stream_header = encryptor.header();
        envelope_.ciphertext_sha256 = sha256(to_bytes("ciphertext"));
        envelope_.key_commitment = key_commitment(key);
        envelope_.created_at = 1'700'000'000;
        key_ = std::move(key);
    }

    // envelope_ as a v2 envelope with a thumbnail box of `jpeg_bytes` bytes of JPEG.
    Envelope with_thumbnail(std::size_t jpeg_bytes = 3000) {
        Bytes jpeg(jpeg_bytes, 0x42);
        jpeg[0] = 0xff, jpeg[1] = 0xd8, jpeg[2] = 0xff;
        Envelope envelope = envelope_;
        envelope.v = kEnvelopeWithThumbnailVersion;
        envelope.thumbnail = *seal_thumbnail(key_, jpeg);
        return envelope;
    }

    SigningKeyPair ca_keys_ = generate_signing_keys();
    SigningKeyPair owner_keys_ = generate_signing_keys();
    Certificate certificate_;
    Envelope envelope_;
    SecretBytes key_;
};

TEST_F(EnvelopeTest, RoundTripsThroughItsCanonicalEncoding) {
    auto decoded = decode_envelope(encode_envelope(envelope_));
    ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
    EXPECT_EQ(*decoded, envelope_);
}

TEST_F(EnvelopeTest, EndToEndEnvelopeKeepsItsRecipients) {
    envelope_.mode = std::string(kEndToEndMode);
    envelope_.recipients = {"alice", "bob", "carol"};
    auto decoded = decode_envelope(encode_envelope(envelope_));
    ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
    EXPECT_EQ(decoded->recipients, envelope_.recipients);
}

TEST_F(EnvelopeTest, SignedByItsOwnerVerifies) {
    auto encoded = encode_envelope(envelope_);
    auto signature = sign_envelope(encoded, owner_keys_.secret_key);
    auto verified = verify_envelope(encoded, signature, certificate_);
    ASSERT_TRUE(verified.has_value()) << verified.error().message;
    EXPECT_EQ(verified->name, "cat");
}

TEST_F(EnvelopeTest, SignatureByAnotherKeyIsRefused) {
    auto encoded = encode_envelope(envelope_);
    auto signature = sign_envelope(encoded, generate_signing_keys().secret_key);
    EXPECT_EQ(verify_envelope(encoded, signature, certificate_).error().code,
              ErrorCode::BAD_SIGNATURE);
}

TEST_F(EnvelopeTest, AnyChangedByteBreaksTheSignature) {
    auto encoded = encode_envelope(envelope_);
    auto signature = sign_envelope(encoded, owner_keys_.secret_key);
    for (size_t i = 0; i < encoded.size(); ++i) {
        auto tampered = encoded;
        tampered[i] ^= 0x01;
        auto result = verify_envelope(tampered, signature, certificate_);
        ASSERT_FALSE(result.has_value()) << "byte " << i;
        EXPECT_EQ(result.error().code, ErrorCode::BAD_SIGNATURE) << "byte " << i;
    }
}

TEST_F(EnvelopeTest, EnvelopeNamingAnotherOwnerIsRefused) {
    envelope_.owner = "mallory";
    auto encoded = encode_envelope(envelope_);
    auto signature = sign_envelope(encoded, owner_keys_.secret_key);
    EXPECT_EQ(verify_envelope(encoded, signature, certificate_).error().code,
              ErrorCode::BAD_SIGNATURE);
}

TEST_F(EnvelopeTest, EnvelopeNamingAnotherCertificateSerialIsRefused) {
    envelope_.owner_serial = 8;
    auto encoded = encode_envelope(envelope_);
    auto signature = sign_envelope(encoded, owner_keys_.secret_key);
    EXPECT_EQ(verify_envelope(encoded, signature, certificate_).error().code,
              ErrorCode::BAD_SIGNATURE);
}

TEST_F(EnvelopeTest, InconsistentFieldsAreRefused) {
    auto refused = [&](Envelope envelope) {
        auto result = decode_envelope(encode_envelope(envelope));
        return result.has_value() ? std::optional<ErrorCode>() : result.error().code;
    };
    Envelope bad = envelope_;
    bad.chunk_count = 3;
    EXPECT_EQ(refused(bad), ErrorCode::BAD_REQUEST);
    bad = envelope_;
    bad.name = "../../etc/passwd";
    EXPECT_EQ(refused(bad), ErrorCode::BAD_REQUEST);
    bad = envelope_;
    bad.mode = "plaintext";
    EXPECT_EQ(refused(bad), ErrorCode::BAD_REQUEST);
    bad = envelope_;
    bad.recipients = {"bob"};  // escrow envelopes have none
    EXPECT_EQ(refused(bad), ErrorCode::BAD_REQUEST);
    bad = envelope_;
    bad.mode = std::string(kEndToEndMode);
    bad.recipients = {"bob", "carol"};  // the owner is missing
    EXPECT_EQ(refused(bad), ErrorCode::BAD_REQUEST);
    bad.recipients = {"carol", "alice", "bob"};  // unsorted
    EXPECT_EQ(refused(bad), ErrorCode::BAD_REQUEST);
    bad.recipients = {"alice", "bob", "bob"};  // duplicated
    EXPECT_EQ(refused(bad), ErrorCode::BAD_REQUEST);
    bad = envelope_;
    bad.chunk_size = 10;
    EXPECT_EQ(refused(bad), ErrorCode::BAD_REQUEST);
    bad = envelope_;
    bad.padded_size = 0;
    bad.chunk_count = 0;
    EXPECT_EQ(refused(bad), ErrorCode::TOO_LARGE);
}

TEST_F(EnvelopeTest, AChunkSizeWhoseChunksWouldNotFitAPayloadFrameIsRefused) {
    auto decoded = [&](std::uint32_t chunk_size) {
        Envelope envelope = envelope_;
        envelope.chunk_size = chunk_size;
        envelope.padded_size = 3 * std::uint64_t{chunk_size};
        envelope.chunk_count = 3;
        return decode_envelope(encode_envelope(envelope));
    };
    // Every full chunk's ciphertext is chunk_size + kChunkOverhead bytes: at the maximum it
    // fills a payload frame exactly, one byte more and no reader could ever fetch it.
    EXPECT_EQ(kMaxChunkSize + kChunkOverhead, kMaxChunkBytes);
    EXPECT_TRUE(decoded(kMaxChunkSize).has_value());
    auto over = decoded(kMaxChunkSize + 1);
    ASSERT_FALSE(over.has_value());
    EXPECT_EQ(over.error().code, ErrorCode::BAD_REQUEST);
    EXPECT_EQ(over.error().message, "envelope: envelope chunk_size 1048560 is outside 1024..1048559");
    EXPECT_FALSE(decoded(1024 * 1024).has_value());
    EXPECT_TRUE(decoded(kMinChunkSize).has_value());
    EXPECT_FALSE(decoded(kMinChunkSize - 1).has_value());
}

TEST_F(EnvelopeTest, OnlyTheFourImageContentTypesAreAccepted) {
    for (auto type : {"image/png", "image/jpeg", "image/gif", "image/webp"}) {
        Envelope envelope = envelope_;
        envelope.content_type = type;
        EXPECT_TRUE(decode_envelope(encode_envelope(envelope)).has_value()) << type;
    }
    for (auto type : {"text/html", "image/svg+xml", "", "IMAGE/PNG", "image/png; x=1",
                      "application/octet-stream"}) {
        Envelope envelope = envelope_;
        envelope.content_type = type;
        auto refused = decode_envelope(encode_envelope(envelope));
        ASSERT_FALSE(refused.has_value()) << type;
        EXPECT_EQ(refused.error().code, ErrorCode::BAD_REQUEST) << type;
    }
}

TEST_F(EnvelopeTest, WrongSizedDigestsAndGarbageAreRefused) {
    Envelope bad = envelope_;
    bad.stream_header.pop_back();
    EXPECT_EQ(decode_envelope(encode_envelope(bad)).error().code, ErrorCode::BAD_REQUEST);
    bad = envelope_;
    bad.key_commitment.push_back(0);
    EXPECT_EQ(decode_envelope(encode_envelope(bad)).error().code, ErrorCode::BAD_REQUEST);
    for (Bytes garbage : {Bytes{}, Bytes{0xc0}, Bytes{0x9e}, Bytes{0xdd, 0xff, 0xff, 0xff, 0xff},
                          Bytes(kMaxEnvelopeBytes + 1, 0x90)}) {
        EXPECT_FALSE(decode_envelope(garbage).has_value());
    }
    auto encoded = encode_envelope(envelope_);
    for (size_t length = 0; length < encoded.size(); ++length) {
        EXPECT_FALSE(decode_envelope(ByteView(encoded.data(), length)).has_value()) << length;
    }
}

TEST_F(EnvelopeTest, ChunkSizesFollowTheEnvelope) {
    EXPECT_EQ(chunk_plaintext_size(envelope_, 0), 4096u);
    EXPECT_EQ(chunk_plaintext_size(envelope_, 1), 5000u - 4096u);
    EXPECT_EQ(chunk_ciphertext_size(envelope_, 1), 5000u - 4096u + kChunkOverhead);
    EXPECT_EQ(chunk_plaintext_size(envelope_, 2), 0u);
}

// ---- v2: the thumbnail as field 14 ----

TEST_F(EnvelopeTest, V2RoundTripsWithItsThumbnailAsA15thField) {
    Envelope envelope = with_thumbnail();
    auto encoded = encode_envelope(envelope);
    // fixarray 15, then v = 2; the last field is a bin 16 (0xc5) holding the box.
    EXPECT_EQ(encoded[0], 0x9f);
    EXPECT_EQ(encoded[1], 0x02);
    const auto box = envelope.thumbnail.size();
    ASSERT_EQ(box, kThumbnailNonceBytes + kThumbnailPadBlock + kThumbnailTagBytes);
    EXPECT_EQ(encoded[encoded.size() - box - 3], 0xc5);
    auto decoded = decode_envelope(encoded);
    ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
    EXPECT_EQ(*decoded, envelope);
    EXPECT_EQ(encode_envelope(envelope_)[0], 0x9e);  // v1 stays an array of 14
}

TEST_F(EnvelopeTest, V2IsSignedUnderItsOwnContext) {
    auto encoded = encode_envelope(with_thumbnail());
    EXPECT_EQ(envelope_signing_context(encoded), kEnvelopeV2SigningContext);
    EXPECT_EQ(envelope_signing_context(encode_envelope(envelope_)), kEnvelopeSigningContext);
    auto signature = sign_envelope(encoded, owner_keys_.secret_key);
    EXPECT_TRUE(verify_envelope(encoded, signature, certificate_).has_value());
    // The same bytes signed under v1's context do not verify.
    auto v1_signature = sign(kEnvelopeSigningContext, encoded, owner_keys_.secret_key);
    EXPECT_EQ(verify_envelope(encoded, v1_signature, certificate_).error().code,
              ErrorCode::BAD_SIGNATURE);
}

TEST_F(EnvelopeTest, ATamperedThumbnailBreaksTheSignature) {
    auto encoded = encode_envelope(with_thumbnail());
    auto signature = sign_envelope(encoded, owner_keys_.secret_key);
    for (std::size_t from_end : {1u, 100u, 4000u}) {
        auto tampered = encoded;
        tampered[tampered.size() - from_end] ^= 0x01;
        auto result = verify_envelope(tampered, signature, certificate_);
        ASSERT_FALSE(result.has_value());
        EXPECT_EQ(result.error().code, ErrorCode::BAD_SIGNATURE);
    }
}

TEST_F(EnvelopeTest, VersionAndFieldCountMustAgree) {
    Envelope v2_without = envelope_;
    v2_without.v = kEnvelopeWithThumbnailVersion;  // 15 fields, an empty thumbnail
    EXPECT_EQ(decode_envelope(encode_envelope(v2_without)).error().code, ErrorCode::BAD_REQUEST);
    // A v1 header on 15 fields, a v2 header on 14.
    auto v2 = encode_envelope(with_thumbnail());
    v2[1] = 0x01;
    EXPECT_EQ(decode_envelope(v2).error().code, ErrorCode::BAD_REQUEST);
    auto v1 = encode_envelope(envelope_);
    v1[1] = 0x02;
    EXPECT_EQ(decode_envelope(v1).error().code, ErrorCode::BAD_REQUEST);
    Envelope v3 = with_thumbnail();
    v3.v = 3;
    EXPECT_FALSE(decode_envelope(encode_envelope(v3)).has_value());
}

TEST_F(EnvelopeTest, TheOwnersControlsMakeAV3EnvelopeSignedUnderItsOwnContext) {
    struct Case {
        std::string what;
        Envelope envelope;
    };
    Envelope expiring = envelope_, limited = with_thumbnail(), revised = envelope_;
    expiring.expires_at = 1'700'600'000;
    limited.max_downloads = 3;
    revised.mode = std::string(kEndToEndMode);
    revised.recipients = {"alice", "bob"};
    revised.revision = 4;
    for (auto& c : {Case{"an expiry", expiring}, Case{"a download limit, a thumbnail", limited},
                    Case{"a revision", revised}}) {
        SCOPED_TRACE(c.what);
        Envelope envelope = c.envelope;
        ASSERT_EQ(envelope_version_for(envelope), kEnvelopeWithControlsVersion);
        envelope.v = envelope_version_for(envelope);
        auto encoded = encode_envelope(envelope);
        EXPECT_EQ(envelope_signing_context(encoded), kEnvelopeV3SigningContext);
        auto decoded = decode_envelope(encoded);
        ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
        EXPECT_EQ(*decoded, envelope);
        auto signature = sign_envelope(encoded, owner_keys_.secret_key);
        EXPECT_TRUE(verify_envelope(encoded, signature, certificate_).has_value());
        // Not valid under another version's context: each byte string has one.
        EXPECT_FALSE(verify(kEnvelopeV2SigningContext, encoded, signature, owner_keys_.public_key));
        // And each control is covered by the signature.
        for (std::size_t from_end : {1u, 3u, 10u}) {
            auto tampered = encoded;
            tampered[tampered.size() - from_end] ^= 0x01;
            auto refused = verify_envelope(tampered, signature, certificate_);
            ASSERT_FALSE(refused.has_value()) << from_end;
            EXPECT_EQ(refused.error().code, ErrorCode::BAD_SIGNATURE) << from_end;
        }
    }
    // Without a control, writers keep to v1 or v2.
    EXPECT_EQ(envelope_version_for(envelope_), kEnvelopeVersion);
    EXPECT_EQ(envelope_version_for(with_thumbnail()), kEnvelopeWithThumbnailVersion);
}

TEST_F(EnvelopeTest, AV3EnvelopeSetsAControlAndANonNegativeExpiry) {
    Envelope none = envelope_;
    none.v = kEnvelopeWithControlsVersion;  // 18 fields, every control 0
    {
        auto refused = decode_envelope(encode_envelope(none));
        ASSERT_FALSE(refused.has_value());
        EXPECT_EQ(refused.error().code, ErrorCode::BAD_REQUEST);
    }
    Envelope negative = envelope_;
    negative.v = kEnvelopeWithControlsVersion;
    negative.expires_at = -5;
    auto refused = decode_envelope(encode_envelope(negative));
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, ErrorCode::BAD_REQUEST);
    // A v3 envelope's thumbnail may be empty, or a box; nothing between.
    Envelope odd = with_thumbnail();
    odd.v = kEnvelopeWithControlsVersion;
    odd.max_downloads = 1;
    odd.thumbnail.resize(7);
    EXPECT_EQ(decode_envelope(encode_envelope(odd)).error().code, ErrorCode::BAD_REQUEST);
}

TEST_F(EnvelopeTest, TheThumbnailBoxHasABoxSize) {
    for (std::size_t size : {std::size_t{0}, std::size_t{1}, kMinThumbnailBoxBytes - 1,
                             kMinThumbnailBoxBytes + 1, kMaxThumbnailBoxBytes + kThumbnailPadBlock}) {
        Envelope envelope = with_thumbnail();
        envelope.thumbnail.resize(size);
        auto refused = decode_envelope(encode_envelope(envelope));
        ASSERT_FALSE(refused.has_value()) << size;
        EXPECT_EQ(refused.error().code, ErrorCode::BAD_REQUEST) << size;
    }
    Envelope largest = with_thumbnail(kMaxThumbnailBytes);
    EXPECT_EQ(largest.thumbnail.size(), kMaxThumbnailBoxBytes);
    auto encoded = encode_envelope(largest);
    EXPECT_LE(encoded.size(), kMaxEnvelopeBytes);
    EXPECT_TRUE(decode_envelope(encoded).has_value());
}

TEST_F(EnvelopeTest, EachVersionHasItsSizeBoundBeforeDecoding) {
    // A v1 envelope may not use v2's room: over 16 KiB it is TOO_LARGE, whatever it holds.
    Bytes v1_sized(kMaxEnvelopeV1Bytes + 1, 0x00);
    v1_sized[0] = 0x9e, v1_sized[1] = 0x01;
    EXPECT_EQ(decode_envelope(v1_sized).error().code, ErrorCode::TOO_LARGE);
    Bytes v2_sized(kMaxEnvelopeBytes + 1, 0x00);
    v2_sized[0] = 0x9f, v2_sized[1] = 0x02;
    EXPECT_EQ(decode_envelope(v2_sized).error().code, ErrorCode::TOO_LARGE);
}

}  // namespace
}  // namespace imgshare
