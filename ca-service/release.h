// Releasing a revoked name: `imgshare-ca release`, with or without a running CA.
//
// Promises: only a revoked name is released (BAD_REQUEST otherwise, NOT_FOUND
// for no such user, BAD_REQUEST for a name the username rule refuses). In one
// synced write the registry moves the name's revoked certificate into its
// `retired` records and frees the name; nothing is ever un-revoked: the
// retired certificate's keys stay refused for good (LOOKUP_CURVE_KEY and
// REGISTER answer REVOKED for any of them, RENEW of its serial REVOKED), so a
// new registration of the name needs new keys, none shared with any retired
// certificate. The exchange is in the CA's protocol log (admin_commands.h). A
// running CA tells the broker at once (USER_RELEASED, with the retired CURVE
// key): it stops refusing the name and refuses that key instead, on
// connections already open too; on each READY it repeats the notice for every
// retired certificate of each released name not revoked again.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "ca-service/admin_channel.h"
#include "ca-service/admin_commands.h"
#include "ca-service/registry.h"
#include "common/bytes.h"
#include "common/clock.h"
#include "common/error.h"
#include "common/service/service_worker.h"

namespace imgshare::ca {

struct ReleasedName {
    std::string username;
    std::uint64_t retired_serial = 0;  // the revoked certificate now in `retired`
    Bytes retired_curve_key;           // its CURVE key, which the broker must go on refusing
};

// BAD_REQUEST for a name that breaks the username rule or is not revoked, NOT_FOUND for no
// such user, IO_ERROR when the registry cannot be written.
[[nodiscard]] Result<ReleasedName> release_name(Registry& registry, std::string_view username,
                                                std::int64_t now_seconds);

// "released alice: certificate #3 retired, its keys stay revoked; the name is free".
[[nodiscard]] std::string describe(const ReleasedName& released);

// The running CA's RELEASE (admin_commands.h): releases, then sends the broker USER_RELEASED.
[[nodiscard]] AdminReply release_for_admin(const AdminRequest& request, const RunningCa& ca);

// USER_RELEASED for every retired certificate of each released name that is not revoked now,
// as the running CA sends after each READY.
void announce_releases(service::ServiceWorker& worker, const Registry& registry);

// `imgshare-ca release USERNAME --data-dir D`: in the registry itself when no CA runs on D,
// else through the running CA's admin socket; `log_file` is the protocol log when no CA
// runs. CONFIG when D holds no registry; otherwise release_name's errors.
// Returns the line to print.
[[nodiscard]] Result<std::string> release_command(const std::filesystem::path& data_dir,
                                                  const std::string& username, const Clock& clock,
                                                  const std::filesystem::path& log_file = {});

}  // namespace imgshare::ca
