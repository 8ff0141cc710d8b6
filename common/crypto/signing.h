// Domain-separated Ed25519 signatures.
//
// A signature is made over `context || 0x00 || message`, so a signature made
// for one purpose ("imgshare/certificate/v1") can never be replayed as one for
// another ("imgshare/register/v1"). Contexts are fixed strings chosen in code:
// non-empty and without NUL (anything else is a bug: std::invalid_argument).
// Messages are small (envelopes, certificates, proofs): they are copied once.
#pragma once

#include <string_view>

#include "common/bytes.h"
#include "common/crypto/secret_bytes.h"
#include "common/error.h"

namespace imgshare {

constexpr std::size_t kSignatureSize = 64;

// A 64-byte detached signature. `signing_secret_key` must be a 64-byte libsodium Ed25519
// secret key (else std::invalid_argument).
[[nodiscard]] Bytes sign(std::string_view context, ByteView message,
                         const SecretBytes& signing_secret_key);

// BAD_SIGNATURE unless `signature` is a valid signature by `signing_public_key` over this
// context and message. A key or signature of the wrong size is BAD_SIGNATURE too.
[[nodiscard]] Result<void> verify(std::string_view context, ByteView message, ByteView signature,
                                  ByteView signing_public_key);

}  // namespace imgshare
