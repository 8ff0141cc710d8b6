#include "common/keystore.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include <fmt/format.h>

#include "common/file_io.h"

namespace imgshare {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kKeysFileName = "keys.sealed";
constexpr std::string_view kCertificateFileName = "certificate";
constexpr fs::perms kPrivateFile = fs::perms::owner_read | fs::perms::owner_write;
constexpr fs::perms kPrivateDirectory = fs::perms::owner_all;

Error io_error(std::string_view action, const fs::path& path, const std::error_code& error) {
    return Error{ErrorCode::IO_ERROR,
                 fmt::format("cannot {} {}: {}", action, path.string(), error.message())};
}

bool file_present(const fs::path& path) {
    std::error_code error;
    return fs::symlink_status(path, error).type() != fs::file_type::not_found && !error;
}

}  // namespace

Result<void> ensure_private_directory(const fs::path& dir) {
    std::error_code error;
    if (dir.has_parent_path() && !fs::exists(dir.parent_path(), error)) {
        fs::create_directories(dir.parent_path(), error);
        if (error) return std::unexpected(io_error("create directory", dir.parent_path(), error));
    }
    // mkdir with 0700 so the directory is never, even briefly, open to others.
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
        return std::unexpected(
            io_error("create directory", dir, std::error_code(errno, std::generic_category())));
    }
    const fs::file_status status = fs::status(dir, error);
    if (error) return std::unexpected(io_error("inspect", dir, error));
    if (status.type() != fs::file_type::directory) {
        return fail(ErrorCode::IO_ERROR, fmt::format("{} is not a directory", dir.string()));
    }
    if (status.permissions() != kPrivateDirectory) {
        // Someone else could read or replace our files: take the access away (this fails,
        // and so do we, when the directory is not ours).
        fs::permissions(dir, kPrivateDirectory, fs::perm_options::replace, error);
        if (error) return std::unexpected(io_error("restrict the permissions of", dir, error));
    }
    return {};
}

Keystore::Keystore(fs::path dir) : dir_(std::move(dir)) {}

fs::path Keystore::keys_path() const {
    return dir_ / kKeysFileName;
}

fs::path Keystore::certificate_path() const {
    return dir_ / kCertificateFileName;
}

bool Keystore::exists() const {
    return file_present(keys_path());
}

Result<void> Keystore::create(const UserKeys& keys, std::string_view passphrase,
                              KdfStrength strength) {
    if (exists()) {
        return fail(ErrorCode::BAD_REQUEST,
                    fmt::format("keystore already exists at {}", keys_path().string()));
    }
    auto file = seal_user_keys(keys, passphrase, strength);
    if (!file) return std::unexpected(std::move(file.error()));
    if (auto dir_ok = ensure_private_directory(dir_); !dir_ok) return dir_ok;
    // Refuse rather than replace: a keys file appearing meanwhile must survive too.
    auto written = write_file_atomically(keys_path(), *file, kPrivateFile, ExistingFile::Refuse);
    if (!written && written.error().code == ErrorCode::BAD_REQUEST) {
        return fail(ErrorCode::BAD_REQUEST,
                    fmt::format("keystore already exists at {}", keys_path().string()));
    }
    return written;
}

Result<UserKeys> Keystore::load(std::string_view passphrase) const {
    auto file = read_file(keys_path(), kMaxKeysFileSize);
    if (!file) return std::unexpected(std::move(file.error()));
    return open_user_keys(*file, passphrase, fmt::format("keys file {}", keys_path().string()));
}

Result<void> Keystore::save_certificate(const Certificate& certificate, bool replace) {
    if (auto dir_ok = ensure_private_directory(dir_); !dir_ok) return dir_ok;
    return write_file_atomically(certificate_path(), encode_certificate(certificate), kPrivateFile,
                                 replace ? ExistingFile::Replace : ExistingFile::Refuse);
}

Result<Certificate> Keystore::load_certificate() const {
    if (!file_present(certificate_path())) {
        return fail(ErrorCode::NOT_FOUND,
                    fmt::format("no certificate stored at {}", certificate_path().string()));
    }
    auto file = read_file(certificate_path(), kMaxEncodedCertificateSize);
    if (!file) return std::unexpected(std::move(file.error()));
    auto certificate = decode_certificate(*file);
    if (!certificate) {
        certificate.error().message =
            fmt::format("{}: {}", certificate_path().string(), certificate.error().message);
    }
    return certificate;
}

}  // namespace imgshare
