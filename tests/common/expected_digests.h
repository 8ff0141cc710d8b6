// The digests the protocol log should show, computed independently of
// common/binary_summary.* (libsodium's SHA-256, not OpenSSL's).
#pragma once

#include <sodium.h>

#include <gtest/gtest.h>

#include <string>

#include "common/bytes.h"

namespace imgshare::testing {

// The first 16 hex characters of SHA-256(bytes).
inline std::string expected_short_sha256(ByteView bytes) {
    EXPECT_GE(sodium_init(), 0);
    Bytes digest(crypto_hash_sha256_BYTES);
    crypto_hash_sha256(digest.data(), bytes.data(), bytes.size());
    return to_hex(digest).substr(0, 16);
}

// The same over the first and last 4 KiB, as the summary of a binary over 16 KiB.
inline std::string expected_sampled_sha256(ByteView bytes) {
    EXPECT_GE(sodium_init(), 0);
    crypto_hash_sha256_state state;
    crypto_hash_sha256_init(&state);
    crypto_hash_sha256_update(&state, bytes.data(), 4096);
    crypto_hash_sha256_update(&state, bytes.data() + bytes.size() - 4096, 4096);
    Bytes digest(crypto_hash_sha256_BYTES);
    crypto_hash_sha256_final(&state, digest.data());
    return to_hex(digest).substr(0, 16);
}

}  // namespace imgshare::testing
