// Renewal: the proof a user sends with RENEW to get a new certificate for the
// keys their current one certifies.
//
// The proof is an Ed25519 signature by the certified sign_pk over the CA's
// verify key, the username, the serial being renewed, the three public keys
// and the time of the request. So a stolen CURVE key alone cannot renew (the
// proof needs the signing secret), a proof is worthless at another CA or for
// another user or certificate, it is spent once the certificate it names has
// been replaced (the serial changes), and it is refused once it is more than
// kRenewalWindowSeconds away from the CA's clock (a captured RENEW cannot be
// replayed later).
#pragma once

#include <cstdint>
#include <string_view>

#include "common/bytes.h"
#include "common/certificate.h"
#include "common/crypto/secret_bytes.h"
#include "common/error.h"

namespace imgshare {

constexpr std::string_view kRenewalSigningContext = "imgshare/renew/v1";
// How far requested_at may be from the CA's clock, either way (clock skew included).
constexpr std::int64_t kRenewalWindowSeconds = 300;

// The signed message: canonical msgpack array [ca_verify_key, username, serial, sign_pk,
// box_pk, curve_pk, requested_at], the middle five from `current`.
[[nodiscard]] Bytes renewal_proof_message(ByteView ca_verify_key, const Certificate& current,
                                          std::int64_t requested_at);

// A 64-byte proof by `sign_sk`, the secret half of current.sign_pk.
[[nodiscard]] Bytes make_renewal_proof(ByteView ca_verify_key, const Certificate& current,
                                       std::int64_t requested_at, const SecretBytes& sign_sk);

// BAD_REQUEST if `requested_at` is more than kRenewalWindowSeconds from `now_seconds`.
[[nodiscard]] Result<void> check_renewal_time(std::int64_t requested_at, std::int64_t now_seconds);

// check_renewal_time, then BAD_SIGNATURE unless `proof` is a proof by current.sign_pk over exactly
// these values.
[[nodiscard]] Result<void> check_renewal_proof(ByteView ca_verify_key, const Certificate& current,
                                               std::int64_t requested_at, ByteView proof,
                                               std::int64_t now_seconds);

}  // namespace imgshare
