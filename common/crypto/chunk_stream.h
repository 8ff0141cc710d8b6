// Streaming authenticated encryption of an image, chunk by chunk
// (crypto_secretstream_xchacha20poly1305).
//
// Promises: a reader that decrypts every chunk in order and then calls
// finish() has seen exactly the chunks the writer produced, in the writer's
// order, under this key and header, ending with the writer's final chunk.
// Any flipped bit, reordering, truncation, splicing from another stream,
// wrong key or data after the final chunk is an INTEGRITY error. A decryptor
// that has failed once stays failed.
//
// The header (kStreamHeaderSize bytes, public) starts the stream, as an IV
// would. Encryptors and decryptors are move-only: copying stream state would
// reuse a nonce. Their state is wiped on destruction.
//
// A stream is a function of its key, header and plaintext: an encryptor
// replayed from the key and header of an earlier one (ChunkEncryptor::replay)
// produces the same chunks for the same plaintext. That is what lets a client
// encrypt an image twice instead of keeping its ciphertext; the caller must
// make sure a replayed stream never sends a different plaintext under the
// same key and header (that would reuse a nonce).
#pragma once

#include <sodium.h>

#include <cstddef>

#include "common/bytes.h"
#include "common/crypto/secret_bytes.h"
#include "common/error.h"

namespace imgshare {

constexpr std::size_t kDefaultChunkSize = 256 * 1024;
constexpr std::size_t kChunkOverhead = crypto_secretstream_xchacha20poly1305_ABYTES;
constexpr std::size_t kStreamHeaderSize = crypto_secretstream_xchacha20poly1305_HEADERBYTES;
constexpr std::size_t kContentKeySize = 32;
constexpr std::size_t kKeyCommitmentSize = 32;

// A fresh random content key (one per image).
[[nodiscard]] SecretBytes generate_content_key();

// INTEGRITY unless `content_key` has kContentKeySize bytes. Check keys that arrive sealed
// before handing them to anything below.
[[nodiscard]] Result<void> check_content_key(const SecretBytes& content_key);

class ChunkEncryptor {
  public:
    // `key` must be kContentKeySize bytes (else std::invalid_argument).
    explicit ChunkEncryptor(const SecretBytes& key);
    // The encryptor that ChunkEncryptor(key) was when it made `header`: it produces the
    // same chunks again for the same plaintext. INTEGRITY if the key is not kContentKeySize
    // bytes or the header not kStreamHeaderSize.
    [[nodiscard]] static Result<ChunkEncryptor> replay(const SecretBytes& key, ByteView header);
    ChunkEncryptor(const ChunkEncryptor&) = delete;
    ChunkEncryptor& operator=(const ChunkEncryptor&) = delete;
    ChunkEncryptor(ChunkEncryptor&& other) noexcept;
    ChunkEncryptor& operator=(ChunkEncryptor&& other) noexcept;
    ~ChunkEncryptor();

    // The stream header, to be stored and signed with the ciphertext.
    [[nodiscard]] const Bytes& header() const { return header_; }

    // The next chunk: plaintext.size() + kChunkOverhead bytes. Pass final=true for the last
    // chunk (it may be empty). Encrypting after the final chunk, or with a moved-from
    // encryptor, is a bug: std::logic_error.
    [[nodiscard]] Bytes encrypt(ByteView plaintext, bool final);
    // The same into `out` (resized; its capacity is reused). `plaintext` must not overlap `out`.
    void encrypt_into(ByteView plaintext, bool final, Bytes& out);

    [[nodiscard]] bool finished() const { return finished_; }

  private:
    ChunkEncryptor() = default;

    crypto_secretstream_xchacha20poly1305_state state_{};
    Bytes header_;
    bool finished_ = false;
};

class ChunkDecryptor {
  public:
    // INTEGRITY if the key is not kContentKeySize bytes or the header not kStreamHeaderSize.
    [[nodiscard]] static Result<ChunkDecryptor> create(const SecretBytes& key, ByteView header);

    ChunkDecryptor(const ChunkDecryptor&) = delete;
    ChunkDecryptor& operator=(const ChunkDecryptor&) = delete;
    ChunkDecryptor(ChunkDecryptor&& other) noexcept;
    ChunkDecryptor& operator=(ChunkDecryptor&& other) noexcept;
    ~ChunkDecryptor();

    // The plaintext of the next chunk; INTEGRITY on any failure (see the file comment).
    [[nodiscard]] Result<Bytes> decrypt(ByteView ciphertext_chunk);
    // The same into `out` (resized; cleared on failure). `ciphertext` must not overlap `out`.
    [[nodiscard]] Result<void> decrypt_into(ByteView ciphertext, Bytes& out);

    // True once the final chunk has been decrypted.
    [[nodiscard]] bool finished() const { return finished_; }
    // INTEGRITY ("stream ended without FINAL") unless the final chunk was decrypted.
    // Call it when the chunks run out; never trust a stream without it.
    [[nodiscard]] Result<void> finish() const;

  private:
    ChunkDecryptor() = default;

    crypto_secretstream_xchacha20poly1305_state state_{};
    bool finished_ = false;
    bool failed_ = false;
};

// BLAKE2b-256 keyed by the content key over "imgshare/key-commitment/v1": binds a
// ciphertext to one key, so one ciphertext cannot decrypt validly under two keys (the
// "invisible salamanders" attack on AEADs without key commitment). `content_key` must be
// kContentKeySize bytes (else std::invalid_argument; see check_content_key).
[[nodiscard]] Bytes key_commitment(const SecretBytes& content_key);

// INTEGRITY unless `commitment` is key_commitment(content_key) (compared in constant time)
// and the key has the right size.
[[nodiscard]] Result<void> check_key_commitment(const SecretBytes& content_key,
                                                ByteView commitment);

}  // namespace imgshare
