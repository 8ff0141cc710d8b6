// Registration: the username rule and the proof of possession a user sends
// with REGISTER.
//
// The proof is an Ed25519 signature by the user's signing key over the
// username and all three public keys, so the CA only certifies keys whose
// owner holds the signing secret, and a proof made for one name or key set is
// worthless for any other.
#pragma once

#include <string_view>

#include "common/bytes.h"
#include "common/crypto/secret_bytes.h"
#include "common/error.h"

namespace imgshare {

constexpr std::size_t kMaxUsernameLength = 32;
constexpr std::string_view kRegistrationSigningContext = "imgshare/register/v1";

// BAD_REQUEST unless `username` is 1..32 characters of [a-z0-9_.-] and not "." or "..".
// The message states the rule.
[[nodiscard]] Result<void> check_username(std::string_view username);

// The signed message: canonical msgpack array [username, sign_pk, box_pk, curve_pk].
[[nodiscard]] Bytes registration_proof_message(std::string_view username, ByteView sign_pk,
                                               ByteView box_pk, ByteView curve_pk);

// A 64-byte proof by `sign_sk`, the secret half of `sign_pk`.
[[nodiscard]] Bytes make_registration_proof(std::string_view username, ByteView sign_pk,
                                            ByteView box_pk, ByteView curve_pk,
                                            const SecretBytes& sign_sk);

// BAD_SIGNATURE unless `proof` is a valid proof by `sign_pk` over exactly these values.
// Checks nothing else: see check_registration.
[[nodiscard]] Result<void> check_registration_proof(std::string_view username, ByteView sign_pk,
                                                    ByteView box_pk, ByteView curve_pk,
                                                    ByteView proof);

// Everything the CA checks about a REGISTER's contents, in this order: the username rule
// and the three public keys (BAD_REQUEST, naming the field), then the proof
// (BAD_SIGNATURE). Whether the name is free and the curve key matches the connection are
// the CA's business.
[[nodiscard]] Result<void> check_registration(std::string_view username, ByteView sign_pk,
                                              ByteView box_pk, ByteView curve_pk, ByteView proof);

}  // namespace imgshare
