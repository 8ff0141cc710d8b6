// Revoking a user: `imgshare-ca revoke`, with or without a running CA.
//
// Promises: a revocation is on disk before it is reported, and is never
// undone; revoking again changes nothing and says so. In a running CA the
// broker is told at once (USER_REVOKED), so it refuses the user's next
// request on connections already open, and ZAP refuses new ones (the CA's
// LOOKUP_CURVE_KEY answers revoked). The CA repeats the notice for every
// revoked user each time it announces itself to the broker (READY), so a
// broker that restarted or missed a notice, and a revocation made while no CA
// ran, reach the broker too.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "ca-service/admin_channel.h"
#include "ca-service/admin_commands.h"
#include "ca-service/registry.h"
#include "common/clock.h"
#include "common/error.h"
#include "common/service/service_worker.h"

namespace imgshare::ca {

struct Revocation {
    std::string username;
    std::int64_t revoked_at = 0;  // Unix seconds: the first revocation's
    bool already = false;         // it was revoked before this call
};

// BAD_REQUEST for a name that breaks the username rule, NOT_FOUND for no such user,
// IO_ERROR when the registry cannot be written.
[[nodiscard]] Result<Revocation> revoke_user(Registry& registry, std::string_view username,
                                             std::int64_t now_seconds);

// "revoked alice at 2024-06-10T08:00:00Z", or "alice was already revoked at ...".
[[nodiscard]] std::string describe(const Revocation& revocation);

// The running CA's REVOKE (admin_commands.h): revokes and sends the broker USER_REVOKED,
// also when the user was revoked before (the broker may have missed the first notice).
[[nodiscard]] AdminReply revoke_for_admin(const AdminRequest& request, const RunningCa& ca);

// USER_REVOKED for every revoked user, as the running CA sends after each READY.
void announce_revocations(service::ServiceWorker& worker, const Registry& registry);

// `imgshare-ca revoke USERNAME --data-dir D`: revokes in the registry itself when no CA
// runs on D (it can take the registry's lock), else through the running CA's admin
// socket (admin_commands.h; `log_file` is the protocol log when no CA runs). CONFIG when D
// holds no registry; otherwise revoke_user's errors. Returns the line to print.
[[nodiscard]] Result<std::string> revoke_command(const std::filesystem::path& data_dir,
                                                 const std::string& username, const Clock& clock,
                                                 const std::filesystem::path& log_file = {});

}  // namespace imgshare::ca
