// Sealing an image for posting (DESIGN.md §2, "Content"), in two passes over
// the image file and without writing its ciphertext anywhere:
//
//   seal_image()    pass 1: encrypts the image in chunks under a fresh content
//                   key, hashes the ciphertext, and signs the envelope that
//                   commits to it (SHA-256), to the stream header and to the
//                   key; the ciphertext itself is dropped chunk by chunk.
//   SealedChunks    pass 2: encrypts the image again under the same key and
//                   header (ChunkEncryptor::replay), chunk by chunk as the
//                   upload asks, giving exactly the chunks pass 1 hashed.
//
// Promises: each pass reads the image once, through fixed buffers; memory is
// one chunk plus 16 bytes per chunk (the chunk tags), whatever the size. The
// image must not change between the passes; if it does, pass 2 never returns
// a chunk other than the one pass 1 sealed at that index: each chunk's
// Poly1305 tag (a MAC under a one-time key derived from the secret content
// key, so different plaintexts give equal tags with probability < 2^-90) is
// compared with pass 1's before the chunk leaves, and a mismatch is IO_ERROR.
// No plaintext ever goes out under a key and nonce that carried another.
// The content key is returned for wrapping and is wiped with the SealedImage;
// wrapping it (escrow or grants) is the caller's business: the envelope's
// signature covers who may read, the wrapped keys are checked by the key
// commitment.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/certificate.h"
#include "common/crypto/chunk_stream.h"
#include "common/crypto/secret_bytes.h"
#include "common/envelope.h"
#include "common/error.h"

namespace imgshare::client {

// The Poly1305 tag that ends each ciphertext chunk.
constexpr std::size_t kChunkTagSize = 16;

struct SealParameters {
    std::string name;          // must pass check_image_name
    const Certificate& owner;  // the owner's own (verified) certificate
    const SecretBytes& owner_signing_key;
    std::string content_type;  // "image/png", …
    std::string mode = std::string(kEscrowMode);
    std::vector<std::string> recipients;  // e2e: every grant holder, owner included
    std::int64_t created_at = 0;
    std::uint32_t chunk_size = kDefaultChunkSize;
    // The image's thumbnail, a JPEG (thumbnail_maker.h): sealed into a v2 envelope
    // (thumbnail_box.h). Empty: a v1 envelope, without one.
    Bytes thumbnail = {};
    // The owner's controls (envelope.h): when the image expires (Unix seconds) and how
    // many complete downloads it allows; 0: none. Either makes the envelope v3.
    std::int64_t expires_at = 0;
    std::uint32_t max_downloads = 0;
};

struct SealedImage {
    Envelope envelope;
    Bytes encoded_envelope;  // exactly the bytes signed
    Bytes signature;
    SecretBytes content_key;
    Bytes image_sha256 = {};  // of the image file's bytes, as the stream carries it
    Bytes chunk_tags = {};    // chunk i's tag at [kChunkTagSize * i, kChunkTagSize * (i + 1))
    std::filesystem::path image = {};  // the file it was sealed from, made again by SealedChunks
};

// Pass 1. BAD_REQUEST for a bad name, an empty image or one that is not a regular file;
// TOO_LARGE for a thumbnail over kMaxThumbnailBytes;
// TOO_LARGE if it needs more than kMaxChunkCount chunks; IO_ERROR if it cannot be read or
// changes size while it is read. Writes nothing.
[[nodiscard]] Result<SealedImage> seal_image(const std::filesystem::path& image,
                                             const SealParameters& parameters);

// What an earlier seal_image() of `image` signed: its envelope (as signed), signature and
// content key, kept while the post was pending.
struct KeptSeal {
    const Bytes& encoded_envelope;
    const Bytes& signature;
    SecretBytes content_key;
};

// Pass 1 again for a kept post: the SealedImage seal_image() made, with its chunk tags.
// BAD_REQUEST ("… changed since it was sealed") unless the image still encrypts to the
// ciphertext the envelope commits to; INTEGRITY if the envelope does not decode or the key
// is not the one it commits to; the errors of seal_image() reading the file.
[[nodiscard]] Result<SealedImage> reseal_image(const std::filesystem::path& image, KeptSeal kept);

// The SHA-256 of an image file's bytes, as seal_image() records it (image_sha256): read
// once through a fixed buffer. IO_ERROR if it cannot be read; BAD_REQUEST as seal_image
// for an empty file or one that is not a regular file.
[[nodiscard]] Result<Bytes> image_file_sha256(const std::filesystem::path& image);

// Pass 2: the ciphertext chunks of a sealed image, made again from its file. Move-only;
// holds the file open and the stream state (wiped when it goes).
class SealedChunks {
  public:
    // From `sealed.image`; `sealed` must outlive this object. IO_ERROR if the image cannot
    // be opened.
    [[nodiscard]] static Result<SealedChunks> open(const SealedImage& sealed);

    SealedChunks(SealedChunks&&) noexcept;
    SealedChunks& operator=(SealedChunks&&) noexcept;
    ~SealedChunks();

    // Chunk `index`; the view lasts until the next call. Indexes must not go down from one
    // call to the next (chunks before `index` not asked for are made and dropped: the
    // stream is sequential). BAD_REQUEST for an index below the last one asked or beyond
    // the image; IO_ERROR if the image no longer gives the chunk pass 1 sealed (nothing of
    // it is returned, and every later call fails the same way).
    [[nodiscard]] Result<ByteView> chunk(std::uint32_t index);

  private:
    struct State;
    explicit SealedChunks(std::unique_ptr<State> state);
    std::unique_ptr<State> state_;
};

}  // namespace imgshare::client
