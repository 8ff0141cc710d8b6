// An invitation to register (issue #22, "Registration by invitation"): a one-time token the
// CA's operator makes (`imgshare-ca invite`) and hands to one person, who registers with it
// (`imgshare register NAME --invite TOKEN`) at a CA run with `--registration invite`.
//
// The token is signed by the CA's own Ed25519 key, under its own context, so only the CA's
// operator can make one and the CA needs no state to check it until it is used; the CA
// records its nonce when it registers someone with it (ca-service/registry.h), so it works
// once. A token may name the one username it registers, and always has an expiry.
//
// Text form: "imgshare-invite-" followed by the URL-safe base64 (no padding) of the canonical
// msgpack array [version 1, nonce: bin 16, name: str (empty: any name), expires_at: int64,
// signature: bin 64]; the signature covers "imgshare/invite/v1" 0x00 and the same array
// without the signature ([1, nonce, name, expires_at]).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/crypto/secret_bytes.h"
#include "common/error.h"

namespace imgshare {

inline constexpr std::string_view kInvitationSigningContext = "imgshare/invite/v1";
inline constexpr std::string_view kInvitationPrefix = "imgshare-invite-";
inline constexpr std::size_t kInvitationNonceSize = 16;

struct Invitation {
    Bytes nonce;        // kInvitationNonceSize random bytes: what makes it one-time
    std::string name;   // the only username it registers; empty: any free name
    std::int64_t expires_at = 0;  // Unix seconds; refused from then on
    Bytes signature;    // the CA's
};

// A fresh invitation (a random nonce) signed by the CA's signing key, as text.
[[nodiscard]] std::string make_invitation(std::string_view name, std::int64_t expires_at,
                                          const SecretBytes& ca_signing_secret_key);

// BAD_REQUEST for anything that is not a well-formed token (wrong prefix, not base64, not the
// canonical array, a name that breaks the username rule); checks no signature.
[[nodiscard]] Result<Invitation> decode_invitation(std::string_view token);

// In this order: the CA's signature (BAD_SIGNATURE "not an invitation from this CA"), the
// expiry (EXPIRED), the name (FORBIDDEN "this invitation is for NAME"). Whether it was used
// already is the registry's to say.
[[nodiscard]] Result<void> check_invitation(const Invitation& invitation, ByteView ca_verify_key,
                                            std::string_view username, std::int64_t now_seconds);

}  // namespace imgshare
