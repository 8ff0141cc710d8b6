#include "ca-service/revocation.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/protocol/messages.h"
#include "common/registration.h"

namespace imgshare::ca {

namespace fs = std::filesystem;

AdminReply revoke_for_admin(const AdminRequest& request, const RunningCa& ca) {
    auto revocation = revoke_user(ca.registry, request.username, ca.clock.now_seconds());
    if (!revocation) return AdminReply{revocation.error().code, revocation.error().message};
    // Even when it was revoked before: the broker may have missed the first notice.
    ca.worker.notify(UserRevokedMessage{revocation->username});
    spdlog::info("{}; the broker was told", describe(*revocation));
    return AdminReply{std::nullopt, describe(*revocation)};
}

void announce_revocations(service::ServiceWorker& worker, const Registry& registry) {
    auto revoked = registry.revoked_users();
    if (!revoked) {
        spdlog::error("cannot list the revoked users for the broker: {}",
                      describe(revoked.error()));
        return;
    }
    for (const auto& username : *revoked)
        worker.notify(UserRevokedMessage{username});
}

Result<Revocation> revoke_user(Registry& registry, std::string_view username,
                               std::int64_t now_seconds) {
    if (auto valid = check_username(username); !valid) return std::unexpected(valid.error());
    auto before = registry.revoked_at(username);
    if (!before) return std::unexpected(before.error());
    if (auto revoked = registry.revoke(username, now_seconds); !revoked) {
        return std::unexpected(revoked.error());
    }
    auto when = registry.revoked_at(username);
    if (!when) return std::unexpected(when.error());
    if (!*when) return fail(ErrorCode::INTERNAL, "the revocation was not recorded");
    return Revocation{std::string(username), **when, before->has_value()};
}

std::string describe(const Revocation& revocation) {
    if (revocation.already) {
        return fmt::format("{} was already revoked at {}", revocation.username,
                           utc(revocation.revoked_at));
    }
    return fmt::format("revoked {} at {}", revocation.username, utc(revocation.revoked_at));
}

Result<std::string> revoke_command(const fs::path& data_dir, const std::string& username,
                                   const Clock& clock, const fs::path& log_file) {
    return run_admin_command(
        data_dir, AdminRequest{std::string(kAdminRevoke), username}, log_file,
        [&](Registry& registry) -> Result<std::string> {
            // No CA holds the lock: nobody else can be told now. The CA tells the broker
            // when it next starts.
            auto revocation = revoke_user(registry, username, clock.now_seconds());
            if (!revocation) return std::unexpected(revocation.error());
            return describe(*revocation) + " (no CA is running; the broker is told when it starts)";
        });
}

}  // namespace imgshare::ca
