// The checks SHARE makes before an e2e image's recipient list changes: only its owner may
// grow or shrink it, the new list must be signed by the key of the certificate the image
// was posted with, the owner must still hold that key under a certificate valid now (the
// same one, or a renewal of it), the new envelope must carry the next revision (so no
// older envelope, a longer list a revoke shortened, can be replayed), and nothing but the
// list and the revision may change. Pure functions of the request and the stored record,
// tested without a database.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/envelope.h"
#include "common/error.h"
#include "common/protocol/messages.h"
#include "storage-node/records.h"

namespace imgshare::storage {

struct ShareRules {
    ByteView ca_verify_key;    // the CA's Ed25519 verify key
    std::int64_t now_seconds;  // for the owner's current certificate's validity window
};

struct ValidatedShare {
    Envelope envelope;                 // the new envelope, verified
    std::vector<std::string> added;    // recipients it adds, sorted
    std::vector<std::string> removed;  // recipients it takes back, sorted; not both empty
};

// `record` must be visible to `user` (the caller answers NOT_FOUND otherwise, as
// for a missing name). In this order, the first failure wins:
//   `user` is the image's owner (FORBIDDEN);
//   the image is e2e (BAD_REQUEST: an escrow image has no recipient list);
//   the stored certificate (the one the image was posted with) verifies against
//     the CA key now, or, once it has expired, at the last second it was valid
//     (NOT_YET_VALID, BAD_SIGNATURE; INTERNAL if it does not decode);
//   the request's certificate, the owner's current one, decodes (BAD_REQUEST)
//     and verifies against the CA key now (BAD_SIGNATURE, EXPIRED,
//     NOT_YET_VALID, BAD_REQUEST): so an owner whose certificate expired
//     without a renewal cannot share;
//   it is for the stored certificate's user (FORBIDDEN) and signing key
//     (BAD_SIGNATURE: it does not vouch for what the stored key signs);
//   the new envelope is signed by the stored certificate and names it
//     (BAD_SIGNATURE), and is a consistent envelope (BAD_REQUEST, TOO_LARGE);
//   it is the stored envelope in every field but `v`, `recipients` and `revision`
//     (BAD_REQUEST), and its revision is the stored one + 1 (STALE: an older
//     envelope replayed, or a share that lost a race with another);
//   its recipients differ from the stored ones (BAD_REQUEST: nothing to do) and
//     still include the owner (decode_envelope checks it);
//   the grants are exactly one per added recipient, each sealed key
//     kSealedContentKeySize bytes (BAD_REQUEST).
[[nodiscard]] Result<ValidatedShare> validate_share(const ShareRequest& request,
                                                    const ImageRecord& record,
                                                    std::string_view user, const ShareRules& rules);

// Whether `request` repeats the SHARE that left `record` as it is (the same
// envelope and signature, after at least one share): it is answered as before
// and changes nothing.
[[nodiscard]] bool repeats_last_share(const ShareRequest& request, const ImageRecord& record);

}  // namespace imgshare::storage
