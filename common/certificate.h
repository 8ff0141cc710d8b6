// User certificates: the CA's signed statement "this username owns these three
// public keys between not_before and not_after".
//
// Encoding is canonical msgpack (one byte string per certificate), so what the
// CA signs is exactly what every reader re-derives from the fields.
// decode_certificate() treats its input as hostile and never throws;
// verify_certificate() (or a CertificateVerifier) is the only way to trust one.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>

#include "common/bytes.h"
#include "common/crypto/secret_bytes.h"
#include "common/error.h"

namespace imgshare {

constexpr std::uint32_t kCertificateVersion = 1;
constexpr std::string_view kCertificateSigningContext = "imgshare/certificate/v1";
constexpr std::size_t kMaxIssuerLength = 128;
// An encoded certificate is well under this; readers may use it to bound reads.
constexpr std::size_t kMaxEncodedCertificateSize = 1024;

struct Certificate {
    std::uint32_t version = kCertificateVersion;
    std::uint64_t serial = 0;
    std::string username;
    Bytes sign_pk;                // Ed25519, 32 bytes
    Bytes box_pk;                 // X25519, 32 bytes
    Bytes curve_pk;               // X25519 (CurveZMQ), 32 bytes
    std::int64_t not_before = 0;  // seconds since the Unix epoch, inclusive
    std::int64_t not_after = 0;   // seconds since the Unix epoch, exclusive
    std::string issuer;
    Bytes signature;  // the CA's Ed25519 signature over certificate_signed_bytes()

    bool operator==(const Certificate&) const = default;
};

// The bytes the CA signs: canonical msgpack array of every field but the signature, in
// declaration order.
[[nodiscard]] Bytes certificate_signed_bytes(const Certificate& certificate);

// Canonical msgpack array: the signed fields, then the signature.
[[nodiscard]] Bytes encode_certificate(const Certificate& certificate);

// BAD_REQUEST on any problem: not exactly one canonical msgpack array of the right shape,
// a field of the wrong type or size, an unknown version, trailing bytes. Does not verify
// anything beyond shape: call verify_certificate().
[[nodiscard]] Result<Certificate> decode_certificate(ByteView bytes);

// `fields` with its signature set by the CA's signing key. The caller is responsible for
// the fields being right (check_username, check_public_key).
[[nodiscard]] Certificate issue_certificate(Certificate fields,
                                            const SecretBytes& ca_signing_secret_key);

// In this order: version (BAD_REQUEST unless 1), the CA's signature (BAD_SIGNATURE), the
// validity window (NOT_YET_VALID if now < not_before, EXPIRED if now >= not_after), the
// username rule and the three public keys (BAD_REQUEST).
[[nodiscard]] Result<void> verify_certificate(const Certificate& certificate,
                                              ByteView ca_verify_key, std::int64_t now_seconds);

// verify_certificate() against one CA key, remembering the certificates that
// passed, by their exact bytes (fields and signature): one seen again skips
// what depends on those bytes alone (the Ed25519 signature, the username and
// key checks: ~200 µs on this machine kind, once per post and per escrow
// download), never the validity window. At most `capacity` are remembered.
// Not thread-safe: one per service loop.
class CertificateVerifier {
  public:
    explicit CertificateVerifier(Bytes ca_verify_key, std::size_t capacity = 4096);

    // The same result as verify_certificate(certificate, ca_verify_key(), now_seconds).
    [[nodiscard]] Result<void> verify(const Certificate& certificate, std::int64_t now_seconds);
    [[nodiscard]] ByteView ca_verify_key() const { return ca_verify_key_; }

  private:
    Bytes ca_verify_key_;
    std::size_t capacity_;
    std::unordered_set<std::string> signature_checked_;
};

}  // namespace imgshare
