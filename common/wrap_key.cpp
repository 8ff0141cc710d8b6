#include "common/wrap_key.h"

#include "common/crypto/signing.h"

namespace imgshare {

Bytes sign_wrap_key(ByteView wrap_public_key, const SecretBytes& ca_signing_key) {
    return sign(kWrapKeySigningContext, wrap_public_key, ca_signing_key);
}

Result<void> verify_wrap_key(ByteView wrap_public_key, ByteView signature, ByteView ca_verify_key) {
    if (auto ok = verify(kWrapKeySigningContext, wrap_public_key, signature, ca_verify_key); !ok) {
        return fail(ErrorCode::BAD_SIGNATURE, "the wrap key is not signed by the pinned CA");
    }
    return {};
}

}  // namespace imgshare
