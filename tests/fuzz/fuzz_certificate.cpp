// Fuzz target: decode_certificate and verify_certificate, for certificates
// from the CA, from storage nodes (with every download) and from disk.
// Verified against the fixed CA key the seeds are signed with, at kFixedNow.
// Properties: decoding fails only with BAD_REQUEST; a decoded certificate is
// exactly its canonical encoding; one that verifies now no longer verifies
// at its not_after (EXPIRED).
#include <cstddef>
#include <cstdint>

#include "common/certificate.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace imgshare;
    static const SigningKeyPair ca = fuzz::fixed_ca_keys();
    const ByteView input(data, size);
    auto certificate = decode_certificate(input);
    if (!certificate) {
        fuzz::require(certificate.error().code == ErrorCode::BAD_REQUEST,
                      "decode_certificate fails with BAD_REQUEST");
        return 0;
    }
    fuzz::require(encode_certificate(*certificate) == Bytes(input.begin(), input.end()),
                  "a decoded certificate is its canonical encoding");
    if (verify_certificate(*certificate, ca.public_key, fuzz::kFixedNow)) {
        auto at_expiry = verify_certificate(*certificate, ca.public_key, certificate->not_after);
        fuzz::require(!at_expiry && at_expiry.error().code == ErrorCode::EXPIRED,
                      "a certificate is EXPIRED at its not_after");
    }
    return 0;
}
