// SHA-256 (crypto_hash_sha256), one-shot and streaming.
//
// Streaming gives the same digest as one-shot over the concatenated input.
// A Sha256 is finished once: using it after finish() is a bug (std::logic_error).
#pragma once

#include <sodium.h>

#include "common/bytes.h"

namespace imgshare {

constexpr std::size_t kSha256Size = 32;

class Sha256 {
  public:
    Sha256();
    void update(ByteView data);
    // The 32-byte digest of everything passed to update().
    [[nodiscard]] Bytes finish();

  private:
    crypto_hash_sha256_state state_{};
    bool finished_ = false;
};

[[nodiscard]] Bytes sha256(ByteView data);

}  // namespace imgshare
