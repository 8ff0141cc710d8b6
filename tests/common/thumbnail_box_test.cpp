#include "common/crypto/thumbnail_box.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include "common/crypto/chunk_stream.h"

namespace imgshare {
namespace {

Bytes fake_jpeg(std::size_t size) {
    Bytes jpeg(size, 0x5a);
    jpeg[0] = 0xff, jpeg[1] = 0xd8, jpeg[2] = 0xff;
    return jpeg;
}

TEST(ThumbnailBoxTest, OpensToTheJpegWithTheSameContentKey) {
    auto key = generate_content_key();
    auto jpeg = fake_jpeg(12345);
    auto box = seal_thumbnail(key, jpeg);
    ASSERT_TRUE(box.has_value());
    auto opened = open_thumbnail(key, *box);
    ASSERT_TRUE(opened.has_value()) << opened.error().message;
    EXPECT_EQ(*opened, jpeg);
}

TEST(ThumbnailBoxTest, SizesArePaddedToWholeBlocks) {
    auto key = generate_content_key();
    const std::size_t overhead = kThumbnailNonceBytes + kThumbnailTagBytes;
    for (auto [jpeg, padded] : {std::pair<std::size_t, std::size_t>{3, 4096}, {4095, 4096},
                                {4096, 8192}, {kMaxThumbnailBytes, kMaxThumbnailPaddedBytes}}) {
        auto box = seal_thumbnail(key, fake_jpeg(jpeg));
        ASSERT_TRUE(box.has_value()) << jpeg;
        EXPECT_EQ(box->size(), padded + overhead) << jpeg;
        EXPECT_TRUE(is_thumbnail_box_size(box->size()));
    }
    EXPECT_EQ(seal_thumbnail(key, fake_jpeg(kMaxThumbnailBytes + 1)).error().code,
              ErrorCode::TOO_LARGE);
    EXPECT_EQ(seal_thumbnail(key, Bytes{}).error().code, ErrorCode::BAD_REQUEST);
}

TEST(ThumbnailBoxTest, SealingTwiceUsesFreshNonces) {
    auto key = generate_content_key();
    auto jpeg = fake_jpeg(100);
    EXPECT_NE(*seal_thumbnail(key, jpeg), *seal_thumbnail(key, jpeg));
}

TEST(ThumbnailBoxTest, AnotherKeyOrAChangedByteIsIntegrity) {
    auto key = generate_content_key();
    auto box = *seal_thumbnail(key, fake_jpeg(500));
    EXPECT_EQ(open_thumbnail(generate_content_key(), box).error().code, ErrorCode::INTEGRITY);
    for (std::size_t i : {std::size_t{0}, kThumbnailNonceBytes, box.size() / 2, box.size() - 1}) {
        auto tampered = box;
        tampered[i] ^= 0x80;
        EXPECT_EQ(open_thumbnail(key, tampered).error().code, ErrorCode::INTEGRITY) << i;
    }
    for (std::size_t size : {std::size_t{0}, kMinThumbnailBoxBytes - 1, box.size() - 1}) {
        EXPECT_EQ(open_thumbnail(key, ByteView(box).first(size)).error().code,
                  ErrorCode::INTEGRITY)
            << size;
    }
}

TEST(ThumbnailBoxTest, WhatIsNotAJpegIsNeverReturned) {
    auto key = generate_content_key();
    Bytes html = {'<', 'h', 't', 'm', 'l', '>'};
    auto box = seal_thumbnail(key, html);
    ASSERT_TRUE(box.has_value());
    EXPECT_EQ(open_thumbnail(key, *box).error().code, ErrorCode::INTEGRITY);
}

TEST(ThumbnailBoxTest, TheKeyIsTheContentKeysKdfSubkey) {
    // docs/CRYPTO.md, "Thumbnails": crypto_kdf_derive_from_key(32, id 1, "imgthumb", key),
    // then XChaCha20-Poly1305 with the box's first 24 bytes as nonce, no additional data.
    auto key = generate_content_key();
    auto box = *seal_thumbnail(key, fake_jpeg(10));
    unsigned char subkey[32];
    crypto_kdf_derive_from_key(subkey, sizeof subkey, 1, "imgthumb", key.data());
    Bytes padded(box.size() - kThumbnailNonceBytes - kThumbnailTagBytes);
    ASSERT_EQ(crypto_aead_xchacha20poly1305_ietf_decrypt(
                  padded.data(), nullptr, nullptr, box.data() + kThumbnailNonceBytes,
                  box.size() - kThumbnailNonceBytes, nullptr, 0, box.data(), subkey),
              0);
    EXPECT_EQ(padded[10], 0x80);  // sodium_pad's marker, then zeros
    EXPECT_EQ(padded.back(), 0x00);
    EXPECT_EQ(open_thumbnail(SecretBytes(5), box).error().code, ErrorCode::BAD_REQUEST);
}

}  // namespace
}  // namespace imgshare
