// The witness's two key pairs on disk, in its data directory (0700):
//   witness_signing.key/.pub  Ed25519: signs its cosignatures; the public half (hex) is the
//                             `witness_key` line of users' trust files
//   witness_curve.key/.pub    X25519: the CURVE key of its socket; the public half (Z85) is
//                             what the CA's `--witness ENDPOINT,KEY` names
// Private files are mode 0600 and hold hex (common/server_keys.h).
#pragma once

#include <filesystem>
#include <string>

#include "common/crypto/keys.h"
#include "common/error.h"

namespace imgshare::witness {

struct WitnessKeys {
    SigningKeyPair signing;
    CurveKeyPair curve;
};

// Creates both pairs; CONFIG when either is already there (nothing is replaced). What
// `init` prints (format_public_keys).
[[nodiscard]] Result<std::string> init_witness_keys(const std::filesystem::path& data_dir);

// CONFIG naming the file when one is missing, malformed or does not match its public half.
[[nodiscard]] Result<WitnessKeys> load_witness_keys(const std::filesystem::path& data_dir);

// "witness_key = <hex>\nwitness_public_key = <z85>\n": the output of `init` and `show`.
[[nodiscard]] std::string format_public_keys(const WitnessKeys& keys);

}  // namespace imgshare::witness
