// Fuzz target: decode_envelope (what storage nodes store and readers check),
// then, for envelopes that decode, verify_envelope under a signature by the
// fixed owner key of the seeds and the chunk size arithmetic.
// Properties: failures are BAD_REQUEST or TOO_LARGE only; a decoded envelope
// is exactly its canonical encoding; a correct signature by the certified
// owner verifies exactly when the envelope names that owner and serial; the
// chunks' plaintext sizes add up to padded_size and none is empty.
#include <cstddef>
#include <cstdint>

#include "common/envelope.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using namespace imgshare;

// The seeds' owner: alice, serial 1, keys from fixed_signing_keys(0xa1).
struct Owner {
    SigningKeyPair keys = fuzz::fixed_signing_keys(0xa1);
    Certificate certificate;
    Owner() {
        certificate.serial = 1;
        certificate.username = "alice";
        certificate.sign_pk = keys.public_key;
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const Owner owner;
    const ByteView input(data, size);
    auto envelope = decode_envelope(input);
    if (!envelope) {
        fuzz::require(envelope.error().code == ErrorCode::BAD_REQUEST ||
                          envelope.error().code == ErrorCode::TOO_LARGE,
                      "decode_envelope fails with BAD_REQUEST or TOO_LARGE");
        return 0;
    }
    fuzz::require(encode_envelope(*envelope) == Bytes(input.begin(), input.end()),
                  "a decoded envelope is its canonical encoding");

    const bool names_owner = envelope->owner == owner.certificate.username &&
                             envelope->owner_serial == owner.certificate.serial;
    auto verified =
        verify_envelope(input, sign_envelope(input, owner.keys.secret_key), owner.certificate);
    fuzz::require(verified.has_value() == names_owner,
                  "a signed envelope verifies exactly when it names the certificate");

    const std::uint32_t last = envelope->chunk_count - 1;  // chunk_count >= 1 once decoded
    const std::uint64_t last_size = chunk_plaintext_size(*envelope, last);
    fuzz::require(last_size > 0 && last_size <= envelope->chunk_size,
                  "the last chunk is not empty");
    fuzz::require(std::uint64_t{last} * envelope->chunk_size + last_size == envelope->padded_size,
                  "the chunks add up to padded_size");
    fuzz::require(chunk_plaintext_size(*envelope, 0) ==
                      std::min<std::uint64_t>(envelope->chunk_size, envelope->padded_size),
                  "the first chunk is full unless it is the only one");
    fuzz::require(chunk_ciphertext_size(*envelope, last) == last_size + kChunkOverhead,
                  "ciphertext chunks carry the overhead");
    return 0;
}
