#include "common/crypto/sha256.h"

#include <stdexcept>

#include "common/crypto/sodium.h"

namespace imgshare {

static_assert(crypto_hash_sha256_BYTES == kSha256Size);

Sha256::Sha256() {
    ensure_sodium();
    crypto_hash_sha256_init(&state_);
}

void Sha256::update(ByteView data) {
    if (finished_) throw std::logic_error("Sha256::update after finish");
    crypto_hash_sha256_update(&state_, data.data(), data.size());
}

Bytes Sha256::finish() {
    if (finished_) throw std::logic_error("Sha256::finish called twice");
    finished_ = true;
    Bytes digest(kSha256Size);
    crypto_hash_sha256_final(&state_, digest.data());
    return digest;
}

Bytes sha256(ByteView data) {
    ensure_sodium();
    Bytes digest(kSha256Size);
    crypto_hash_sha256(digest.data(), data.data(), data.size());
    return digest;
}

}  // namespace imgshare
