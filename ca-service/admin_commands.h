// The CA operator's commands (`imgshare-ca revoke`, `reissue`, `release`): one table from
// admin command to what the running CA does for it, and the one way each
// command runs: on the registry itself when no CA runs on the data directory
// (the command can take RocksDB's lock), else through the running CA's admin
// socket (admin_channel.h).
//
// Promises: every command's request and reply are recorded in the CA's
// protocol log, peer "admin", whichever way it ran (the running CA's log, or
// the one the command opens); a command not in the table gets BAD_REQUEST and
// changes nothing; a command that finds no registry in the data directory is
// CONFIG and creates nothing there.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "ca-service/admin_channel.h"
#include "ca-service/certificate_authority.h"
#include "ca-service/registry.h"
#include "common/clock.h"
#include "common/error.h"
#include "common/protocol_log.h"
#include "common/service/service_worker.h"

namespace imgshare::ca {

// What the running CA's admin handlers may use; all of it outlives the worker.
struct RunningCa {
    service::ServiceWorker& worker;
    Registry& registry;
    CertificateAuthority& authority;
    const Clock& clock;
};

// The running CA's side: answers `admin` from the table (in the worker's thread), recording
// each exchange in `log`, and after each READY repeats to the broker the notices it may
// have missed (revocation.h, release.h). Everything must outlive `ca.worker`.
void serve_admin_commands(const RunningCa& ca, AdminServer& admin, ProtocolLog& log);

// What a command does on a registry this process opened (no CA runs on the data directory):
// the line to print, or why not.
using RegistryAction = std::function<Result<std::string>(Registry& registry)>;

// Runs `request`: `offline` on the registry of `data_dir` when this process can open it,
// recording the exchange in `log_file` (empty: DATA_DIR/protocol.log), else through the
// running CA's admin socket. BAD_REQUEST for a username the rule refuses (before anything
// else); CONFIG when `data_dir` holds no registry; IO_ERROR when the
// protocol log cannot be opened; SERVICE_UNAVAILABLE when the registry is locked and no CA
// answers; otherwise the command's own result.
[[nodiscard]] Result<std::string> run_admin_command(const std::filesystem::path& data_dir,
                                                    const AdminRequest& request,
                                                    const std::filesystem::path& log_file,
                                                    const RegistryAction& offline);

// "2026-01-01T00:00:00Z": how the commands print a time.
[[nodiscard]] std::string utc(std::int64_t unix_seconds);

}  // namespace imgshare::ca
