#include "common/crypto/thumbnail_box.h"

#include <sodium.h>

#include <array>

namespace imgshare {
namespace {

constexpr char kThumbnailKdfContext[crypto_kdf_CONTEXTBYTES + 1] = "imgthumb";
constexpr std::uint64_t kThumbnailSubkeyId = 1;
static_assert(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES == kThumbnailNonceBytes);
static_assert(crypto_aead_xchacha20poly1305_ietf_ABYTES == kThumbnailTagBytes);
static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == crypto_kdf_KEYBYTES);

Result<SecretBytes> thumbnail_key(const SecretBytes& content_key) {
    if (content_key.size() != crypto_kdf_KEYBYTES) {
        return fail(ErrorCode::BAD_REQUEST, "a content key is 32 bytes");
    }
    SecretBytes key(crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
    crypto_kdf_derive_from_key(key.data(), key.size(), kThumbnailSubkeyId, kThumbnailKdfContext,
                               content_key.data());
    return key;
}

bool starts_like_jpeg(ByteView bytes) {
    return bytes.size() >= 3 && bytes[0] == 0xff && bytes[1] == 0xd8 && bytes[2] == 0xff;
}

}  // namespace

bool is_thumbnail_box_size(std::size_t size) {
    if (size < kMinThumbnailBoxBytes || size > kMaxThumbnailBoxBytes) return false;
    return (size - kThumbnailNonceBytes - kThumbnailTagBytes) % kThumbnailPadBlock == 0;
}

Result<Bytes> seal_thumbnail(const SecretBytes& content_key, ByteView jpeg) {
    if (jpeg.empty()) return fail(ErrorCode::BAD_REQUEST, "an empty thumbnail");
    if (jpeg.size() > kMaxThumbnailBytes) {
        return fail(ErrorCode::TOO_LARGE, "the thumbnail is larger than 49 151 bytes");
    }
    auto key = thumbnail_key(content_key);
    if (!key) return std::unexpected(key.error());
    Bytes padded(kMaxThumbnailPaddedBytes);
    std::copy(jpeg.begin(), jpeg.end(), padded.begin());
    std::size_t padded_size = 0;
    if (sodium_pad(&padded_size, padded.data(), jpeg.size(), kThumbnailPadBlock, padded.size()) !=
        0) {
        return fail(ErrorCode::TOO_LARGE, "the thumbnail does not fit its padding");
    }
    padded.resize(padded_size);
    Bytes box(kThumbnailNonceBytes + padded_size + kThumbnailTagBytes);
    randombytes_buf(box.data(), kThumbnailNonceBytes);
    unsigned long long written = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(box.data() + kThumbnailNonceBytes, &written,
                                               padded.data(), padded.size(), nullptr, 0, nullptr,
                                               box.data(), key->data());
    return box;
}

Result<Bytes> open_thumbnail(const SecretBytes& content_key, ByteView box) {
    if (!is_thumbnail_box_size(box.size())) {
        return fail(ErrorCode::INTEGRITY, "the thumbnail box has no box size");
    }
    auto key = thumbnail_key(content_key);
    if (!key) return std::unexpected(key.error());
    auto ciphertext = box.subspan(kThumbnailNonceBytes);
    Bytes padded(ciphertext.size() - kThumbnailTagBytes);
    unsigned long long opened = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(padded.data(), &opened, nullptr,
                                                   ciphertext.data(), ciphertext.size(), nullptr,
                                                   0, box.data(), key->data()) != 0) {
        return fail(ErrorCode::INTEGRITY, "the thumbnail does not decrypt with the image's key");
    }
    std::size_t jpeg_size = 0;
    if (sodium_unpad(&jpeg_size, padded.data(), padded.size(), kThumbnailPadBlock) != 0) {
        return fail(ErrorCode::INTEGRITY, "the thumbnail's padding is malformed");
    }
    padded.resize(jpeg_size);
    if (!starts_like_jpeg(padded)) {
        return fail(ErrorCode::INTEGRITY, "the thumbnail is not a JPEG image");
    }
    return padded;
}

}  // namespace imgshare
