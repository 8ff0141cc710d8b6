#include "ca-service/ca_keys.h"

#include <array>
#include <optional>
#include <string_view>
#include <system_error>

#include "ca-service/registry.h"
#include "common/keystore.h"
#include "common/server_keys.h"

namespace imgshare::ca {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kSigningName = "ca_signing";
constexpr std::string_view kWrapName = "wrap";
constexpr std::string_view kServiceName = "service";
constexpr std::string_view kLogName = "log_signing";

// Whatever would mean "a CA lives here": its keys, or a registry whose certificates only
// those keys can vouch for.
std::optional<fs::path> existing_ca_file(const fs::path& data_dir) {
    std::array<fs::path, 5> paths{data_dir / (std::string(kSigningName) + ".key"),
                                  data_dir / (std::string(kWrapName) + ".key"),
                                  data_dir / (std::string(kServiceName) + ".key"),
                                  data_dir / (std::string(kLogName) + ".key"),
                                  registry_path(data_dir)};
    for (const auto& path : paths) {
        std::error_code error;
        if (fs::symlink_status(path, error).type() != fs::file_type::not_found) return path;
    }
    return std::nullopt;
}

Result<void> save_key_pair(const fs::path& dir, std::string_view name, const SecretBytes& secret,
                           const Bytes& public_key) {
    if (auto saved = save_secret_key(dir, name, secret); !saved) return saved;
    return save_public_key_text(dir, name, to_hex(public_key));
}

}  // namespace

Result<CaPublicKeys> init_ca_keys(const fs::path& data_dir) {
    if (auto existing = existing_ca_file(data_dir)) {
        return fail(ErrorCode::CONFIG, "a CA already exists here (" + existing->string() +
                                           "); refusing to replace its keys");
    }
    if (auto made = ensure_private_directory(data_dir); !made) return std::unexpected(made.error());

    auto signing = generate_signing_keys();
    auto wrap = generate_box_keys();
    auto log = generate_signing_keys();
    auto saved = save_key_pair(data_dir, kSigningName, signing.secret_key, signing.public_key);
    if (saved) saved = save_key_pair(data_dir, kWrapName, wrap.secret_key, wrap.public_key);
    if (saved) saved = save_key_pair(data_dir, kLogName, log.secret_key, log.public_key);
    Result<Bytes> service_public_key = std::unexpected(Error{ErrorCode::INTERNAL, "not created"});
    if (saved) service_public_key = create_curve_key_files(data_dir, kServiceName);
    if (!saved || !service_public_key) {
        // Nothing was there before (checked above), so every key file is this run's: remove
        // them so the operator can simply run init again.
        for (auto name : {kSigningName, kWrapName, kServiceName, kLogName}) {
            std::error_code ignored;
            fs::remove(data_dir / (std::string(name) + ".key"), ignored);
            fs::remove(data_dir / (std::string(name) + ".pub"), ignored);
        }
        return std::unexpected(saved ? service_public_key.error() : saved.error());
    }
    return CaPublicKeys{signing.public_key, wrap.public_key, std::move(*service_public_key),
                        log.public_key};
}

Result<CaKeys> load_ca_keys(const fs::path& data_dir) {
    auto signing_secret = load_secret_key(data_dir, kSigningName, kSigningSecretKeySize);
    if (!signing_secret) return std::unexpected(signing_secret.error());
    auto signing_public = signing_public_key_of(*signing_secret);
    if (!signing_public) {
        return fail(ErrorCode::CONFIG, "key file " + (data_dir / "ca_signing.key").string() + ": " +
                                           signing_public.error().message);
    }
    auto wrap_secret = load_secret_key(data_dir, kWrapName, kBoxSecretKeySize);
    if (!wrap_secret) return std::unexpected(wrap_secret.error());
    auto wrap_public = box_public_key_of(*wrap_secret);
    if (!wrap_public) {
        return fail(ErrorCode::CONFIG, "key file " + (data_dir / "wrap.key").string() + ": " +
                                           wrap_public.error().message);
    }
    auto service = load_curve_key_files(data_dir, kServiceName);
    if (!service) return std::unexpected(service.error());
    auto log_secret = load_secret_key(data_dir, kLogName, kSigningSecretKeySize);
    if (!log_secret) {
        return fail(ErrorCode::CONFIG,
                    log_secret.error().message +
                        " (a CA made before the certificate log has no log key: "
                        "docs/TRANSPARENCY.md, \"Upgrading\")");
    }
    auto log_public = signing_public_key_of(*log_secret);
    if (!log_public) {
        return fail(ErrorCode::CONFIG, "key file " + (data_dir / "log_signing.key").string() +
                                           ": " + log_public.error().message);
    }
    return CaKeys{SigningKeyPair{std::move(*signing_public), std::move(*signing_secret)},
                  BoxKeyPair{std::move(*wrap_public), std::move(*wrap_secret)},
                  std::move(*service),
                  SigningKeyPair{std::move(*log_public), std::move(*log_secret)}};
}

CaPublicKeys public_keys_of(const CaKeys& keys) {
    return CaPublicKeys{keys.signing.public_key, keys.wrap.public_key, keys.service.public_key,
                        keys.log.public_key};
}

std::string format_public_keys(const CaPublicKeys& keys) {
    return "ca_verify_key = " + to_hex(keys.ca_verify_key) + "\n" +
           "wrap_public_key = " + to_hex(keys.wrap_public_key) + "\n" +
           "service_public_key = " + z85_encode(keys.service_public_key) + "\n" +
           "log_verify_key = " + to_hex(keys.log_verify_key) + "\n";
}

}  // namespace imgshare::ca
