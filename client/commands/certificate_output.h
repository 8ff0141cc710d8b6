// How whoami and whois show a certificate: stable `field: value` lines, or
// one JSON object.
#pragma once

#include <optional>
#include <ostream>

#include "common/certificate.h"

namespace imgshare::client {

// `revoked` is shown when known (whois).
void print_certificate(std::ostream& out, const Certificate& certificate, bool json,
                       std::optional<bool> revoked = std::nullopt);

}  // namespace imgshare::client
