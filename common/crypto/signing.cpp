#include "common/crypto/signing.h"

#include <sodium.h>

#include <stdexcept>

#include "common/crypto/sodium_init.h"

namespace imgshare {
namespace {

static_assert(crypto_sign_BYTES == kSignatureSize);

Bytes domain_separated(std::string_view context, ByteView message) {
    if (context.empty() || context.find('\0') != std::string_view::npos) {
        throw std::invalid_argument("signing context must be non-empty and contain no NUL");
    }
    Bytes buffer;
    buffer.reserve(context.size() + 1 + message.size());
    const ByteView context_bytes = as_bytes(context);
    buffer.insert(buffer.end(), context_bytes.begin(), context_bytes.end());
    buffer.push_back(0x00);
    buffer.insert(buffer.end(), message.begin(), message.end());
    return buffer;
}

}  // namespace

Bytes sign(std::string_view context, ByteView message, const SecretBytes& signing_secret_key) {
    ensure_sodium();
    if (signing_secret_key.size() != crypto_sign_SECRETKEYBYTES) {
        throw std::invalid_argument("signing secret key must be 64 bytes");
    }
    const Bytes signed_bytes = domain_separated(context, message);
    Bytes signature(crypto_sign_BYTES);
    crypto_sign_detached(signature.data(), nullptr, signed_bytes.data(), signed_bytes.size(),
                         signing_secret_key.data());
    return signature;
}

Result<void> verify(std::string_view context, ByteView message, ByteView signature,
                    ByteView signing_public_key) {
    ensure_sodium();
    const Bytes signed_bytes = domain_separated(context, message);
    if (signature.size() != crypto_sign_BYTES) {
        return fail(ErrorCode::BAD_SIGNATURE, "signature must be 64 bytes");
    }
    if (signing_public_key.size() != crypto_sign_PUBLICKEYBYTES) {
        return fail(ErrorCode::BAD_SIGNATURE, "signing public key must be 32 bytes");
    }
    if (crypto_sign_verify_detached(signature.data(), signed_bytes.data(), signed_bytes.size(),
                                    signing_public_key.data()) != 0) {
        return fail(ErrorCode::BAD_SIGNATURE, "signature does not verify");
    }
    return {};
}

}  // namespace imgshare
