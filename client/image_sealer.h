// Sealing an image for posting: encrypt it in chunks into a private temporary
// file and sign the envelope that describes it (DESIGN.md §2, "Content").
//
// Promises: the image is read once, through fixed buffers (memory stays flat
// whatever its size), and must not change while it is read. The temporary
// file holds the ciphertext chunks back to back, chunk i at offset
// i * (chunk_size + kChunkOverhead); it is removed when the SealedImage goes.
// The envelope is signed by the owner's key and commits to the ciphertext
// (SHA-256), the stream header and the content key; the content key is
// returned for wrapping and is wiped with the SealedImage. Wrapping the key
// (escrow or grants) is the caller's business: the envelope's signature
// covers who may read, the wrapped keys are checked by the key commitment.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "client/temp_file.h"
#include "common/bytes.h"
#include "common/certificate.h"
#include "common/crypto/chunk_stream.h"
#include "common/crypto/secret_bytes.h"
#include "common/envelope.h"
#include "common/error.h"

namespace imgshare::client {

struct SealParameters {
    std::string name;          // must pass check_image_name
    const Certificate& owner;  // the owner's own (verified) certificate
    const SecretBytes& owner_signing_key;
    std::string content_type;  // "image/png", …
    std::string mode = std::string(kEscrowMode);
    std::vector<std::string> recipients;  // e2e: every grant holder, owner included
    std::int64_t created_at = 0;
    std::uint32_t chunk_size = kDefaultChunkSize;
};

struct SealedImage {
    Envelope envelope;
    Bytes encoded_envelope;  // exactly the bytes signed
    Bytes signature;
    SecretBytes content_key;  // empty in a sealed image read back from the home (kept_posts.h)
    TempFile ciphertext;
    Bytes image_sha256 = {};  // of the image file's bytes, as the stream carries it
};

// BAD_REQUEST for a bad name, an empty image or one that is not a regular file; TOO_LARGE if
// it needs more than kMaxChunkCount chunks; IO_ERROR if it cannot be read, changes size
// while it is read, or the temporary file cannot be written.
[[nodiscard]] Result<SealedImage> seal_image(const std::filesystem::path& image,
                                             const SealParameters& parameters,
                                             const std::filesystem::path& temp_dir);

// The SHA-256 of an image file's bytes, as seal_image() records it (image_sha256): read
// once through a fixed buffer. IO_ERROR if it cannot be read; BAD_REQUEST as seal_image
// for an empty file or one that is not a regular file.
[[nodiscard]] Result<Bytes> image_file_sha256(const std::filesystem::path& image);

// Ciphertext chunk `index` (< chunk_count) of a sealed image, into `out` (resized).
[[nodiscard]] Result<void> read_sealed_chunk(const SealedImage& sealed, std::uint32_t index,
                                             Bytes& out);

}  // namespace imgshare::client
