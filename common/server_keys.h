// A server's own keys on disk (broker, CA, storage node): each secret key in
// its own 0600 file inside a 0700 data directory, its public half beside it in
// a readable text file. Created once by `init`; never overwritten.
#pragma once

#include <filesystem>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/crypto/keys.h"
#include "common/crypto/secret_bytes.h"
#include "common/error.h"

namespace imgshare {

// <dir>/<name>.key holds the secret as hex; refuses (BAD_REQUEST) if it exists.
[[nodiscard]] Result<void> save_secret_key(const std::filesystem::path& dir, std::string_view name,
                                           const SecretBytes& secret);
// CONFIG naming the file when it is missing, malformed or not `size` bytes.
[[nodiscard]] Result<SecretBytes> load_secret_key(const std::filesystem::path& dir,
                                                  std::string_view name, size_t size);
// <dir>/<name>.pub, one line of text (Z85 for CURVE keys, hex for others).
[[nodiscard]] Result<void> save_public_key_text(const std::filesystem::path& dir,
                                                std::string_view name, std::string_view text);

// A CURVE key pair as <name>.key / <name>.pub; returns the public key.
[[nodiscard]] Result<Bytes> create_curve_key_files(const std::filesystem::path& dir,
                                                   std::string_view name);
[[nodiscard]] Result<CurveKeyPair> load_curve_key_files(const std::filesystem::path& dir,
                                                        std::string_view name);

// CURVE public keys given as Z85 strings and/or a file of them (one per line,
// '#' comments); CONFIG on any malformed key.
[[nodiscard]] Result<std::set<Bytes>> read_public_key_list(const std::vector<std::string>& keys,
                                                           const std::string& file);

}  // namespace imgshare
