#include "common/crypto/keys.h"

#include <sodium.h>
#include <zmq.h>

#include <array>
#include <stdexcept>

#include "common/crypto/sodium_init.h"

namespace imgshare {
namespace {

static_assert(crypto_sign_PUBLICKEYBYTES == kPublicKeySize);
static_assert(crypto_sign_SECRETKEYBYTES == kSigningSecretKeySize);
static_assert(crypto_box_PUBLICKEYBYTES == kPublicKeySize);
static_assert(crypto_box_SECRETKEYBYTES == kBoxSecretKeySize);
static_assert(crypto_scalarmult_BYTES == kPublicKeySize);

// Both X25519 pair kinds come from the same construction.
std::pair<Bytes, SecretBytes> generate_x25519_pair() {
    ensure_sodium();
    Bytes public_key(crypto_box_PUBLICKEYBYTES);
    SecretBytes secret_key(crypto_box_SECRETKEYBYTES);
    crypto_box_keypair(public_key.data(), secret_key.data());
    return {std::move(public_key), std::move(secret_key)};
}

Result<void> check_box_point(ByteView key) {
    // X25519 clamps the scalar to a multiple of 8, so the product is all zero exactly when
    // the point lies in the small (order 1, 2, 4 or 8) subgroup; libsodium reports that as -1.
    // Any fixed scalar will do: the key is public and so is the test.
    std::array<std::uint8_t, crypto_scalarmult_SCALARBYTES> scalar{};
    scalar.fill(0x5a);
    std::array<std::uint8_t, crypto_scalarmult_BYTES> product{};
    if (crypto_scalarmult(product.data(), scalar.data(), key.data()) != 0 ||
        sodium_is_zero(product.data(), product.size()) == 1) {
        return fail(ErrorCode::BAD_REQUEST, "public key is a low-order X25519 point");
    }
    return {};
}

}  // namespace

SigningKeyPair generate_signing_keys() {
    ensure_sodium();
    SigningKeyPair pair{Bytes(crypto_sign_PUBLICKEYBYTES), SecretBytes(crypto_sign_SECRETKEYBYTES)};
    crypto_sign_keypair(pair.public_key.data(), pair.secret_key.data());
    return pair;
}

BoxKeyPair generate_box_keys() {
    auto [public_key, secret_key] = generate_x25519_pair();
    return {std::move(public_key), std::move(secret_key)};
}

CurveKeyPair generate_curve_keys() {
    auto [public_key, secret_key] = generate_x25519_pair();
    return {std::move(public_key), std::move(secret_key)};
}

Result<Bytes> signing_public_key_of(const SecretBytes& signing_secret_key) {
    ensure_sodium();
    if (signing_secret_key.size() != crypto_sign_SECRETKEYBYTES) {
        return fail(ErrorCode::BAD_REQUEST, "signing secret key must be 64 bytes");
    }
    // libsodium keeps the public key in the second half; recompute it from the seed instead
    // so a secret key whose halves disagree is noticed.
    Bytes public_key(crypto_sign_PUBLICKEYBYTES);
    SecretBytes derived_secret(crypto_sign_SECRETKEYBYTES);
    crypto_sign_seed_keypair(public_key.data(), derived_secret.data(), signing_secret_key.data());
    if (!derived_secret.equals(signing_secret_key)) {
        return fail(ErrorCode::BAD_REQUEST, "signing secret key is inconsistent with its seed");
    }
    return public_key;
}

Result<Bytes> box_public_key_of(const SecretBytes& box_secret_key) {
    ensure_sodium();
    if (box_secret_key.size() != crypto_box_SECRETKEYBYTES) {
        return fail(ErrorCode::BAD_REQUEST, "box secret key must be 32 bytes");
    }
    Bytes public_key(crypto_box_PUBLICKEYBYTES);
    crypto_scalarmult_base(public_key.data(), box_secret_key.data());
    return public_key;
}

std::string z85_encode(ByteView key32) {
    if (key32.size() != kPublicKeySize) {
        throw std::invalid_argument("z85_encode takes a 32-byte public key");
    }
    std::string text(kZ85KeyLength + 1, '\0');
    if (zmq_z85_encode(text.data(), key32.data(), key32.size()) == nullptr) {
        throw std::logic_error("zmq_z85_encode refused a 32-byte key");
    }
    text.pop_back();
    return text;
}

Result<Bytes> z85_decode(std::string_view text) {
    if (text.size() != kZ85KeyLength) {
        return fail(ErrorCode::BAD_REQUEST, "a Z85 key must be exactly 40 characters");
    }
    // zmq_z85_decode reads a C string, so an embedded NUL would silently shorten the input.
    if (text.find('\0') != std::string_view::npos) {
        return fail(ErrorCode::BAD_REQUEST, "a Z85 key must not contain NUL");
    }
    const std::string terminated(text);
    Bytes key(kPublicKeySize);
    if (zmq_z85_decode(key.data(), terminated.c_str()) == nullptr) {
        return fail(ErrorCode::BAD_REQUEST, "not a valid Z85 key");
    }
    return key;
}

Result<void> check_public_key(ByteView key, KeyKind kind) {
    ensure_sodium();
    if (key.size() != kPublicKeySize) {
        return fail(ErrorCode::BAD_REQUEST, "public key must be 32 bytes");
    }
    if (sodium_is_zero(key.data(), key.size()) == 1) {
        return fail(ErrorCode::BAD_REQUEST, "public key is all zero");
    }
    switch (kind) {
        case KeyKind::Signing:
            if (crypto_core_ed25519_is_valid_point(key.data()) != 1) {
                return fail(ErrorCode::BAD_REQUEST,
                            "public key is not a valid Ed25519 point of prime order");
            }
            return {};
        case KeyKind::Box:
            return check_box_point(key);
    }
    return fail(ErrorCode::BAD_REQUEST, "unknown key kind");
}

}  // namespace imgshare
