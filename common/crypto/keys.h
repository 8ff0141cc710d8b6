// A user's key pairs, public-key checks and the Z85 text form of public keys.
//
// Key pairs are generated here from libsodium's CSPRNG; secret halves live in
// SecretBytes only. check_public_key() is the gate for every public key that
// arrives from outside (registration, certificates, trust files): it refuses
// keys that would make a signature or a key exchange meaningless.
#pragma once

#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/crypto/secret_bytes.h"
#include "common/error.h"

namespace imgshare {

constexpr std::size_t kPublicKeySize = 32;
constexpr std::size_t kSigningSecretKeySize = 64;  // libsodium's Ed25519 seed || public key
constexpr std::size_t kBoxSecretKeySize = 32;
constexpr std::size_t kZ85KeyLength = 40;

// Ed25519: signs envelopes, registration proofs, certificates (the CA's).
struct SigningKeyPair {
    Bytes public_key;        // 32 bytes
    SecretBytes secret_key;  // 64 bytes
};
[[nodiscard]] SigningKeyPair generate_signing_keys();

// X25519: receives sealed content keys.
struct BoxKeyPair {
    Bytes public_key;        // 32 bytes
    SecretBytes secret_key;  // 32 bytes
};
[[nodiscard]] BoxKeyPair generate_box_keys();

// X25519 for CurveZMQ. Give sockets the raw 32 bytes (ZMQ_CURVE_SECRETKEY takes them);
// the secret key never needs a text form.
struct CurveKeyPair {
    Bytes public_key;        // 32 bytes
    SecretBytes secret_key;  // 32 bytes
};
[[nodiscard]] CurveKeyPair generate_curve_keys();

// The public key derived from a secret key; each returns BAD_REQUEST if the secret key
// has the wrong size. Used to check that stored key pairs belong together.
[[nodiscard]] Result<Bytes> signing_public_key_of(const SecretBytes& signing_secret_key);
[[nodiscard]] Result<Bytes> box_public_key_of(const SecretBytes& box_secret_key);

// Z85 text of a 32-byte public key: 40 characters. A key of another size is a bug
// (std::invalid_argument).
[[nodiscard]] std::string z85_encode(ByteView key32);
// BAD_REQUEST unless `text` is exactly 40 valid Z85 characters; then the 32 bytes.
[[nodiscard]] Result<Bytes> z85_decode(std::string_view text);

enum class KeyKind { Signing, Box };

// BAD_REQUEST if `key` is not 32 bytes, is all zero, or is a point that makes the key
// worthless: for Signing, not a valid Ed25519 point in the main subgroup (or of small
// order); for Box, a low-order X25519 point (any shared secret with it is all zero).
// CURVE transport keys are X25519 keys: check them as KeyKind::Box.
[[nodiscard]] Result<void> check_public_key(ByteView key, KeyKind kind);

}  // namespace imgshare
