#include "ca-service/revocation.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <ctime>
#include <system_error>

#include "common/protocol/messages.h"
#include "common/registration.h"

namespace imgshare::ca {
namespace {

namespace fs = std::filesystem;

constexpr std::chrono::milliseconds kAdminTimeout{10'000};

std::string utc(std::int64_t seconds) {
    return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(static_cast<std::time_t>(seconds)));
}

AdminReply revoke_for_admin(const AdminRequest& request, service::ServiceWorker& worker,
                            Registry& registry, const Clock& clock) {
    if (request.command != kAdminRevoke) {
        return AdminReply{ErrorCode::BAD_REQUEST, "unknown admin command"};
    }
    auto revocation = revoke_user(registry, request.username, clock.now_seconds());
    if (!revocation) return AdminReply{revocation.error().code, revocation.error().message};
    // Even when it was revoked before: the broker may have missed the first notice.
    worker.notify(UserRevokedMessage{revocation->username});
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

}  // namespace

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

void serve_revocations(service::ServiceWorker& worker, AdminServer& admin, Registry& registry,
                       const Clock& clock) {
    worker.watch(admin.socket(), [&worker, &admin, &registry, &clock] {
        admin.serve_pending([&](const AdminRequest& request) {
            return revoke_for_admin(request, worker, registry, clock);
        });
    });
    worker.on_ready([&worker, &registry] { announce_revocations(worker, registry); });
}

Result<std::string> revoke_command(const fs::path& data_dir, const std::string& username,
                                   const Clock& clock) {
    if (auto valid = check_username(username); !valid) return std::unexpected(valid.error());
    std::error_code error;
    if (!fs::is_directory(registry_path(data_dir), error)) {
        return fail(ErrorCode::CONFIG, "no CA registry in " + data_dir.string());
    }
    auto registry = Registry::open(registry_path(data_dir));
    if (registry) {
        // No CA holds the lock: nobody else can be told now. The CA tells the broker when
        // it next starts.
        auto revocation = revoke_user(*registry, username, clock.now_seconds());
        if (!revocation) return std::unexpected(revocation.error());
        return describe(*revocation) + " (no CA is running; the broker is told when it starts)";
    }
    auto reply =
        ask_running_ca(data_dir, AdminRequest{std::string(kAdminRevoke), username}, kAdminTimeout);
    if (!reply) {
        return fail(reply.error().code, "cannot open the registry (" + registry.error().message +
                                            ") and " + reply.error().message);
    }
    if (reply->error) return fail(*reply->error, reply->message);
    return reply->message;
}

}  // namespace imgshare::ca
