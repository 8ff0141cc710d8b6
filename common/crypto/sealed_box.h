// Sealed boxes: anonymous public-key encryption of small secrets (content keys)
// to a recipient's X25519 box key.
//
// A sealed box hides the plaintext from everyone but the recipient and detects
// tampering, but does NOT say who sealed it: whatever is sealed must be vouched
// for elsewhere (the owner's signed envelope covers every wrapped key).
#pragma once

#include "common/bytes.h"
#include "common/crypto/keys.h"
#include "common/crypto/secret_bytes.h"
#include "common/error.h"

namespace imgshare {

// Sealed bytes are the plaintext plus this much.
constexpr std::size_t kSealOverhead = 48;

// `recipient_box_public_key` must have passed check_public_key(KeyKind::Box) (certificates
// are checked on verification); a key of the wrong size or of low order is a bug
// (std::invalid_argument).
[[nodiscard]] Bytes seal(ByteView plaintext, ByteView recipient_box_public_key);

// INTEGRITY if `sealed` does not open with this key pair: sealed to another key, tampered
// with, or too short.
[[nodiscard]] Result<SecretBytes> unseal(ByteView sealed, const BoxKeyPair& recipient);

}  // namespace imgshare
