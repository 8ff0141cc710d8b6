#include "ca-service/reissue.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "ca-service/ca_keys.h"

namespace imgshare::ca {

namespace fs = std::filesystem;

std::string describe(const ReissuedCertificate& reissued) {
    return fmt::format("reissued {}: certificate #{} replaces #{}, valid until {}",
                       reissued.certificate.username, reissued.certificate.serial,
                       reissued.replaced_serial, utc(reissued.certificate.not_after));
}

AdminReply reissue_for_admin(const AdminRequest& request, const RunningCa& ca) {
    auto reissued = ca.authority.reissue(request.username, request.validity_seconds);
    if (!reissued) return AdminReply{reissued.error().code, reissued.error().message};
    return AdminReply{std::nullopt, describe(*reissued)};
}

Result<std::string> reissue_command(const fs::path& data_dir, const std::string& username,
                                    std::optional<std::int64_t> validity_seconds,
                                    const Clock& clock, const fs::path& log_file) {
    AdminRequest request{std::string(kAdminReissue), username, validity_seconds};
    return run_admin_command(
        data_dir, request, log_file, [&](Registry& registry) -> Result<std::string> {
            auto keys = load_ca_keys(data_dir);
            if (!keys) return std::unexpected(keys.error());
            CertificateAuthority authority(*keys, registry, clock,
                                           validity_seconds.value_or(kDefaultValiditySeconds));
            auto reissued = authority.reissue(username);
            if (!reissued) return std::unexpected(reissued.error());
            return describe(*reissued) + " (no CA is running)";
        });
}

}  // namespace imgshare::ca
