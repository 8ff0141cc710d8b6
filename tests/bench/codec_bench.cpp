// Encoding and decoding a POST_CHUNK with a 1 MiB payload, and encrypting a
// 256 KiB chunk: the per-chunk work on the post path. Run twice to see what
// glibc's per-message mmap costs (DESIGN.md §7):
//   build/bin/codec_bench                          # glibc defaults
//   IMGSHARE_TUNE_ALLOCATOR=1 build/bin/codec_bench  # common/process.h tune_allocator()
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string_view>

#include "common/crypto/chunk_stream.h"
#include "common/process.h"
#include "common/protocol/codec.h"

namespace imgshare {
namespace {

void BM_EncodeDecodePostChunk(benchmark::State& state) {
    Bytes payload(static_cast<size_t>(state.range(0)), 0x5a);
    for (auto _ : state) {
        auto frames = encode(PostChunkRequest{"0123456789abcdef", 7}, 42, std::nullopt, payload);
        auto decoded = decode_request(std::span<const Bytes>(frames));
        benchmark::DoNotOptimize(decoded);
    }
    state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_EncodeDecodePostChunk)->Arg(256 << 10)->Arg(1 << 20);

void BM_EncryptChunk(benchmark::State& state) {
    auto key = generate_content_key();
    Bytes plaintext(static_cast<size_t>(state.range(0)), 0x11);
    Bytes ciphertext;
    for (auto _ : state) {
        ChunkEncryptor encryptor(key);
        encryptor.encrypt_into(plaintext, false, ciphertext);
        benchmark::DoNotOptimize(ciphertext.data());
    }
    state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_EncryptChunk)->Arg(256 << 10);

}  // namespace
}  // namespace imgshare

int main(int argc, char** argv) {
    const char* tune = std::getenv("IMGSHARE_TUNE_ALLOCATOR");
    if (tune && std::string_view(tune) == "1") imgshare::tune_allocator();
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
