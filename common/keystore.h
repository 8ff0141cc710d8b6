// A user's keys and certificate in a private directory.
//
// Layout: <dir>/keys.sealed (see common/keys_file.h) and <dir>/certificate
// (encode_certificate bytes). The directory is kept 0700 and the files 0600;
// every write is atomic and durable (common/file_io.h). Promises: an existing
// keys file is never overwritten, nor a certificate unless asked to; every
// error names the file concerned. The certificate is stored, not trusted:
// verify it with verify_certificate() after loading.
#pragma once

#include <filesystem>
#include <string_view>

#include "common/certificate.h"
#include "common/error.h"
#include "common/keys_file.h"

namespace imgshare {

class Keystore {
  public:
    explicit Keystore(std::filesystem::path dir);

    // True if the keys file is present.
    [[nodiscard]] bool exists() const;

    // Seals `keys` under `passphrase` into a new keys file, creating the directory (0700)
    // or tightening an existing one to 0700. BAD_REQUEST ("keystore already exists at ...")
    // if a keys file is already there; it is left untouched. Errors of seal_user_keys and
    // write_file_atomically otherwise.
    [[nodiscard]] Result<void> create(const UserKeys& keys, std::string_view passphrase,
                                      KdfStrength strength = KdfStrength::Interactive);

    // BAD_PASSPHRASE on a wrong passphrase; IO_ERROR if the file is missing or unreadable;
    // BAD_REQUEST if it is corrupt or truncated; TOO_LARGE if it is absurdly big.
    [[nodiscard]] Result<UserKeys> load(std::string_view passphrase) const;

    // Stores the certificate; BAD_REQUEST if one is there already and !replace.
    [[nodiscard]] Result<void> save_certificate(const Certificate& certificate,
                                                bool replace = false);
    // NOT_FOUND if none is stored; BAD_REQUEST naming the file if it does not decode.
    [[nodiscard]] Result<Certificate> load_certificate() const;

    [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }
    [[nodiscard]] std::filesystem::path keys_path() const;
    [[nodiscard]] std::filesystem::path certificate_path() const;

  private:
    std::filesystem::path dir_;
};

// Creates `dir` (and its parents) if needed and makes sure that it is a directory that only
// its owner can enter: mode 0700, tightening group/other bits if present. IO_ERROR naming
// the directory if that cannot be done.
[[nodiscard]] Result<void> ensure_private_directory(const std::filesystem::path& dir);

}  // namespace imgshare
