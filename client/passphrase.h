// Where the keystore passphrase comes from, and how hard the keystore's KDF
// works.
//
// Promises: the passphrase is taken from $IMGSHARE_PASSPHRASE, else asked for
// on the terminal without echo (only when stdin is a terminal: a command run
// from a script never waits for input), else the command fails. It lives
// only in SecretBytes, wiped after use, and is never printed.
#pragma once

#include "common/crypto/secret_bytes.h"
#include "common/error.h"
#include "common/keys_file.h"

namespace imgshare::client {

enum class PassphrasePurpose {
    Unlock,  // open an existing keystore: asked once
    Create,  // a new keystore: asked twice on a terminal, the two must match
};

// BAD_PASSPHRASE if there is no passphrase to be had (no variable, no terminal), it is
// empty, or the two typed for a new keystore differ.
[[nodiscard]] Result<SecretBytes> obtain_passphrase(PassphrasePurpose purpose);

// KdfStrength::Interactive, unless IMGSHARE_TEST_FAST_KDF=1 selects TestOnlyMinimum. That
// variable is for automated tests only: a keystore created with it is protected by almost
// nothing but the passphrase's own strength.
[[nodiscard]] KdfStrength keystore_kdf_strength();

}  // namespace imgshare::client
