// Shared by the fuzz targets and the seed corpus generator: how one fuzz input
// is cut into several pieces (message frames, stream chunks), the fixed keys
// the targets verify and decrypt with, and the check that turns a broken
// property into a crash the engine records.
//
// The layouts are part of the seed corpus: change one and the seeds must be
// regenerated (deploy/fuzz.sh always does).
#pragma once

#include <sodium.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <source_location>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/crypto/chunk_stream.h"
#include "common/crypto/keys.h"
#include "common/crypto/secret_bytes.h"
#include "tests/common/scratch_dir.h"

namespace imgshare::fuzz {

// A property every input must keep; a violation aborts, so the input is saved as a crash.
inline void require(bool holds, const char* property,
                    std::source_location where = std::source_location::current()) {
    if (holds) return;
    std::fprintf(stderr, "==imgshare-fuzz== property violated at %s:%u: %s\n", where.file_name(),
                 static_cast<unsigned>(where.line()), property);
    std::abort();
}

// ---- Frames ------------------------------------------------------------------
// [n][len][frame]...[len][frame][last frame]: the first byte picks 1 + n % 4 frames (so
// wrong frame counts are reachable); every frame but the last has a 2-byte big-endian
// length, cut short where the input ends; the last frame is the rest.

inline constexpr std::size_t kMaxSplitFrames = 4;

inline std::vector<Bytes> split_frames(ByteView input) {
    std::vector<Bytes> frames;
    if (input.empty()) return frames;
    const std::size_t count = 1 + input[0] % kMaxSplitFrames;
    std::size_t at = 1;
    for (std::size_t i = 0; i + 1 < count; ++i) {
        std::size_t length = 0;
        if (at + 2 <= input.size()) length = std::size_t{input[at]} << 8 | input[at + 1];
        at = std::min(at + 2, input.size());
        length = std::min(length, input.size() - at);
        frames.emplace_back(input.begin() + static_cast<std::ptrdiff_t>(at),
                            input.begin() + static_cast<std::ptrdiff_t>(at + length));
        at += length;
    }
    frames.emplace_back(input.begin() + static_cast<std::ptrdiff_t>(at), input.end());
    return frames;
}

// The inverse, for the seed generator: 1..4 frames, each but the last under 64 KiB.
inline Bytes join_frames(std::span<const Bytes> frames) {
    if (frames.empty() || frames.size() > kMaxSplitFrames) {
        throw std::invalid_argument("join_frames: 1 to 4 frames");
    }
    Bytes input{static_cast<std::uint8_t>(frames.size() - 1)};
    for (std::size_t i = 0; i < frames.size(); ++i) {
        if (i + 1 < frames.size()) {
            if (frames[i].size() > 0xffff) throw std::invalid_argument("join_frames: too big");
            input.push_back(static_cast<std::uint8_t>(frames[i].size() >> 8));
            input.push_back(static_cast<std::uint8_t>(frames[i].size()));
        }
        input.insert(input.end(), frames[i].begin(), frames[i].end());
    }
    return input;
}

// ---- Pieces and chunk streams -------------------------------------------------
// [len][piece][len][piece]...: one length byte per piece (cut short where the input ends),
// so pieces of up to 255 bytes, arbitrarily many.

inline std::vector<ByteView> split_pieces(ByteView input) {
    std::vector<ByteView> pieces;
    std::size_t at = 0;
    while (at < input.size()) {
        const std::size_t length = std::min<std::size_t>(input[at], input.size() - at - 1);
        pieces.push_back(input.subspan(at + 1, length));
        at += 1 + length;
    }
    return pieces;
}

inline void append_pieces(Bytes& input, std::span<const Bytes> pieces) {
    for (const auto& piece : pieces) {
        if (piece.size() > 0xff) throw std::invalid_argument("append_pieces: piece too big");
        input.push_back(static_cast<std::uint8_t>(piece.size()));
        input.insert(input.end(), piece.begin(), piece.end());
    }
}

// A chunk stream: [header: kStreamHeaderSize bytes][pieces: the ciphertext chunks].
struct ChunkStreamInput {
    ByteView header;
    std::vector<ByteView> chunks;
};

inline ChunkStreamInput split_chunk_stream(ByteView input) {
    const std::size_t header_size = std::min(input.size(), kStreamHeaderSize);
    return {input.first(header_size), split_pieces(input.subspan(header_size))};
}

inline Bytes join_chunk_stream(ByteView header, std::span<const Bytes> chunks) {
    Bytes input(header.begin(), header.end());
    append_pieces(input, chunks);
    return input;
}

// ---- Files -------------------------------------------------------------------
// For decoders that take a path: the input is written to a scratch file and read back by the
// code under test, exactly as a file on disk would be. The scratch directory (a
// testing::ScratchDir) is made under scratch_parent(), in memory (/dev/shm) where there is one:
// on ext4, rewriting a file in place forces it to disk on close, which would cut the
// executions per second a hundredfold.

inline std::filesystem::path scratch_parent() {
    std::error_code error;
    return std::filesystem::is_directory("/dev/shm", error)
               ? std::filesystem::path("/dev/shm")
               : std::filesystem::temp_directory_path();
}

inline void write_whole_file(const std::filesystem::path& path, ByteView bytes) {
    std::FILE* file = std::fopen(path.c_str(), "wb");
    require(file != nullptr, "the scratch file opens");
    const bool written = std::fwrite(bytes.data(), 1, bytes.size(), file) == bytes.size();
    require(std::fclose(file) == 0 && written, "the scratch file is written");
}

// ---- Fixed keys --------------------------------------------------------------
// Public test values: the seeds are made with them, so the targets get past signature and
// MAC checks on unmutated seeds and reach the code behind them.

inline constexpr std::string_view kFixedPassphrase = "fuzz passphrase";
// Inside the validity window of the seed certificates.
inline constexpr std::int64_t kFixedNow = 1'700'000'000;

// Deterministic Ed25519 keys from a one-byte seed pattern.
inline SigningKeyPair fixed_signing_keys(std::uint8_t pattern) {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
    std::uint8_t seed[crypto_sign_SEEDBYTES];
    std::fill(std::begin(seed), std::end(seed), pattern);
    SigningKeyPair keys{Bytes(crypto_sign_PUBLICKEYBYTES), SecretBytes(crypto_sign_SECRETKEYBYTES)};
    crypto_sign_seed_keypair(keys.public_key.data(), keys.secret_key.data(), seed);
    return keys;
}

inline SigningKeyPair fixed_ca_keys() {
    return fixed_signing_keys(0xca);
}

inline SecretBytes fixed_content_key() {
    SecretBytes key(kContentKeySize);
    std::fill(key.data(), key.data() + key.size(), std::uint8_t{0x5c});
    return key;
}

}  // namespace imgshare::fuzz
