// The server's escrow wrap key as the CA vouches for it.
//
// Clients seal escrow content keys to the wrap key that CA_INFO returns, and
// the broker relays CA_INFO: without the CA's signature over the key, a
// compromised broker could hand out a key of its own and read every escrow
// image posted after. The CA signs its wrap public key under its own context;
// a client accepts only a key whose signature verifies with the pinned CA key.
#pragma once

#include <string_view>

#include "common/bytes.h"
#include "common/crypto/secret_bytes.h"
#include "common/error.h"

namespace imgshare {

inline constexpr std::string_view kWrapKeySigningContext = "imgshare/wrap-key/v1";

// The CA's signature over its wrap public key (64 bytes).
[[nodiscard]] Bytes sign_wrap_key(ByteView wrap_public_key, const SecretBytes& ca_signing_key);

// BAD_SIGNATURE unless `signature` is the CA's (`ca_verify_key`) over exactly this wrap key.
[[nodiscard]] Result<void> verify_wrap_key(ByteView wrap_public_key, ByteView signature,
                                           ByteView ca_verify_key);

}  // namespace imgshare
