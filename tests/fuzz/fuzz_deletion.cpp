// Fuzz target: decode_deletion and check_deletion, for the owner's statement a DELETE carries
// to the storage node. Checked against the fixed CA key pair standing in for an owner's
// signing key, at kFixedNow.
// Properties: decoding fails only with BAD_REQUEST; a statement that checks is the owner's
// own, byte for byte (Ed25519 is deterministic); checking fails only with BAD_REQUEST,
// BAD_SIGNATURE or STALE; a statement that checks for one envelope checks for no other.
#include <cstddef>
#include <cstdint>

#include "common/crypto/sha256.h"
#include "common/deletion.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace imgshare;
    static const SigningKeyPair owner = fuzz::fixed_ca_keys();
    static const Bytes envelope = to_bytes("the envelope of holiday.png");
    const ByteView input(data, size);
    auto deletion = decode_deletion(input);
    if (!deletion) {
        fuzz::require(deletion.error().code == ErrorCode::BAD_REQUEST,
                      "decode_deletion fails with BAD_REQUEST");
    }
    const std::string name = deletion ? deletion->name : "holiday.png";
    const std::string who = deletion ? deletion->owner : "alice";
    const auto at = deletion ? deletion->stated_at : fuzz::kFixedNow;
    auto checked = check_deletion(input, DeletionTarget{name, who, envelope, owner.public_key}, at);
    if (!checked) {
        const auto code = checked.error().code;
        fuzz::require(code == ErrorCode::BAD_REQUEST || code == ErrorCode::BAD_SIGNATURE ||
                          code == ErrorCode::STALE,
                      "check_deletion fails with BAD_REQUEST, BAD_SIGNATURE or STALE");
        return 0;
    }
    fuzz::require(make_deletion(name, who, envelope, at, owner.secret_key) ==
                      Bytes(input.begin(), input.end()),
                  "a statement that checks is the owner's own");
    const Bytes other = to_bytes("the envelope of a later post");
    fuzz::require(!check_deletion(input, DeletionTarget{name, who, other, owner.public_key}, at),
                  "a statement checks for one post only");
    return 0;
}
