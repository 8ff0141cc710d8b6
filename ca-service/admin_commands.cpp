#include "ca-service/admin_commands.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <ctime>
#include <map>
#include <system_error>

#include "ca-service/reissue.h"
#include "ca-service/release.h"
#include "ca-service/revocation.h"
#include "common/registration.h"

namespace imgshare::ca {
namespace {

namespace fs = std::filesystem;

constexpr std::chrono::milliseconds kAdminTimeout{10'000};

using AdminHandler = AdminReply (*)(const AdminRequest& request, const RunningCa& ca);

// The one table from admin command to what the running CA does.
const std::map<std::string, AdminHandler, std::less<>>& admin_handlers() {
    static const std::map<std::string, AdminHandler, std::less<>> handlers{
        {std::string(kAdminRevoke), &revoke_for_admin},
        {std::string(kAdminReissue), &reissue_for_admin},
        {std::string(kAdminRelease), &release_for_admin},
    };
    return handlers;
}

AdminReply dispatch(const AdminRequest& request, const RunningCa& ca) {
    auto handler = admin_handlers().find(request.command);
    if (handler == admin_handlers().end()) {
        return AdminReply{ErrorCode::BAD_REQUEST, "unknown admin command"};
    }
    return handler->second(request, ca);
}

AdminReply reply_of(const Result<std::string>& done) {
    if (!done) return AdminReply{done.error().code, done.error().message};
    return AdminReply{std::nullopt, *done};
}

}  // namespace

void serve_admin_commands(const RunningCa& ca, AdminServer& admin, ProtocolLog& log) {
    ca.worker.watch(admin.socket(), [ca, &admin, &log] {
        admin.serve_pending([&](const AdminRequest& request) { return dispatch(request, ca); },
                            log);
    });
    ca.worker.on_ready([ca] {
        announce_revocations(ca.worker, ca.registry);
        announce_releases(ca.worker, ca.registry);
    });
}

Result<std::string> run_admin_command(const fs::path& data_dir, const AdminRequest& request,
                                      const fs::path& log_file, const RegistryAction& offline) {
    if (auto valid = check_username(request.username); !valid) {
        return std::unexpected(valid.error());
    }
    std::error_code error;
    if (!fs::is_directory(registry_path(data_dir), error)) {
        return fail(ErrorCode::CONFIG, "no CA registry in " + data_dir.string());
    }
    auto registry = Registry::open(registry_path(data_dir));
    if (registry) {
        const fs::path log_path = log_file.empty() ? data_dir / "protocol.log" : log_file;
        std::optional<ProtocolLog> log;
        try {
            log.emplace("imgshare-ca", log_path);
        } catch (const std::exception& failure) {
            return fail(ErrorCode::IO_ERROR, "cannot open the protocol log " + log_path.string() +
                                                 ": " + failure.what());
        }
        auto done = offline(*registry);
        record_admin_exchange(*log, request, reply_of(done));
        return done;
    }
    auto reply = ask_running_ca(data_dir, request, kAdminTimeout);
    if (!reply) {
        return fail(reply.error().code, "cannot open the registry (" + registry.error().message +
                                            ") and " + reply.error().message);
    }
    if (reply->error) return fail(*reply->error, reply->message);
    return reply->message;
}

std::string utc(std::int64_t unix_seconds) {
    return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}",
                       fmt::gmtime(static_cast<std::time_t>(unix_seconds)));
}

}  // namespace imgshare::ca
