// The thumbnail box: how an owner encrypts an image's thumbnail (a small JPEG) so that
// exactly the image's readers can open it (docs/CRYPTO.md, "Thumbnails").
//
// The key is a subkey of the image's content key (crypto_kdf_derive_from_key, context
// "imgthumb", subkey id 1): whoever can open the image can open its thumbnail, and nobody
// else, with no second key to wrap or grant. The JPEG is padded (sodium_pad, 4096-byte
// blocks) so that its stored size tells a server only the block count, then encrypted with
// XChaCha20-Poly1305 (crypto_aead_xchacha20poly1305_ietf) under a random 24-byte nonce.
// The box, `nonce || ciphertext`, is field 14 of a v2 envelope: the owner's signature
// covers it, the envelope's key commitment binds the key it derives from.
//
// Promises: seal_thumbnail never produces a box open_thumbnail refuses; open_thumbnail
// returns only bytes that authenticated under the key and start like a JPEG.
#pragma once

#include <cstddef>

#include "common/bytes.h"
#include "common/crypto/secret_bytes.h"
#include "common/error.h"

namespace imgshare {

inline constexpr std::size_t kThumbnailPadBlock = 4096;
// The largest padded plaintext: 12 blocks. sodium_pad adds at least one byte, so the
// largest JPEG is one byte less.
inline constexpr std::size_t kMaxThumbnailPaddedBytes = 12 * kThumbnailPadBlock;
inline constexpr std::size_t kMaxThumbnailBytes = kMaxThumbnailPaddedBytes - 1;
inline constexpr std::size_t kThumbnailNonceBytes = 24;
inline constexpr std::size_t kThumbnailTagBytes = 16;
// A box is nonce + padded plaintext + tag: 4136 .. 49 192 bytes, in steps of 4096.
inline constexpr std::size_t kMinThumbnailBoxBytes =
    kThumbnailNonceBytes + kThumbnailPadBlock + kThumbnailTagBytes;
inline constexpr std::size_t kMaxThumbnailBoxBytes =
    kThumbnailNonceBytes + kMaxThumbnailPaddedBytes + kThumbnailTagBytes;

// Whether `size` is a box size seal_thumbnail can make (the envelope's shape rule).
[[nodiscard]] bool is_thumbnail_box_size(std::size_t size);

// TOO_LARGE for a JPEG over kMaxThumbnailBytes, BAD_REQUEST for an empty one or a content
// key that is not 32 bytes.
[[nodiscard]] Result<Bytes> seal_thumbnail(const SecretBytes& content_key, ByteView jpeg);

// The JPEG in `box`. INTEGRITY if the box is not of a box size, does not authenticate under
// this content key's subkey, is not padded correctly, or holds no JPEG (no FF D8 FF start).
[[nodiscard]] Result<Bytes> open_thumbnail(const SecretBytes& content_key, ByteView box);

}  // namespace imgshare
