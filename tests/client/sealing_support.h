// Test parties for sealing and opening images: a CA, users with certificates,
// image files, and a way to seal any plaintext stream the way a malicious
// owner could (validly encrypted and signed, but not framed as the client
// frames it).
#pragma once

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "client/image_sealer.h"
#include "common/certificate.h"
#include "common/clock.h"
#include "common/crypto/chunk_stream.h"
#include "common/crypto/keys.h"
#include "common/crypto/sealed_box.h"
#include "common/crypto/sha256.h"
#include "common/envelope.h"
#include "common/keys_file.h"
#include "common/protocol/messages.h"
#include "common/standing.h"
#include "common/transparency/log_check.h"
#include "common/transparency/log_entry.h"
#include "common/transparency/tree_head.h"

namespace imgshare::testing {

constexpr std::int64_t kNow = 1'750'000'000;

struct TestUser {
    UserKeys keys;
    Certificate certificate;
};

// The certificate log of a TestCa: every certificate it made, in order.
struct TestLog {
    SigningKeyPair keys = generate_signing_keys();
    transparency::MerkleTree tree;
    std::vector<transparency::MerkleHash> leaves;

    // The index of `encoded`'s entry, appending it first if it is not there.
    std::uint64_t index_of(ByteView encoded) {
        const auto leaf = transparency::leaf_hash(transparency::encode_certificate_entry(encoded));
        auto found = std::find(leaves.begin(), leaves.end(), leaf);
        if (found != leaves.end()) return static_cast<std::uint64_t>(found - leaves.begin());
        leaves.push_back(leaf);
        certificates.emplace_back(encoded.begin(), encoded.end());
        return tree.append_leaf_hash(leaf);
    }

    // The encoded certificate `serial` of `username` the log holds (LOG_PROOF), the latest
    // logged if the tests made several, if any.
    std::optional<Bytes> certificate_of(const std::string& username, std::uint64_t serial) const {
        for (auto encoded = certificates.rbegin(); encoded != certificates.rend(); ++encoded) {
            auto certificate = decode_certificate(*encoded);
            if (certificate && certificate->username == username && certificate->serial == serial)
                return *encoded;
        }
        return std::nullopt;
    }
    std::vector<Bytes> certificates;  // in the order they were logged

    // What an honest log answers for `encoded` to a client that saw `size_seen` entries.
    LogProof proof(ByteView encoded, std::uint64_t size_seen = 0) {
        LogProof proof;
        proof.index = index_of(encoded);
        const auto size = tree.size();
        proof.tree_head =
            transparency::make_tree_head(size, tree.root(), SystemClock().now_seconds(), keys.secret_key);
        proof.inclusion = transparency::wire_hashes(tree.inclusion_proof(proof.index, size));
        if (size_seen > 0 && size_seen < size) {
            proof.consistency = transparency::wire_hashes(tree.consistency_proof(size_seen, size));
        }
        return proof;
    }
};

struct TestCa {
    SigningKeyPair keys = generate_signing_keys();
    std::shared_ptr<TestLog> log = std::make_shared<TestLog>();

    [[nodiscard]] const Bytes& log_verify_key() const { return log->keys.public_key; }

    // `certificate` in the log, as an honest CA proves it.
    [[nodiscard]] LogProof logged(const Certificate& certificate,
                                  std::uint64_t size_seen = 0) const {
        return log->proof(encode_certificate(certificate), size_seen);
    }

    // Valid for a day either side of `now`.
    [[nodiscard]] TestUser user(const std::string& name, std::uint64_t serial = 7,
                                std::int64_t now = kNow) const {
        TestUser user{generate_user_keys(), {}};
        Certificate fields;
        fields.serial = serial;
        fields.username = name;
        fields.sign_pk = user.keys.sign.public_key;
        fields.box_pk = user.keys.box.public_key;
        fields.curve_pk = user.keys.curve.public_key;
        fields.not_before = now - 86400;
        fields.not_after = now + 86400;
        fields.issuer = "test-ca";
        user.certificate = issue_certificate(fields, keys.secret_key);
        log->index_of(encode_certificate(user.certificate));
        return user;
    }

    // What an honest CA answers to GET_CERT for `certificate` at `stated_at` (default: now).
    [[nodiscard]] GetCertReply standing_reply(const Certificate& certificate, bool revoked,
                                              std::optional<std::int64_t> stated_at = {},
                                              std::uint64_t size_seen = 0) const {
        return GetCertReply{encode_certificate(certificate),
                            make_standing(certificate.username, certificate.serial, revoked,
                                          stated_at.value_or(SystemClock().now_seconds()),
                                          keys.secret_key),
                            logged(certificate, size_seen)};
    }
};

inline Bytes random_bytes(std::size_t size, unsigned seed = 1) {
    std::mt19937 random(seed);
    Bytes bytes(size);
    for (auto& byte : bytes)
        byte = static_cast<std::uint8_t>(random());
    return bytes;
}

inline Bytes png_bytes(std::size_t size, unsigned seed = 1) {
    Bytes bytes = random_bytes(size, seed);
    const std::uint8_t magic[] = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a};
    for (std::size_t i = 0; i < std::min(size, sizeof magic); ++i)
        bytes[i] = magic[i];
    return bytes;
}

inline void write_bytes(const std::filesystem::path& path, const Bytes& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
}

inline Bytes read_bytes(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Every ciphertext chunk of `sealed`, made again from its image file (which must not have
// changed since it was sealed).
inline std::vector<Bytes> sealed_chunks(const client::SealedImage& sealed) {
    auto made = client::SealedChunks::open(sealed);
    if (!made) throw std::runtime_error("open: " + made.error().message);
    std::vector<Bytes> chunks(sealed.envelope.chunk_count);
    for (std::uint32_t i = 0; i < chunks.size(); ++i) {
        auto chunk = made->chunk(i);
        if (!chunk) throw std::runtime_error("chunk: " + chunk.error().message);
        chunks[i].assign(chunk->begin(), chunk->end());
    }
    return chunks;
}

// What a DOWNLOAD reply would carry for `reader`: the key sealed to them directly, as the CA's
// REWRAP would.
inline DownloadReply download_record(const client::SealedImage& sealed, const TestUser& owner,
                                     const TestUser& reader) {
    return DownloadReply{
        encode_certificate(owner.certificate), sealed.encoded_envelope, sealed.signature,
        seal(sealed.content_key.view(), reader.keys.box.public_key), std::string(kEscrowMode)};
}

// A stream sealed by a dishonest owner: `plaintext` as given (any framing), split into
// chunks of `chunk_size`, FINAL on chunk `final_index` (default: the last), envelope signed.
struct RawSealed {
    DownloadReply record;
    std::vector<Bytes> chunks;
};

inline RawSealed seal_raw_stream(const Bytes& plaintext, const TestUser& owner,
                                 const TestUser& reader, const std::string& name,
                                 std::uint32_t chunk_size, long final_index = -1) {
    SecretBytes key = generate_content_key();
    ChunkEncryptor encryptor(key);
    RawSealed raw;
    Sha256 digest;
    std::size_t count = (plaintext.size() + chunk_size - 1) / chunk_size;
    if (final_index < 0) final_index = static_cast<long>(count) - 1;
    for (std::size_t i = 0; i < count; ++i) {
        auto start = plaintext.begin() + static_cast<long>(i * chunk_size);
        auto end =
            plaintext.begin() + static_cast<long>(std::min(plaintext.size(), (i + 1) * chunk_size));
        Bytes piece(start, end);
        raw.chunks.push_back(encryptor.encrypt(piece, static_cast<long>(i) == final_index));
        digest.update(raw.chunks.back());
        if (encryptor.finished()) break;
    }
    Envelope envelope;
    envelope.name = name;
    envelope.owner = owner.certificate.username;
    envelope.owner_serial = owner.certificate.serial;
    envelope.mode = std::string(kEscrowMode);
    envelope.content_type = "image/png";
    envelope.padded_size = plaintext.size();
    envelope.chunk_size = chunk_size;
    envelope.chunk_count = static_cast<std::uint32_t>(count);
    envelope.stream_header = encryptor.header();
    envelope.ciphertext_sha256 = digest.finish();
    envelope.key_commitment = key_commitment(key);
    envelope.created_at = kNow;
    Bytes encoded = encode_envelope(envelope);
    raw.record =
        DownloadReply{encode_certificate(owner.certificate), encoded,
                      sign_envelope(encoded, owner.keys.sign.secret_key),
                      seal(key.view(), reader.keys.box.public_key), std::string(kEscrowMode)};
    return raw;
}

// [u64 be length][image][zeros][sha256(image)] of exactly `padded_size` bytes.
inline Bytes framed_stream(const Bytes& image, std::size_t padded_size) {
    Bytes stream(padded_size, 0);
    for (int i = 0; i < 8; ++i)
        stream[i] = static_cast<std::uint8_t>(std::uint64_t{image.size()} >> (8 * (7 - i)));
    std::copy(image.begin(), image.end(), stream.begin() + 8);
    Bytes digest = sha256(image);
    std::copy(digest.begin(), digest.end(), stream.end() - 32);
    return stream;
}

}  // namespace imgshare::testing
