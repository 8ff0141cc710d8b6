// A user's standing, signed by the CA (issue #22, "Signed standing"): GET_CERT answers with
// the user's current certificate and this statement, made and signed by the CA for that
// answer. The broker relays GET_CERT, so an unsigned `revoked` flag was the broker's to flip;
// a signed, dated statement is not. A broker can still withhold or delay the answer, and it
// can replay a statement until it is older than the reader's bound (kStandingMaxAgeSeconds):
// a revocation reaches every reader within that bound.
//
// Encoding (canonical msgpack): [version 1, username: str, serial: uint, revoked: bool,
// stated_at: int64, signature: bin 64]; the CA's Ed25519 signature covers
// "imgshare/standing/v1" 0x00 and the same array without the signature
// ([1, username, serial, revoked, stated_at]), so it is good for nothing else.
#pragma once

#include <cstdint>
#include <string>

#include "common/bytes.h"
#include "common/certificate.h"
#include "common/crypto/secret_bytes.h"
#include "common/error.h"

namespace imgshare {

inline constexpr std::string_view kStandingSigningContext = "imgshare/standing/v1";
// A reader refuses a statement older than this (STALE): ten minutes.
inline constexpr std::int64_t kStandingMaxAgeSeconds = 600;
// ... or dated more than this after its own clock (a wrong clock somewhere).
inline constexpr std::int64_t kStandingClockSkewSeconds = 300;
// An encoded statement is never larger than this (a 64-byte name and fixed-size fields).
inline constexpr std::size_t kMaxStandingBytes = 192;

struct Standing {
    std::string username;
    std::uint64_t serial = 0;     // the serial of the user's current certificate
    bool revoked = false;
    std::int64_t stated_at = 0;   // Unix seconds on the CA's clock
    Bytes signature;              // the CA's

    bool operator==(const Standing&) const = default;
};

// The statement, signed with the CA's signing key, encoded.
[[nodiscard]] Bytes make_standing(std::string_view username, std::uint64_t serial, bool revoked,
                                  std::int64_t stated_at, const SecretBytes& ca_signing_secret_key);

// BAD_REQUEST for anything but a well-formed, canonical statement; checks no signature.
[[nodiscard]] Result<Standing> decode_standing(ByteView encoded);

// Whether `certificate` (already checked to be the CA's) is revoked, as `encoded` says. In
// this order: BAD_SIGNATURE for a missing statement, a malformed one or one the CA did not
// sign (a relay that stripped or changed it); BAD_SIGNATURE for a statement about another
// name or another certificate (serial); STALE for one stated more than
// kStandingMaxAgeSeconds before `now_seconds` or more than kStandingClockSkewSeconds after.
[[nodiscard]] Result<bool> check_standing(ByteView encoded, const Certificate& certificate,
                                          ByteView ca_verify_key, std::int64_t now_seconds);

}  // namespace imgshare
