#include "common/crypto/sealed_box.h"

#include <sodium.h>

#include <stdexcept>

#include "common/crypto/sodium_init.h"

namespace imgshare {

static_assert(crypto_box_SEALBYTES == kSealOverhead);

Bytes seal(ByteView plaintext, ByteView recipient_box_public_key) {
    ensure_sodium();
    if (recipient_box_public_key.size() != crypto_box_PUBLICKEYBYTES) {
        throw std::invalid_argument("recipient box public key must be 32 bytes");
    }
    Bytes sealed(plaintext.size() + crypto_box_SEALBYTES);
    if (crypto_box_seal(sealed.data(), plaintext.data(), plaintext.size(),
                        recipient_box_public_key.data()) != 0) {
        throw std::invalid_argument("recipient box public key is a low-order point");
    }
    return sealed;
}

Result<SecretBytes> unseal(ByteView sealed, const BoxKeyPair& recipient) {
    ensure_sodium();
    if (recipient.public_key.size() != crypto_box_PUBLICKEYBYTES ||
        recipient.secret_key.size() != crypto_box_SECRETKEYBYTES) {
        return fail(ErrorCode::INTEGRITY, "recipient box key pair has the wrong size");
    }
    if (sealed.size() < crypto_box_SEALBYTES) {
        return fail(ErrorCode::INTEGRITY, "sealed key is too short");
    }
    SecretBytes plaintext(sealed.size() - crypto_box_SEALBYTES);
    if (crypto_box_seal_open(plaintext.data(), sealed.data(), sealed.size(),
                             recipient.public_key.data(), recipient.secret_key.data()) != 0) {
        return fail(ErrorCode::INTEGRITY, "sealed key does not open with this key");
    }
    return plaintext;
}

}  // namespace imgshare
