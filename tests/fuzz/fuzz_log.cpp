// Fuzz target: the certificate log's decoders and checks (docs/TRANSPARENCY.md), for what a
// broker relays with every certificate. The input is a log entry, a tree head checked
// against the fixed key the seeds are signed with, or a witness's cosignature.
// Properties: decoding fails only with BAD_REQUEST, and what decodes is exactly its canonical
// encoding; a head that verifies is the key's own signature, byte for byte; a certificate
// check fails only with BAD_REQUEST, BAD_SIGNATURE or NOT_LOGGED; a cosignature decodes only
// as its canonical encoding, and a quorum check fails only with NOT_WITNESSED.
#include <cstddef>
#include <cstdint>

#include "common/transparency/cosignature.h"
#include "common/transparency/log_check.h"
#include "common/transparency/log_entry.h"
#include "common/transparency/tree_head.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace imgshare;
    using namespace imgshare::transparency;
    static const SigningKeyPair log_keys = fuzz::fixed_ca_keys();
    const ByteView input(data, size);

    auto entry = decode_log_entry(input);
    if (entry) {
        Bytes again;
        switch (entry->kind) {
            case LogEntryKind::certificate: again = encode_certificate_entry(entry->certificate); break;
            case LogEntryKind::revocation:
                again = encode_revocation_entry(entry->username, entry->serial, entry->at);
                break;
            case LogEntryKind::release:
                again = encode_release_entry(entry->username, entry->serial, entry->at);
                break;
        }
        fuzz::require(again == Bytes(input.begin(), input.end()), "an entry is canonical");
    } else {
        fuzz::require(entry.error().code == ErrorCode::BAD_REQUEST,
                      "decode_log_entry fails with BAD_REQUEST");
    }

    auto head = verify_tree_head(input, log_keys.public_key);
    if (head) {
        // Ed25519 is deterministic: a head that verifies is the key's own.
        fuzz::require(make_tree_head(head->size, head->root, head->timestamp,
                                     log_keys.secret_key) == Bytes(input.begin(), input.end()),
                      "a head that verifies is the log's own");
    } else {
        fuzz::require(head.error().code == ErrorCode::BAD_REQUEST ||
                          head.error().code == ErrorCode::BAD_SIGNATURE,
                      "verify_tree_head fails with BAD_REQUEST or BAD_SIGNATURE");
    }

    // The input as a head, proving an empty certificate at index 0 with no path.
    auto logged = check_certificate_logged({}, 0, input, {}, log_keys.public_key);
    if (!logged) {
        const auto code = logged.error().code;
        fuzz::require(code == ErrorCode::BAD_REQUEST || code == ErrorCode::BAD_SIGNATURE ||
                          code == ErrorCode::NOT_LOGGED,
                      "check_certificate_logged fails with BAD_REQUEST, BAD_SIGNATURE or NOT_LOGGED");
    }
    auto cosignature = decode_cosignature(input);
    if (cosignature) {
        // Counted only if it verifies: here it is over the fixed key's head of nothing.
        const TreeHead nothing{0, empty_root(), 0, {}};
        WitnessPolicy policy{{cosignature->witness_key}, 1};
        auto witnessed = check_witnessed(std::vector<Bytes>{Bytes(input.begin(), input.end())},
                                         log_keys.public_key, nothing, policy);
        fuzz::require(witnessed || witnessed.error().code == ErrorCode::NOT_WITNESSED,
                      "check_witnessed fails with NOT_WITNESSED");
    } else {
        fuzz::require(cosignature.error().code == ErrorCode::BAD_REQUEST,
                      "decode_cosignature fails with BAD_REQUEST");
    }
    return 0;
}
