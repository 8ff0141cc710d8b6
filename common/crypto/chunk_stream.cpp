#include "common/crypto/chunk_stream.h"

#include <stdexcept>
#include <string_view>
#include <utility>

#include "common/crypto/sodium_init.h"

namespace imgshare {
namespace {

static_assert(crypto_secretstream_xchacha20poly1305_KEYBYTES == kContentKeySize);
static_assert(kKeyCommitmentSize >= crypto_generichash_BYTES_MIN &&
              kKeyCommitmentSize <= crypto_generichash_BYTES_MAX);
static_assert(kContentKeySize >= crypto_generichash_KEYBYTES_MIN &&
              kContentKeySize <= crypto_generichash_KEYBYTES_MAX);

constexpr std::string_view kKeyCommitmentContext = "imgshare/key-commitment/v1";

using StreamState = crypto_secretstream_xchacha20poly1305_state;

// Moves stream state to `to` and wipes `from`, so no two objects ever hold the same state.
void move_state(StreamState& to, StreamState& from) noexcept {
    to = from;
    sodium_memzero(&from, sizeof from);
}

}  // namespace

SecretBytes generate_content_key() {
    ensure_sodium();
    SecretBytes key(kContentKeySize);
    crypto_secretstream_xchacha20poly1305_keygen(key.data());
    return key;
}

Result<void> check_content_key(const SecretBytes& content_key) {
    if (content_key.size() != kContentKeySize) {
        return fail(ErrorCode::INTEGRITY, "content key must be 32 bytes");
    }
    return {};
}

// ---- ChunkEncryptor ----

ChunkEncryptor::ChunkEncryptor(const SecretBytes& key) : header_(kStreamHeaderSize) {
    ensure_sodium();
    if (key.size() != kContentKeySize) {
        throw std::invalid_argument("content key must be 32 bytes");
    }
    crypto_secretstream_xchacha20poly1305_init_push(&state_, header_.data(), key.data());
}

Result<ChunkEncryptor> ChunkEncryptor::replay(const SecretBytes& key, ByteView header) {
    ensure_sodium();
    if (key.size() != kContentKeySize || header.size() != kStreamHeaderSize) {
        return fail(ErrorCode::INTEGRITY, "a stream is replayed from a 32-byte key and its header");
    }
    ChunkEncryptor encryptor;
    // init_push draws the header at random and derives the state from key and header exactly
    // as init_pull does (the state type is shared): pull's initial state is push's.
    // chunk_stream_test checks the replayed chunks equal the original's byte for byte.
    crypto_secretstream_xchacha20poly1305_init_pull(&encryptor.state_, header.data(), key.data());
    encryptor.header_.assign(header.begin(), header.end());
    return encryptor;
}

ChunkEncryptor::ChunkEncryptor(ChunkEncryptor&& other) noexcept
    : header_(std::move(other.header_)), finished_(std::exchange(other.finished_, true)) {
    move_state(state_, other.state_);
}

ChunkEncryptor& ChunkEncryptor::operator=(ChunkEncryptor&& other) noexcept {
    if (this != &other) {
        move_state(state_, other.state_);
        header_ = std::move(other.header_);
        finished_ = std::exchange(other.finished_, true);
    }
    return *this;
}

ChunkEncryptor::~ChunkEncryptor() {
    sodium_memzero(&state_, sizeof state_);
}

Bytes ChunkEncryptor::encrypt(ByteView plaintext, bool final) {
    Bytes out;
    encrypt_into(plaintext, final, out);
    return out;
}

void ChunkEncryptor::encrypt_into(ByteView plaintext, bool final, Bytes& out) {
    if (finished_) {
        throw std::logic_error("ChunkEncryptor used after its final chunk (or after a move)");
    }
    out.resize(plaintext.size() + kChunkOverhead);
    const unsigned char tag = final ? crypto_secretstream_xchacha20poly1305_TAG_FINAL
                                    : crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
    unsigned long long written = 0;
    crypto_secretstream_xchacha20poly1305_push(&state_, out.data(), &written, plaintext.data(),
                                               plaintext.size(), nullptr, 0, tag);
    out.resize(static_cast<std::size_t>(written));
    finished_ = final;
}

// ---- ChunkDecryptor ----

Result<ChunkDecryptor> ChunkDecryptor::create(const SecretBytes& key, ByteView header) {
    ensure_sodium();
    if (key.size() != kContentKeySize) {
        return fail(ErrorCode::INTEGRITY, "content key must be 32 bytes");
    }
    if (header.size() != kStreamHeaderSize) {
        return fail(ErrorCode::INTEGRITY, "stream header must be 24 bytes");
    }
    ChunkDecryptor decryptor;
    if (crypto_secretstream_xchacha20poly1305_init_pull(&decryptor.state_, header.data(),
                                                        key.data()) != 0) {
        return fail(ErrorCode::INTEGRITY, "stream header refused");
    }
    return decryptor;
}

ChunkDecryptor::ChunkDecryptor(ChunkDecryptor&& other) noexcept
    : finished_(other.finished_), failed_(std::exchange(other.failed_, true)) {
    move_state(state_, other.state_);
}

ChunkDecryptor& ChunkDecryptor::operator=(ChunkDecryptor&& other) noexcept {
    if (this != &other) {
        move_state(state_, other.state_);
        finished_ = other.finished_;
        failed_ = std::exchange(other.failed_, true);
    }
    return *this;
}

ChunkDecryptor::~ChunkDecryptor() {
    sodium_memzero(&state_, sizeof state_);
}

Result<Bytes> ChunkDecryptor::decrypt(ByteView ciphertext_chunk) {
    Bytes out;
    if (auto decrypted = decrypt_into(ciphertext_chunk, out); !decrypted) {
        return std::unexpected(std::move(decrypted.error()));
    }
    return out;
}

Result<void> ChunkDecryptor::decrypt_into(ByteView ciphertext, Bytes& out) {
    out.clear();
    if (failed_) return fail(ErrorCode::INTEGRITY, "stream already failed verification");
    if (finished_) {
        failed_ = true;
        return fail(ErrorCode::INTEGRITY, "data after the final chunk");
    }
    if (ciphertext.size() < kChunkOverhead) {
        failed_ = true;
        return fail(ErrorCode::INTEGRITY, "chunk is shorter than its authentication tag");
    }
    out.resize(ciphertext.size() - kChunkOverhead);
    unsigned long long written = 0;
    unsigned char tag = 0;
    if (crypto_secretstream_xchacha20poly1305_pull(&state_, out.data(), &written, &tag,
                                                   ciphertext.data(), ciphertext.size(), nullptr,
                                                   0) != 0) {
        failed_ = true;
        out.clear();
        return fail(ErrorCode::INTEGRITY, "chunk failed authentication");
    }
    if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
        finished_ = true;
    } else if (tag != crypto_secretstream_xchacha20poly1305_TAG_MESSAGE) {
        // We never write PUSH or REKEY; a stream carrying them was not made by us.
        failed_ = true;
        out.clear();
        return fail(ErrorCode::INTEGRITY, "chunk carries an unexpected stream tag");
    }
    out.resize(static_cast<std::size_t>(written));
    return {};
}

Result<void> ChunkDecryptor::finish() const {
    if (failed_) return fail(ErrorCode::INTEGRITY, "stream failed verification");
    if (!finished_) return fail(ErrorCode::INTEGRITY, "stream ended without FINAL");
    return {};
}

// ---- key commitment ----

Bytes key_commitment(const SecretBytes& content_key) {
    ensure_sodium();
    if (content_key.size() != kContentKeySize) {
        throw std::invalid_argument("content key must be 32 bytes");
    }
    Bytes commitment(kKeyCommitmentSize);
    const ByteView context = as_bytes(kKeyCommitmentContext);
    crypto_generichash(commitment.data(), commitment.size(), context.data(), context.size(),
                       content_key.data(), content_key.size());
    return commitment;
}

Result<void> check_key_commitment(const SecretBytes& content_key, ByteView commitment) {
    if (auto key_ok = check_content_key(content_key); !key_ok) return key_ok;
    const Bytes expected = key_commitment(content_key);
    if (commitment.size() != expected.size() ||
        sodium_memcmp(commitment.data(), expected.data(), expected.size()) != 0) {
        return fail(ErrorCode::INTEGRITY, "content key does not match its commitment");
    }
    return {};
}

}  // namespace imgshare
