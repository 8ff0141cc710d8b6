// The client's and the servers' cryptography per image and per chunk: chunk encryption and
// decryption (secretstream), SHA-256 (libsodium, no SHA-NI here), signing and verifying an
// envelope, sealing and unsealing a content key. Bytes/s or items/s; docs/BENCHMARKS.md
// keeps the figures.
//   build/bin/crypto_bench --benchmark_min_time=0.5
#include <benchmark/benchmark.h>

#include "common/certificate.h"
#include "common/crypto/chunk_stream.h"
#include "common/crypto/keys.h"
#include "common/crypto/sealed_box.h"
#include "common/crypto/sha256.h"
#include "common/envelope.h"

namespace imgshare {
namespace {

constexpr std::int64_t kChunk = 256 << 10;

void BM_EncryptChunk(benchmark::State& state) {
    auto key = generate_content_key();
    ChunkEncryptor encryptor(key);
    Bytes plaintext(static_cast<std::size_t>(state.range(0)), 0x11);
    Bytes ciphertext;
    for (auto _ : state) {
        encryptor.encrypt_into(plaintext, false, ciphertext);
        benchmark::DoNotOptimize(ciphertext.data());
    }
    state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_EncryptChunk)->Arg(kChunk);

void BM_DecryptChunk(benchmark::State& state) {
    auto key = generate_content_key();
    ChunkEncryptor encryptor(key);
    Bytes plaintext(static_cast<std::size_t>(state.range(0)), 0x22);
    // A stream of chunks, decrypted in order by a fresh decryptor when they run out.
    std::vector<Bytes> chunks;
    for (int i = 0; i < 64; ++i)
        chunks.push_back(encryptor.encrypt(plaintext, false));
    Bytes out;
    std::size_t next = chunks.size();
    std::optional<ChunkDecryptor> decryptor;
    for (auto _ : state) {
        if (next == chunks.size()) {
            state.PauseTiming();
            decryptor.emplace(ChunkDecryptor::create(key, encryptor.header()).value());
            next = 0;
            state.ResumeTiming();
        }
        auto ok = decryptor->decrypt_into(chunks[next++], out);
        benchmark::DoNotOptimize(ok);
    }
    state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_DecryptChunk)->Arg(kChunk);

void BM_Sha256(benchmark::State& state) {
    Bytes data(static_cast<std::size_t>(state.range(0)), 0x33);
    for (auto _ : state) {
        auto digest = sha256(data);
        benchmark::DoNotOptimize(digest.data());
    }
    state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Sha256)->Arg(kChunk);

// An owner with a CA-issued certificate and a realistic envelope (one 100 KiB image).
struct Signed {
    SigningKeyPair ca = generate_signing_keys();
    SigningKeyPair owner = generate_signing_keys();
    Certificate certificate;
    Bytes envelope;

    Signed() {
        Certificate fields;
        fields.serial = 1;
        fields.username = "load-000";
        fields.sign_pk = owner.public_key;
        fields.box_pk = generate_box_keys().public_key;
        fields.curve_pk = generate_curve_keys().public_key;
        fields.not_before = 1'700'000'000;
        fields.not_after = 1'900'000'000;
        fields.issuer = "bench-ca";
        certificate = issue_certificate(fields, ca.secret_key);
        Envelope e;
        e.name = "ld0011aabb-c0-0";
        e.owner = "load-000";
        e.owner_serial = 1;
        e.mode = std::string(kEscrowMode);
        e.content_type = "image/png";
        e.padded_size = 105'000;
        e.chunk_size = kDefaultChunkSize;
        e.chunk_count = 1;
        e.stream_header = Bytes(kStreamHeaderSize, 7);
        e.ciphertext_sha256 = Bytes(32, 8);
        e.key_commitment = Bytes(32, 9);
        e.created_at = 1'800'000'000;
        envelope = encode_envelope(e);
    }
};

void BM_SignEnvelope(benchmark::State& state) {
    Signed s;
    for (auto _ : state) {
        auto signature = sign_envelope(s.envelope, s.owner.secret_key);
        benchmark::DoNotOptimize(signature.data());
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SignEnvelope);

// What a reader (and a storage node at POST_BEGIN) does: the certificate against the CA,
// then the envelope's signature.
void BM_VerifyCertificateAndEnvelope(benchmark::State& state) {
    Signed s;
    Bytes signature = sign_envelope(s.envelope, s.owner.secret_key);
    for (auto _ : state) {
        auto certificate_ok = verify_certificate(s.certificate, s.ca.public_key, 1'800'000'000);
        auto envelope = verify_envelope(s.envelope, signature, s.certificate);
        benchmark::DoNotOptimize(certificate_ok);
        benchmark::DoNotOptimize(envelope);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VerifyCertificateAndEnvelope);

void BM_SealContentKey(benchmark::State& state) {
    auto key = generate_content_key();
    auto recipient = generate_box_keys();
    for (auto _ : state) {
        auto sealed = seal(key.view(), recipient.public_key);
        benchmark::DoNotOptimize(sealed.data());
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SealContentKey);

void BM_UnsealContentKey(benchmark::State& state) {
    auto key = generate_content_key();
    auto recipient = generate_box_keys();
    Bytes sealed = seal(key.view(), recipient.public_key);
    for (auto _ : state) {
        auto opened = unseal(sealed, recipient);
        benchmark::DoNotOptimize(opened);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_UnsealContentKey);

}  // namespace
}  // namespace imgshare

BENCHMARK_MAIN();
