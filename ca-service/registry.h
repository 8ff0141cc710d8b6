// The CA's user registry: who holds which certificate, in the CA's own RocksDB
// (<data dir>/registry, DESIGN.md §4), with column families
//   certs         username -> encoded certificate (as issued, byte for byte)
//   by_curve_key  32-byte CURVE public key -> username
//   revoked       username -> revocation time (u64 big-endian seconds)
//   meta          "next_serial" -> u64 big-endian
//
// Promises: add_user() is all or nothing and on disk (fsync'd) when it
// returns success, so a certificate that was handed out survives a crash or a
// power loss; a failed write (a full disk, a database turned read-only) is an
// IO_ERROR, never a silent success. Nothing is ever overwritten: add_user()
// refuses a username or key that is already bound. Reads never throw.
//
// One Registry per directory (RocksDB locks it). The methods are thread-safe
// individually; a caller that checks and then adds must serialise itself.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/error.h"

namespace imgshare::ca {

[[nodiscard]] std::filesystem::path registry_path(const std::filesystem::path& data_dir);

class Registry {
  public:
    // Opens (creating if needed) the database at `path`. IO_ERROR when it cannot be opened,
    // e.g. another process holds it.
    [[nodiscard]] static Result<Registry> open(const std::filesystem::path& path);

    Registry(Registry&&) noexcept;
    Registry& operator=(Registry&&) noexcept;
    Registry(const Registry&) = delete;
    Registry& operator=(const Registry&) = delete;
    ~Registry();  // closes the database

    // The encoded certificate of `username`, or nullopt if there is none.
    [[nodiscard]] Result<std::optional<Bytes>> certificate_of(std::string_view username) const;
    // The user whose certificate binds `curve_public_key`, or nullopt.
    [[nodiscard]] Result<std::optional<std::string>> user_of_curve_key(
        ByteView curve_public_key) const;
    [[nodiscard]] Result<bool> is_revoked(std::string_view username) const;
    // The serial the next certificate gets: 1 for a fresh registry.
    [[nodiscard]] Result<std::uint64_t> next_serial() const;

    // In one synced write: the certificate under `username`, `curve_public_key` bound to
    // `username`, and the serial counter moved past `serial`. NAME_TAKEN if the username
    // or BAD_REQUEST if the key is already bound; IO_ERROR if the write fails.
    [[nodiscard]] Result<void> add_user(std::string_view username, ByteView curve_public_key,
                                        std::uint64_t serial, ByteView encoded_certificate);

    // Marks `username` revoked at `when` (seconds). NOT_FOUND without a certificate;
    // revoking twice keeps the first time. (The revocation command comes later; the CA
    // already answers `revoked` from this.)
    [[nodiscard]] Result<void> revoke(std::string_view username, std::int64_t when);

  private:
    struct Database;
    explicit Registry(std::unique_ptr<Database> database);

    std::unique_ptr<Database> database_;
};

}  // namespace imgshare::ca
