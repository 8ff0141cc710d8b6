// The CA's user registry: who holds which certificate, in the CA's own RocksDB
// (<data dir>/registry, DESIGN.md §4), with column families
//   certs         username -> encoded certificate (as issued, byte for byte)
//   by_curve_key  32-byte CURVE public key -> username
//   revoked       username -> revocation time (u64 big-endian seconds)
//   meta          "next_serial" -> u64 big-endian
//   renewals      username -> the proof of the RENEW that issued the current certificate
//   invitations   nonce of an invitation used (common/invitation.h) -> the username it registered
//   retired       the certificates of released names, kept for good: "cert:" username ":"
//                 serial (u64 big-endian) -> encoded certificate; "key:" each of their
//                 three public keys -> username
//   released      username -> when it was last released (u64 big-endian seconds)
//   log           the certificate log (docs/TRANSPARENCY.md): "e" index (u64 big-endian) ->
//                 entry (common/transparency/log_entry.h); "c" username 0x00 serial (u64
//                 big-endian) -> the index of that certificate's entry
//
// Promises: add_user(), renew(), reissue(), revoke() and release() are all or nothing and on disk
// (fsync'd) when they return success, so a certificate that was handed out
// survives a crash or a power loss; a failed write (a full disk, a database
// turned read-only) is an IO_ERROR, never a silent success. add_user() never
// overwrites: it refuses a username or key that is already bound; only
// renew() and reissue() replace a user's certificate, keeping the same keys. A revocation
// is never undone: release() frees a revoked name but keeps its certificate
// and keys in `retired`, which nothing deletes. Reads never throw.
// The certificate log: each of those writes appends its entry (a certificate issued, a
// revocation, a release) to the log in the same synced write, so an answered certificate
// is in the log after any crash, and entries are never changed or removed. A registry from
// before the log gets an entry for each certificate and revocation it holds at its first
// open. The log's Merkle tree is kept in memory (about 64 bytes an entry), rebuilt at open.
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
#include <vector>

#include "common/bytes.h"
#include "common/error.h"
#include "common/transparency/merkle_tree.h"

namespace imgshare::ca {

[[nodiscard]] std::filesystem::path registry_path(const std::filesystem::path& data_dir);

// The three public keys of a certificate that release() retires; views, so the keys must
// outlive the call.
struct RetiredKeys {
    ByteView sign_pk;
    ByteView box_pk;
    ByteView curve_pk;
};

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
    // When `username` was revoked (seconds), or nullopt if they are not.
    [[nodiscard]] Result<std::optional<std::int64_t>> revoked_at(std::string_view username) const;
    // Every revoked username, in name order.
    [[nodiscard]] Result<std::vector<std::string>> revoked_users() const;
    // The proof of the RENEW that issued `username`'s current certificate, or nullopt.
    [[nodiscard]] Result<std::optional<Bytes>> last_renewal_proof(std::string_view username) const;
    // The name whose retired certificate (release()) holds `public_key` as any of its three
    // keys, or nullopt.
    [[nodiscard]] Result<std::optional<std::string>> retired_holder_of(ByteView public_key) const;
    // Whether certificate #`serial` of `username` was retired.
    [[nodiscard]] Result<bool> is_retired(std::string_view username, std::uint64_t serial) const;
    // The encoded retired certificates of `username`, in serial order.
    [[nodiscard]] Result<std::vector<Bytes>> retired_certificates(std::string_view username) const;
    // Every name ever released, in name order (a name may have been registered and revoked
    // again since).
    [[nodiscard]] Result<std::vector<std::string>> released_names() const;
    // The serial the next certificate gets: 1 for a fresh registry.
    [[nodiscard]] Result<std::uint64_t> next_serial() const;

    // In one synced write: the certificate under `username`, `curve_public_key` bound to
    // `username`, the serial counter moved past `serial`, and `invitation_nonce` (when not
    // empty) recorded as used. NAME_TAKEN if the username or BAD_REQUEST if the key is
    // already bound, FORBIDDEN if the invitation was used; IO_ERROR if the write fails.
    [[nodiscard]] Result<void> add_user(std::string_view username, ByteView curve_public_key,
                                        std::uint64_t serial, ByteView encoded_certificate,
                                        ByteView invitation_nonce = {});

    // In one synced write: `encoded_certificate` (serial `serial`, the same curve key) as
    // `username`'s current certificate, `renewal_proof` as its last renewal proof, and the
    // serial counter moved past `serial`. NOT_FOUND without a certificate, REVOKED if the
    // user is revoked (checked under the same lock as revoke()); IO_ERROR if the write fails.
    [[nodiscard]] Result<void> renew(std::string_view username, std::uint64_t serial,
                                     ByteView encoded_certificate, ByteView renewal_proof);

    // The operator's reissue (ca-service/reissue.h), in one synced write:
    // `encoded_certificate` (serial `serial`, the same keys) as `username`'s current
    // certificate in place of `replaced_certificate` (byte for byte), no renewal proof,
    // and the serial counter moved past `serial`. NOT_FOUND without a certificate, REVOKED
    // if the user is revoked, BAD_REQUEST if the current certificate is not
    // `replaced_certificate` any more (all checked under the same lock as revoke());
    // IO_ERROR if the write fails.
    [[nodiscard]] Result<void> reissue(std::string_view username, ByteView replaced_certificate,
                                       std::uint64_t serial, ByteView encoded_certificate);

    // The operator's release (ca-service/release.h), in one synced write: `username`'s
    // revoked certificate `revoked_certificate` (serial `serial`, keys `keys`) kept in
    // `retired` with its keys, the name's certificate, key binding, revocation and renewal
    // proof removed, and the name recorded as released at `when`. NOT_FOUND without a
    // certificate, BAD_REQUEST if the user is not revoked or the stored certificate is not
    // `revoked_certificate` (all checked under the same lock as add_user()); IO_ERROR if the
    // write fails.
    [[nodiscard]] Result<void> release(std::string_view username, ByteView revoked_certificate,
                                       const RetiredKeys& keys, std::uint64_t serial,
                                       std::int64_t when);

    // Marks `username` revoked at `when` (seconds), with its log entry. NOT_FOUND without a
    // certificate; revoking twice keeps the first time (and logs nothing the second time).
    [[nodiscard]] Result<void> revoke(std::string_view username, std::int64_t when);

    // ---- The certificate log (docs/TRANSPARENCY.md) ----
    // Its number of entries now. Every other method takes a size at most this, so a head and
    // its proofs are about one tree however many entries are appended meanwhile.
    [[nodiscard]] std::uint64_t log_size() const;
    // RFC 9162's root of the first `size` entries (std::out_of_range past log_size()).
    [[nodiscard]] transparency::MerkleHash log_root(std::uint64_t size) const;
    // The inclusion proof of entry `index` in the tree of `size` entries, and the
    // consistency proof from `first` to `second` entries (merkle_tree.h's preconditions).
    [[nodiscard]] std::vector<transparency::MerkleHash> log_inclusion(std::uint64_t index,
                                                                      std::uint64_t size) const;
    [[nodiscard]] std::vector<transparency::MerkleHash> log_consistency(
        std::uint64_t first, std::uint64_t second) const;
    // The index of the entry of certificate `serial` of `username`: NOT_FOUND if none.
    [[nodiscard]] Result<std::uint64_t> log_index_of(std::string_view username,
                                                     std::uint64_t serial) const;
    // Entries start .. start + count - 1 (fewer at the end; none past it).
    [[nodiscard]] Result<std::vector<Bytes>> log_entries(std::uint64_t start,
                                                         std::uint64_t count) const;

  private:
    struct Database;
    explicit Registry(std::unique_ptr<Database> database);

    std::unique_ptr<Database> database_;
};

}  // namespace imgshare::ca
