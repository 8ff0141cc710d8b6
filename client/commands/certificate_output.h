// How whoami and whois show a certificate: stable `field: value` lines, or
// one JSON object.
#pragma once

#include <optional>
#include <ostream>

#include "client/certificate_state.h"
#include "common/certificate.h"

namespace imgshare::client {

// `state` is shown when known (whois): as `revoked: yes|no` and `state: valid|revoked|...`.
void print_certificate(std::ostream& out, const Certificate& certificate, bool json,
                       std::optional<CertificateState> state = std::nullopt);

}  // namespace imgshare::client
