#include "common/crypto/chunk_stream.h"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

namespace imgshare {
namespace {

Bytes pattern(std::size_t size, std::uint8_t seed = 1) {
    Bytes bytes(size);
    for (std::size_t i = 0; i < size; ++i)
        bytes[i] = static_cast<std::uint8_t>(i * 31 + seed);
    return bytes;
}

struct Stream {
    Bytes header;
    std::vector<Bytes> chunks;
};

// Splits `plaintext` into chunks of `chunk_size`; the last one is FINAL (empty if the
// plaintext is a multiple of the chunk size and final_empty is set).
Stream encrypt_all(const SecretBytes& key, ByteView plaintext, std::size_t chunk_size,
                   bool final_empty = false) {
    ChunkEncryptor encryptor(key);
    Stream stream{encryptor.header(), {}};
    std::size_t offset = 0;
    while (plaintext.size() - offset > chunk_size ||
           (final_empty && plaintext.size() - offset == chunk_size)) {
        stream.chunks.push_back(encryptor.encrypt(plaintext.subspan(offset, chunk_size), false));
        offset += chunk_size;
    }
    stream.chunks.push_back(encryptor.encrypt(plaintext.subspan(offset), true));
    EXPECT_TRUE(encryptor.finished());
    return stream;
}

// The plaintext, or the first error (including a missing FINAL).
Result<Bytes> decrypt_all(const SecretBytes& key, const Stream& stream) {
    auto decryptor = ChunkDecryptor::create(key, stream.header);
    if (!decryptor) return std::unexpected(decryptor.error());
    Bytes plaintext;
    for (const Bytes& chunk : stream.chunks) {
        auto part = decryptor->decrypt(chunk);
        if (!part) return std::unexpected(part.error());
        plaintext.insert(plaintext.end(), part->begin(), part->end());
    }
    if (auto finished = decryptor->finish(); !finished) return std::unexpected(finished.error());
    return plaintext;
}

void expect_integrity(const Result<Bytes>& result) {
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::INTEGRITY) << result.error().message;
}

class ChunkStreamTest : public ::testing::Test {
  protected:
    SecretBytes key_ = generate_content_key();
    Bytes plaintext_ = pattern(10'000);
    Stream stream_ = encrypt_all(key_, plaintext_, 1'000);  // 10 chunks, the last FINAL
};

TEST_F(ChunkStreamTest, RoundTripsAtSeveralChunkSizes) {
    for (std::size_t chunk_size : {1u, 7u, 1000u, 4096u, 9999u, 10'000u, 10'001u}) {
        const Stream stream = encrypt_all(key_, plaintext_, chunk_size);
        auto decrypted = decrypt_all(key_, stream);
        ASSERT_TRUE(decrypted) << chunk_size << ": " << decrypted.error().message;
        EXPECT_EQ(*decrypted, plaintext_) << chunk_size;
    }
}

TEST_F(ChunkStreamTest, RoundTripsAtTheDefaultChunkSize) {
    const Bytes big = pattern(2 * kDefaultChunkSize + 123);
    const Stream stream = encrypt_all(key_, big, kDefaultChunkSize);
    EXPECT_EQ(stream.chunks.size(), 3u);
    EXPECT_EQ(stream.chunks[0].size(), kDefaultChunkSize + kChunkOverhead);
    EXPECT_EQ(decrypt_all(key_, stream).value(), big);
}

TEST_F(ChunkStreamTest, RoundTripsWithAnEmptyFinalChunk) {
    const Stream stream = encrypt_all(key_, plaintext_, 1'000, /*final_empty=*/true);
    ASSERT_EQ(stream.chunks.size(), 11u);
    EXPECT_EQ(stream.chunks.back().size(), kChunkOverhead);
    EXPECT_EQ(decrypt_all(key_, stream).value(), plaintext_);
}

TEST_F(ChunkStreamTest, RoundTripsAOneChunkStreamAndAnEmptyStream) {
    const Stream one = encrypt_all(key_, plaintext_, plaintext_.size());
    ASSERT_EQ(one.chunks.size(), 1u);
    EXPECT_EQ(decrypt_all(key_, one).value(), plaintext_);
    const Stream empty = encrypt_all(key_, {}, 1'000);
    ASSERT_EQ(empty.chunks.size(), 1u);
    EXPECT_TRUE(decrypt_all(key_, empty).value().empty());
}

TEST_F(ChunkStreamTest, EncryptIntoAndDecryptIntoReuseTheirBuffers) {
    ChunkEncryptor encryptor(key_);
    Bytes ciphertext;
    encryptor.encrypt_into(plaintext_, true, ciphertext);
    auto decryptor = ChunkDecryptor::create(key_, encryptor.header()).value();
    Bytes out = pattern(50'000);  // stale content must not leak into the result
    ASSERT_TRUE(decryptor.decrypt_into(ciphertext, out));
    EXPECT_EQ(out, plaintext_);
    EXPECT_TRUE(decryptor.finished());
}

TEST_F(ChunkStreamTest, FlippedByteInAnyChunkIsDetected) {
    for (std::size_t chunk = 0; chunk < stream_.chunks.size(); ++chunk) {
        for (std::size_t at :
             {std::size_t{0}, stream_.chunks[chunk].size() / 2, stream_.chunks[chunk].size() - 1}) {
            Stream tampered = stream_;
            tampered.chunks[chunk][at] ^= 0x01;
            expect_integrity(decrypt_all(key_, tampered));
        }
    }
}

TEST_F(ChunkStreamTest, SwappedChunksAreDetected) {
    Stream swapped = stream_;
    std::swap(swapped.chunks[2], swapped.chunks[3]);
    expect_integrity(decrypt_all(key_, swapped));
    Stream final_moved = stream_;
    std::swap(final_moved.chunks[0], final_moved.chunks.back());
    expect_integrity(decrypt_all(key_, final_moved));
}

TEST_F(ChunkStreamTest, DroppedLastChunkIsDetectedByFinish) {
    Stream truncated = stream_;
    truncated.chunks.pop_back();
    auto result = decrypt_all(key_, truncated);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::INTEGRITY);
    EXPECT_EQ(result.error().message, "stream ended without FINAL");
}

TEST_F(ChunkStreamTest, DroppedMiddleChunkIsDetected) {
    Stream gap = stream_;
    gap.chunks.erase(gap.chunks.begin() + 4);
    expect_integrity(decrypt_all(key_, gap));
}

TEST_F(ChunkStreamTest, ChunkFromAnotherStreamIsDetected) {
    // Same key, another header, and another key: neither stream's chunks fit this one.
    const Stream same_key = encrypt_all(key_, plaintext_, 1'000);
    const Stream other_key = encrypt_all(generate_content_key(), plaintext_, 1'000);
    for (const Stream* donor : {&same_key, &other_key}) {
        Stream spliced = stream_;
        spliced.chunks[5] = donor->chunks[5];
        expect_integrity(decrypt_all(key_, spliced));
    }
}

TEST_F(ChunkStreamTest, WrongKeyIsDetected) {
    expect_integrity(decrypt_all(generate_content_key(), stream_));
}

TEST_F(ChunkStreamTest, DataAfterFinalIsDetected) {
    Stream extended = stream_;
    extended.chunks.push_back(stream_.chunks.back());
    expect_integrity(decrypt_all(key_, extended));

    auto decryptor = ChunkDecryptor::create(key_, stream_.header).value();
    for (const Bytes& chunk : stream_.chunks)
        ASSERT_TRUE(decryptor.decrypt(chunk));
    ASSERT_TRUE(decryptor.finished());
    expect_integrity(decryptor.decrypt(Bytes(kChunkOverhead + 5, 0)));
    // Once failed, the stream stays failed.
    EXPECT_EQ(decryptor.finish().error().code, ErrorCode::INTEGRITY);
}

TEST_F(ChunkStreamTest, TamperedHeaderIsDetected) {
    for (std::size_t at = 0; at < stream_.header.size(); ++at) {
        Stream tampered = stream_;
        tampered.header[at] ^= 0x80;
        expect_integrity(decrypt_all(key_, tampered));
    }
}

TEST_F(ChunkStreamTest, ShortChunksAndBadSizesAreRefused) {
    auto decryptor = ChunkDecryptor::create(key_, stream_.header).value();
    expect_integrity(decryptor.decrypt(Bytes(kChunkOverhead - 1, 0)));
    expect_integrity(decryptor.decrypt({}));

    const Bytes short_header(stream_.header.begin(), stream_.header.end() - 1);
    EXPECT_EQ(ChunkDecryptor::create(key_, short_header).error().code, ErrorCode::INTEGRITY);
    EXPECT_EQ(ChunkDecryptor::create(SecretBytes(31), stream_.header).error().code,
              ErrorCode::INTEGRITY);
}

TEST_F(ChunkStreamTest, AFailedDecryptorStaysFailed) {
    auto decryptor = ChunkDecryptor::create(key_, stream_.header).value();
    Bytes tampered = stream_.chunks[0];
    tampered[0] ^= 1;
    expect_integrity(decryptor.decrypt(tampered));
    // The genuine chunk would authenticate, but the reader already saw tampering.
    expect_integrity(decryptor.decrypt(stream_.chunks[0]));
}

TEST_F(ChunkStreamTest, PushAndRekeyTagsAreRefused) {
    for (unsigned char tag : {crypto_secretstream_xchacha20poly1305_TAG_PUSH,
                              crypto_secretstream_xchacha20poly1305_TAG_REKEY}) {
        crypto_secretstream_xchacha20poly1305_state state;
        Bytes header(kStreamHeaderSize);
        crypto_secretstream_xchacha20poly1305_init_push(&state, header.data(), key_.data());
        const Bytes plaintext = to_bytes("hello");
        Bytes chunk(plaintext.size() + kChunkOverhead);
        crypto_secretstream_xchacha20poly1305_push(&state, chunk.data(), nullptr, plaintext.data(),
                                                   plaintext.size(), nullptr, 0, tag);
        auto decryptor = ChunkDecryptor::create(key_, header).value();
        expect_integrity(decryptor.decrypt(chunk));
    }
}

TEST_F(ChunkStreamTest, EncryptingAfterFinalIsABug) {
    ChunkEncryptor encryptor(key_);
    (void)encryptor.encrypt(plaintext_, true);
    EXPECT_THROW((void)encryptor.encrypt(plaintext_, false), std::logic_error);
}

TEST_F(ChunkStreamTest, MovedFromEncryptorAndDecryptorRefuseWork) {
    ChunkEncryptor encryptor(key_);
    ChunkEncryptor moved(std::move(encryptor));
    EXPECT_THROW((void)encryptor.encrypt(plaintext_, true), std::logic_error);  // NOLINT
    const Bytes chunk = moved.encrypt(plaintext_, true);

    auto decryptor = ChunkDecryptor::create(key_, moved.header()).value();
    ChunkDecryptor moved_decryptor(std::move(decryptor));
    expect_integrity(decryptor.decrypt(chunk));  // NOLINT(bugprone-use-after-move)
    EXPECT_EQ(moved_decryptor.decrypt(chunk).value(), plaintext_);
}

TEST_F(ChunkStreamTest, WrongSizedKeyForEncryptionIsABug) {
    EXPECT_THROW(ChunkEncryptor(SecretBytes(16)), std::invalid_argument);
}

TEST_F(ChunkStreamTest, EveryStreamHasAFreshHeader) {
    EXPECT_NE(ChunkEncryptor(key_).header(), ChunkEncryptor(key_).header());
}

TEST_F(ChunkStreamTest, AReplayedEncryptorMakesTheSameChunksForTheSamePlaintext) {
    const Bytes plaintext = pattern(3 * 1000 + 17);
    const Stream original = encrypt_all(key_, plaintext, 1000);
    auto replayed = ChunkEncryptor::replay(key_, original.header);
    ASSERT_TRUE(replayed.has_value());
    EXPECT_EQ(replayed->header(), original.header);
    for (std::size_t i = 0; i < original.chunks.size(); ++i) {
        const bool last = i + 1 == original.chunks.size();
        auto piece = ByteView(plaintext).subspan(i * 1000, last ? plaintext.size() - i * 1000 : 1000);
        EXPECT_EQ(replayed->encrypt(piece, last), original.chunks[i]) << "chunk " << i;
    }
    // Another plaintext gives other chunks (same keystream: never send both).
    auto again = ChunkEncryptor::replay(key_, original.header);
    EXPECT_NE(again->encrypt(pattern(1000, 2), false), original.chunks[0]);
}

TEST_F(ChunkStreamTest, ReplayRefusesABadKeyOrHeader) {
    const Bytes header(kStreamHeaderSize, 7);
    EXPECT_EQ(ChunkEncryptor::replay(SecretBytes(16), header).error().code, ErrorCode::INTEGRITY);
    EXPECT_EQ(ChunkEncryptor::replay(key_, Bytes(kStreamHeaderSize - 1)).error().code,
              ErrorCode::INTEGRITY);
}

TEST(KeyCommitmentTest, IsStableForOneKeyAndDiffersPerKey) {
    const SecretBytes key = generate_content_key();
    const SecretBytes copy = SecretBytes::copy_of(key.view());
    EXPECT_EQ(key_commitment(key).size(), kKeyCommitmentSize);
    EXPECT_EQ(key_commitment(key), key_commitment(copy));
    EXPECT_NE(key_commitment(key), key_commitment(generate_content_key()));
}

TEST(KeyCommitmentTest, IsNotTheKeyNorAPlainHashOfIt) {
    const SecretBytes key = generate_content_key();
    const Bytes commitment = key_commitment(key);
    EXPECT_NE(commitment, Bytes(key.view().begin(), key.view().end()));
    Bytes unkeyed(32);
    crypto_generichash(unkeyed.data(), unkeyed.size(), key.data(), key.size(), nullptr, 0);
    EXPECT_NE(commitment, unkeyed);
}

TEST(KeyCommitmentTest, CheckAcceptsOnlyTheMatchingCommitment) {
    const SecretBytes key = generate_content_key();
    const Bytes commitment = key_commitment(key);
    EXPECT_TRUE(check_key_commitment(key, commitment));
    EXPECT_EQ(check_key_commitment(generate_content_key(), commitment).error().code,
              ErrorCode::INTEGRITY);
    Bytes tampered = commitment;
    tampered[31] ^= 1;
    EXPECT_EQ(check_key_commitment(key, tampered).error().code, ErrorCode::INTEGRITY);
    EXPECT_EQ(
        check_key_commitment(key, Bytes(commitment.begin(), commitment.end() - 1)).error().code,
        ErrorCode::INTEGRITY);
    EXPECT_EQ(check_key_commitment(SecretBytes(31), commitment).error().code, ErrorCode::INTEGRITY);
}

TEST(KeyCommitmentTest, ContentKeysAreFreshAndOfTheRightSize) {
    const SecretBytes a = generate_content_key();
    EXPECT_EQ(a.size(), kContentKeySize);
    EXPECT_TRUE(check_content_key(a));
    EXPECT_FALSE(a.equals(generate_content_key()));
    EXPECT_EQ(check_content_key(SecretBytes(33)).error().code, ErrorCode::INTEGRITY);
}

}  // namespace
}  // namespace imgshare
