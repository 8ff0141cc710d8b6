// Fuzz target: ChunkDecryptor, which every downloaded image passes through,
// under the fixed content key the seed streams are encrypted with. The input
// is a stream header and length-prefixed chunks (fuzz_support.h).
// Properties: every failure is INTEGRITY; a chunk that decrypts yields
// exactly its size minus kChunkOverhead; after one failure every later chunk
// fails; nothing decrypts after the FINAL chunk; finish() succeeds exactly
// when FINAL was reached without a failure.
#include <cstddef>
#include <cstdint>

#include "common/crypto/chunk_stream.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace imgshare;
    static const SecretBytes key = fuzz::fixed_content_key();
    const fuzz::ChunkStreamInput stream = fuzz::split_chunk_stream(ByteView(data, size));
    auto decryptor = ChunkDecryptor::create(key, stream.header);
    if (!decryptor) {
        fuzz::require(decryptor.error().code == ErrorCode::INTEGRITY &&
                          stream.header.size() != kStreamHeaderSize,
                      "create fails (INTEGRITY) only for a short header");
        return 0;
    }
    bool failed = false;
    bool finished = false;
    Bytes reused;
    for (std::size_t i = 0; i < stream.chunks.size(); ++i) {
        const ByteView chunk = stream.chunks[i];
        Result<void> outcome;
        if (i % 2 == 0) {  // both entry points, alternately
            auto plaintext = decryptor->decrypt(chunk);
            if (plaintext) {
                reused = std::move(*plaintext);
            } else {
                outcome = std::unexpected(plaintext.error());
            }
        } else {
            outcome = decryptor->decrypt_into(chunk, reused);
        }
        if (!outcome) {
            fuzz::require(outcome.error().code == ErrorCode::INTEGRITY,
                          "decrypt fails with INTEGRITY");
            failed = true;
            continue;
        }
        fuzz::require(!failed, "nothing decrypts after a failure");
        fuzz::require(!finished, "nothing decrypts after FINAL");
        fuzz::require(reused.size() + kChunkOverhead == chunk.size(), "plaintext size");
        finished = decryptor->finished();
    }
    fuzz::require(decryptor->finish().has_value() == (finished && !failed),
                  "finish() succeeds exactly after FINAL without a failure");
    return 0;
}
