// Reissuing an expired certificate: `imgshare-ca reissue`, with or without a
// running CA.
//
// Promises: the user gets a certificate for exactly the keys of their expired
// one, under the same name, with a new serial and a new validity
// (CertificateAuthority::reissue); it is on disk (synced) before it is
// reported, and the exchange is in the CA's protocol log (admin_commands.h).
// Refused, changing nothing: a certificate still valid (BAD_REQUEST: the user
// renews it themselves), a revoked user (REVOKED: a revocation is never
// undone), an unknown one (NOT_FOUND). The broker needs no notice: it asks the
// CA again for a user whose certificate it knows to have ended
// (broker/authenticator.h), so the user is admitted as soon as the
// certificate is reissued; the user's client picks it up with `imgshare renew`.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "ca-service/admin_channel.h"
#include "ca-service/admin_commands.h"
#include "ca-service/certificate_authority.h"
#include "common/clock.h"
#include "common/error.h"

namespace imgshare::ca {

// "reissued alice: certificate #7 replaces #3, valid until 2027-01-01T00:00:00Z".
[[nodiscard]] std::string describe(const ReissuedCertificate& reissued);

// The running CA's REISSUE (admin_commands.h), with the request's validity or the CA's own.
[[nodiscard]] AdminReply reissue_for_admin(const AdminRequest& request, const RunningCa& ca);

// `imgshare-ca reissue USERNAME --data-dir D [--validity DURATION]`: in the registry itself
// when no CA runs on D (with the CA's keys from D; `validity_seconds` absent: 365 days),
// else through the running CA's admin socket (absent: the running CA's --validity);
// `log_file` is the protocol log when no CA runs. CONFIG when D holds no registry or no CA
// keys; otherwise CertificateAuthority::reissue's errors. Returns the line to print.
[[nodiscard]] Result<std::string> reissue_command(const std::filesystem::path& data_dir,
                                                  const std::string& username,
                                                  std::optional<std::int64_t> validity_seconds,
                                                  const Clock& clock,
                                                  const std::filesystem::path& log_file = {});

}  // namespace imgshare::ca
