// Fuzz target: decode_standing and check_standing, for the standing a broker relays in every
// GET_CERT answer. Checked against the fixed CA key the seeds are signed with, at kFixedNow.
// Properties: decoding fails only with BAD_REQUEST; a decoded statement is exactly its
// canonical encoding; one that checks is what the CA makes for its fields; checking fails
// only with BAD_SIGNATURE or STALE, and a statement that checks for one serial checks for no
// other.
#include <cstddef>
#include <cstdint>

#include "common/standing.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace imgshare;
    static const SigningKeyPair ca = fuzz::fixed_ca_keys();
    const ByteView input(data, size);
    auto standing = decode_standing(input);
    Certificate certificate;
    certificate.username = "alice";
    certificate.serial = 1;
    if (standing) {
        certificate.username = standing->username;
        certificate.serial = standing->serial;
        // Ed25519 is deterministic: a statement that checks is the CA's own, byte for byte.
        const bool checks =
            check_standing(input, certificate, ca.public_key, standing->stated_at).has_value();
        fuzz::require(!checks || make_standing(standing->username, standing->serial,
                                               standing->revoked, standing->stated_at,
                                               ca.secret_key) == Bytes(input.begin(), input.end()),
                      "a statement that checks is the CA's own");
    } else {
        fuzz::require(standing.error().code == ErrorCode::BAD_REQUEST,
                      "decode_standing fails with BAD_REQUEST");
    }
    auto checked = check_standing(input, certificate, ca.public_key, fuzz::kFixedNow);
    if (!checked) {
        fuzz::require(checked.error().code == ErrorCode::BAD_SIGNATURE ||
                          checked.error().code == ErrorCode::STALE,
                      "check_standing fails with BAD_SIGNATURE or STALE");
    } else {
        Certificate other = certificate;
        ++other.serial;
        fuzz::require(!check_standing(input, other, ca.public_key, fuzz::kFixedNow),
                      "a statement checks for one serial only");
    }
    return 0;
}
