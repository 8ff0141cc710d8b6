// The encrypted form of a user's key pairs at rest (the keystore's keys.sealed).
//
// Format: a msgpack map {format: "imgshare-keystore", version: 1,
// kdf: "argon2id13", opslimit, memlimit, salt, nonce, ciphertext}, where
// ciphertext is crypto_secretbox_easy, under a key derived from the passphrase
// with Argon2id (crypto_pwhash), of the msgpack array
// [sign_pk, sign_sk, box_pk, box_sk, curve_pk, curve_sk].
//
// Promises: without the passphrase the file reveals nothing but its KDF
// parameters; any change to it makes opening fail; opening never spends more
// than kMaxKdfOpsLimit passes over kMaxKdfMemLimit bytes, whatever the file
// asks for; every plaintext intermediate is wiped.
#pragma once

#include <sodium.h>

#include <string_view>

#include "common/bytes.h"
#include "common/crypto/keys.h"
#include "common/error.h"

namespace imgshare {

struct UserKeys {
    SigningKeyPair sign;
    BoxKeyPair box;
    CurveKeyPair curve;
};

[[nodiscard]] UserKeys generate_user_keys();

// Cost of deriving the file key from the passphrase.
enum class KdfStrength {
    Interactive,      // Argon2id t=4, m=32 MiB: the default (see keys_file.cpp)
    Moderate,         // MODERATE (256 MiB)
    TestOnlyMinimum,  // OPSLIMIT_MIN / MEMLIMIT_MIN: unit tests only, offers no protection
};

// The most a keys file may ask of us when it is opened.
constexpr unsigned long long kMaxKdfOpsLimit = crypto_pwhash_argon2id_OPSLIMIT_SENSITIVE;
constexpr std::size_t kMaxKdfMemLimit = crypto_pwhash_argon2id_MEMLIMIT_MODERATE;
// Every keys file is far smaller than this.
constexpr std::size_t kMaxKeysFileSize = 4096;

// The sealed file contents. BAD_REQUEST if the key pairs are malformed (wrong sizes, or a
// public key that is not its secret key's) or the passphrase is empty; INTERNAL if the key
// derivation cannot get its memory.
[[nodiscard]] Result<Bytes> seal_user_keys(const UserKeys& keys, std::string_view passphrase,
                                           KdfStrength strength);

// The key pairs in `file`. `what` names the file in messages ("keys file /home/a/keys.sealed").
// BAD_REQUEST if the file is malformed, truncated, of an unknown format or version, or asks
// for absurd KDF limits; BAD_PASSPHRASE if it does not open with this passphrase (which
// is also what a tampered ciphertext looks like).
[[nodiscard]] Result<UserKeys> open_user_keys(ByteView file, std::string_view passphrase,
                                              std::string_view what);

}  // namespace imgshare
