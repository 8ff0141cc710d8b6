// Where a certificate stands, as whois shows it and download judges an image's
// owner: the CA's statement checked apart from time, then its state at a given
// moment.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/bytes.h"
#include "common/certificate.h"
#include "common/error.h"

namespace imgshare::client {

// In precedence order: a revoked certificate is revoked whatever its dates.
enum class CertificateState { Revoked, Expired, NotYetValid, Valid };

// "revoked", "expired", "not_yet_valid", "valid".
[[nodiscard]] std::string_view to_string(CertificateState state);

[[nodiscard]] CertificateState state_of(const Certificate& certificate, bool revoked,
                                        std::int64_t now_seconds);

// Everything verify_certificate checks but the validity window (the CA's signature, the
// version, the name and keys): so an expired certificate can still be shown and compared.
[[nodiscard]] Result<void> verify_certificate_ignoring_time(const Certificate& certificate,
                                                            ByteView ca_verify_key);

}  // namespace imgshare::client
