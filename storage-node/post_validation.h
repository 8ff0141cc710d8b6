// The checks POST_BEGIN makes before the node accepts any byte of an image:
// who may post it, that the owner signed it, and that the keys it carries fit
// the envelope's mode. Pure functions of the request, so they are tested
// without a database.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/bytes.h"
#include "common/certificate.h"
#include "common/envelope.h"
#include "common/error.h"
#include "common/protocol/messages.h"

namespace imgshare::storage {

// The size of a content key sealed to one X25519 key (crypto_box_seal).
inline constexpr std::size_t kSealedContentKeySize = 32 + 48;

// How far an envelope's created_at may be ahead of the node's clock, or before its owner's
// certificate was issued (clocks disagree; nobody signs an envelope for a certificate that did
// not exist yet). The time readers are shown is the owner's, so it must be plausible.
inline constexpr std::int64_t kCreatedAtSkewSeconds = 3600;

struct PostRules {
    CertificateVerifier& certificates;  // against the CA's Ed25519 verify key
    std::uint64_t max_image_bytes;  // bound on the envelope's padded_size
    std::int64_t now_seconds;       // for the certificate's validity window
};

struct ValidatedPost {
    Certificate certificate;
    Envelope envelope;
};

// In this order, the first failure wins:
//   the certificate decodes (BAD_REQUEST) and verifies against the CA key
//     (BAD_SIGNATURE, EXPIRED, NOT_YET_VALID, BAD_REQUEST);
//   its username is `user`, the authenticated poster (FORBIDDEN);
//   the envelope is signed by that certificate and names it (BAD_SIGNATURE),
//     and decodes to a consistent envelope (BAD_REQUEST, TOO_LARGE);
//   padded_size <= max_image_bytes (TOO_LARGE);
//   created_at at most kCreatedAtSkewSeconds after now_seconds and at most that long before
//     the certificate's not_before (BAD_REQUEST);
//   escrow: a wrapped_key of kSealedContentKeySize bytes and no grants;
//   e2e: no wrapped_key, exactly one grant per envelope recipient, each
//     sealed key kSealedContentKeySize bytes (BAD_REQUEST otherwise).
[[nodiscard]] Result<ValidatedPost> validate_post(const PostBeginRequest& request,
                                                  std::string_view user, const PostRules& rules);

}  // namespace imgshare::storage
