#include "witness/witness_keys.h"

#include <fmt/format.h>

#include "common/keystore.h"
#include "common/server_keys.h"

namespace imgshare::witness {
namespace {

namespace fs = std::filesystem;
constexpr std::string_view kSigningName = "witness_signing";
constexpr std::string_view kCurveName = "witness_curve";
constexpr std::size_t kSigningSecretKeySize = 64;

}  // namespace

Result<std::string> init_witness_keys(const fs::path& data_dir) {
    for (auto name : {kSigningName, kCurveName}) {
        std::error_code error;
        const auto path = data_dir / (std::string(name) + ".key");
        if (fs::symlink_status(path, error).type() != fs::file_type::not_found) {
            return fail(ErrorCode::CONFIG, "a witness already exists here (" + path.string() +
                                               "); refusing to replace its keys");
        }
    }
    if (auto made = ensure_private_directory(data_dir); !made) return std::unexpected(made.error());
    auto signing = generate_signing_keys();
    if (auto saved = save_secret_key(data_dir, kSigningName, signing.secret_key); !saved) {
        return std::unexpected(saved.error());
    }
    if (auto saved = save_public_key_text(data_dir, kSigningName, to_hex(signing.public_key));
        !saved) {
        return std::unexpected(saved.error());
    }
    if (auto curve = create_curve_key_files(data_dir, kCurveName); !curve) {
        return std::unexpected(curve.error());
    }
    auto keys = load_witness_keys(data_dir);
    if (!keys) return std::unexpected(keys.error());
    return format_public_keys(*keys);
}

Result<WitnessKeys> load_witness_keys(const fs::path& data_dir) {
    auto secret = load_secret_key(data_dir, kSigningName, kSigningSecretKeySize);
    if (!secret) return std::unexpected(secret.error());
    auto public_key = signing_public_key_of(*secret);
    if (!public_key) {
        return fail(ErrorCode::CONFIG, fmt::format("{}.key: {}", kSigningName,
                                                   public_key.error().message));
    }
    auto curve = load_curve_key_files(data_dir, kCurveName);
    if (!curve) return std::unexpected(curve.error());
    return WitnessKeys{SigningKeyPair{std::move(*public_key), std::move(*secret)},
                       std::move(*curve)};
}

std::string format_public_keys(const WitnessKeys& keys) {
    return fmt::format("witness_key = {}\nwitness_public_key = {}\n",
                       to_hex(keys.signing.public_key), z85_encode(keys.curve.public_key));
}

}  // namespace imgshare::witness
