#include "ca-service/release.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/certificate.h"
#include "common/protocol/messages.h"
#include "common/registration.h"

namespace imgshare::ca {

namespace fs = std::filesystem;

Result<ReleasedName> release_name(Registry& registry, std::string_view username,
                                  std::int64_t now_seconds) {
    if (auto valid = check_username(username); !valid) return std::unexpected(valid.error());
    auto stored = registry.certificate_of(username);
    if (!stored) return std::unexpected(stored.error());
    if (!*stored) return fail(ErrorCode::NOT_FOUND, "no user named " + std::string(username));
    auto certificate = decode_certificate(**stored);
    if (!certificate) {
        spdlog::error("registry: the certificate of {} does not decode: {}", username,
                      certificate.error().message);
        return fail(ErrorCode::INTERNAL, "the CA's registry is damaged");
    }
    if (auto released = registry.release(
            username, **stored,
            RetiredKeys{certificate->sign_pk, certificate->box_pk, certificate->curve_pk},
            certificate->serial, now_seconds);
        !released) {
        return std::unexpected(released.error());
    }
    return ReleasedName{std::string(username), certificate->serial, certificate->curve_pk};
}

std::string describe(const ReleasedName& released) {
    return fmt::format(
        "released {}: certificate #{} retired, its keys stay revoked; the name is "
        "free",
        released.username, released.retired_serial);
}

AdminReply release_for_admin(const AdminRequest& request, const RunningCa& ca) {
    auto released = release_name(ca.registry, request.username, ca.clock.now_seconds());
    if (!released) return AdminReply{released.error().code, released.error().message};
    ca.worker.notify(UserReleasedMessage{released->username, released->retired_curve_key});
    spdlog::info("{}; the broker was told", describe(*released));
    return AdminReply{std::nullopt, describe(*released)};
}

void announce_releases(service::ServiceWorker& worker, const Registry& registry) {
    auto names = registry.released_names();
    if (!names) {
        spdlog::error("cannot list the released names for the broker: {}", describe(names.error()));
        return;
    }
    for (const auto& username : *names) {
        // Revoked again since: USER_REVOKED refuses the name, and so every key it had.
        auto revoked = registry.is_revoked(username);
        auto retired = registry.retired_certificates(username);
        if (!revoked || *revoked || !retired) continue;
        for (const auto& encoded : *retired) {
            if (auto certificate = decode_certificate(encoded)) {
                worker.notify(UserReleasedMessage{username, certificate->curve_pk});
            }
        }
    }
}

Result<std::string> release_command(const fs::path& data_dir, const std::string& username,
                                    const Clock& clock, const fs::path& log_file) {
    return run_admin_command(
        data_dir, AdminRequest{std::string(kAdminRelease), username}, log_file,
        [&](Registry& registry) -> Result<std::string> {
            auto released = release_name(registry, username, clock.now_seconds());
            if (!released) return std::unexpected(released.error());
            return describe(*released) + " (no CA is running; the broker is told when it starts)";
        });
}

}  // namespace imgshare::ca
