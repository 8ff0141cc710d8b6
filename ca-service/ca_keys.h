// The CA's four key pairs on disk, in its data directory (0700):
//   ca_signing.key/.pub  Ed25519: signs certificates (public half: hex)
//   wrap.key/.pub        X25519: the server's key-wrapping key, escrow mode (hex)
//   service.key/.pub     X25519: the CURVE key of the connection to the broker (Z85)
//   log_signing.key/.pub Ed25519: signs the certificate log's tree heads (hex;
//                        docs/TRANSPARENCY.md), a key of its own beside the issuing key
// Private files are mode 0600 and hold hex (common/server_keys.h).
//
// init_ca_keys() creates them once: it refuses a directory that already holds
// any of them, so an existing CA's keys are never replaced. load_ca_keys()
// derives every public half from its secret, so what it reports is what the
// CA signs and unseals with, whatever the .pub files say.
#pragma once

#include <filesystem>
#include <string>

#include "common/bytes.h"
#include "common/crypto/keys.h"
#include "common/error.h"

namespace imgshare::ca {

struct CaKeys {
    SigningKeyPair signing;  // issues certificates
    BoxKeyPair wrap;         // unseals escrowed content keys
    CurveKeyPair service;    // authenticates the CA to the broker
    SigningKeyPair log;      // signs the certificate log's tree heads
};

// What operators and deploy scripts need: the public halves.
struct CaPublicKeys {
    Bytes ca_verify_key;       // Ed25519, 32 bytes
    Bytes wrap_public_key;     // X25519, 32 bytes
    Bytes service_public_key;  // X25519 CURVE key, 32 bytes
    Bytes log_verify_key{};    // Ed25519, 32 bytes: the trust file's log_verify_key

    bool operator==(const CaPublicKeys&) const = default;
};

// Creates `data_dir` (0700) and the four key pairs. CONFIG (naming the file) when any key
// file or the registry is already there, leaving everything as it was; IO_ERROR when a
// file cannot be written, after removing the key files this call wrote.
[[nodiscard]] Result<CaPublicKeys> init_ca_keys(const std::filesystem::path& data_dir);

// CONFIG naming the file when a key file is missing, malformed or inconsistent.
[[nodiscard]] Result<CaKeys> load_ca_keys(const std::filesystem::path& data_dir);

[[nodiscard]] CaPublicKeys public_keys_of(const CaKeys& keys);

// "ca_verify_key = <hex>\nwrap_public_key = <hex>\nservice_public_key = <z85>\n
// log_verify_key = <hex>\n": the
// output of `init` and `show`, read by deploy scripts.
[[nodiscard]] std::string format_public_keys(const CaPublicKeys& keys);

}  // namespace imgshare::ca
