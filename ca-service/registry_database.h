// The registry's database as registry.cpp and registry_log.cpp share it: the column
// families, the key encodings and Registry::Database. Private to ca-service/registry*.cpp.
#pragma once

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <array>
#include <mutex>
#include <shared_mutex>
#include <vector>

#include "ca-service/registry.h"
#include "common/transparency/merkle_tree.h"

namespace imgshare::ca::registry_detail {

enum Family : std::size_t {
    kDefault,
    kCerts,
    kByCurveKey,
    kRevoked,
    kMeta,
    kRenewals,
    kInvitations,
    kRetired,
    kReleased,
    kLog,
    kFamilyCount
};
// RocksDB always has "default"; the registry leaves it empty.
constexpr std::array<const char*, kFamilyCount> kFamilyNames{
    "default",  "certs",       "by_curve_key", "revoked", "meta",
    "renewals", "invitations", "retired",      "released", "log"};
constexpr std::string_view kNextSerialKey = "next_serial";
// In `retired`: a released name's certificate under "cert:" USERNAME ":" serial (8 bytes
// big-endian), each of its three keys under "key:" KEY (the username as the value).
constexpr std::string_view kRetiredCertificatePrefix = "cert:";
constexpr std::string_view kRetiredKeyPrefix = "key:";

// The registry holds a few hundred bytes per user: small buffers and a small cache keep
// the CA's footprint to a few MiB whatever RocksDB's defaults (64 MiB memtables) assume.
constexpr std::size_t kWriteBufferBytes = 1 << 20;
constexpr std::size_t kBlockCacheBytes = 4 << 20;

inline rocksdb::Slice slice_of(ByteView bytes) {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}
inline rocksdb::Slice slice_of(std::string_view text) {
    return {text.data(), text.size()};
}

inline std::string big_endian(std::uint64_t value) {
    std::string bytes(8, '\0');
    for (int i = 7; i >= 0; --i) {
        bytes[static_cast<std::size_t>(i)] = static_cast<char>(value & 0xff);
        value >>= 8;
    }
    return bytes;
}

inline std::optional<std::uint64_t> from_big_endian(std::string_view bytes) {
    if (bytes.size() != 8) return std::nullopt;
    std::uint64_t value = 0;
    for (char byte : bytes)
        value = (value << 8) | static_cast<std::uint8_t>(byte);
    return value;
}

// RocksDB's status text names files and the failure, never values: safe to pass on.
inline Error error_of(const rocksdb::Status& status, std::string_view doing) {
    return Error{ErrorCode::IO_ERROR, "registry: " + std::string(doing) + ": " + status.ToString()};
}

inline std::string retired_certificates_of(std::string_view username) {
    return std::string(kRetiredCertificatePrefix) + std::string(username) + ":";
}

inline std::string retired_certificate_key(std::string_view username, std::uint64_t serial) {
    return retired_certificates_of(username) + big_endian(serial);
}

inline std::string retired_key_key(ByteView key) {
    return std::string(kRetiredKeyPrefix) + std::string(slice_of(key).ToStringView());
}

inline rocksdb::Options database_options() {
    rocksdb::Options options;
    options.create_if_missing = true;
    options.create_missing_column_families = true;
    options.paranoid_checks = true;
    options.max_open_files = 64;
    options.keep_log_file_num = 2;
    options.max_log_file_size = 1 << 20;
    options.write_buffer_size = kWriteBufferBytes;
    options.max_write_buffer_number = 2;
    rocksdb::BlockBasedTableOptions table;
    table.block_cache = rocksdb::NewLRUCache(kBlockCacheBytes);
    options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    return options;
}

}  // namespace imgshare::ca::registry_detail

namespace imgshare::ca {

using namespace registry_detail;

struct Registry::Database {
    std::unique_ptr<rocksdb::DB> db;
    std::vector<rocksdb::ColumnFamilyHandle*> families;
    std::mutex add_mutex;  // a write's checks and the write itself are one step
    // The certificate log's tree (registry_log.cpp): appended to after a write that added an
    // entry succeeded, under add_mutex too; read for heads and proofs.
    mutable std::shared_mutex log_mutex;
    transparency::MerkleTree log_tree;

    ~Database() {
        for (auto* family : families)
            db->DestroyColumnFamilyHandle(family);
        if (db) db->Close().PermitUncheckedError();
    }

    Result<std::optional<std::string>> get(Family family, rocksdb::Slice key) const {
        std::string value;
        auto status = db->Get(rocksdb::ReadOptions(), families[family], key, &value);
        if (status.IsNotFound()) return std::nullopt;
        if (!status.ok()) return std::unexpected(error_of(status, "read"));
        return value;
    }

    // Adds to `batch` `certificate` (serial `serial`) under `username`, its certificate log
    // entry, and the serial counter set to `next_serial`, then writes it synced and appends
    // the entry to the log's tree. The caller holds add_mutex.
    Result<void> write_certificate(rocksdb::WriteBatch& batch, std::string_view username,
                                   std::uint64_t serial, ByteView certificate,
                                   std::uint64_t next_serial);

    // ---- the certificate log (registry_log.cpp) ----
    // Adds `entry` to `batch` as the log's next entry and, for a certificate (`serial` of
    // `username`), its index. The caller holds add_mutex, writes the batch, then calls
    // logged(entry) once the write succeeded.
    rocksdb::Status put_log_entry(rocksdb::WriteBatch& batch, ByteView entry,
                                  std::string_view username = {}, std::uint64_t serial = 0);
    void logged(ByteView entry);
    // The serial of `username`'s last logged certificate (0 if none): the current one.
    Result<std::uint64_t> last_logged_serial(std::string_view username) const;
    // At open: the tree from the stored entries; a registry from before the log gets one
    // entry for every certificate it holds (current, then retired) and every revocation.
    Result<void> load_log();
    // Writes `batch` synced.
    Result<void> write_synced(rocksdb::WriteBatch& batch);

    // Every key of `family`, in order.
    Result<std::vector<std::string>> keys_of(Family family) const {
        std::vector<std::string> keys;
        std::unique_ptr<rocksdb::Iterator> it(
            db->NewIterator(rocksdb::ReadOptions(), families[family]));
        for (it->SeekToFirst(); it->Valid(); it->Next())
            keys.push_back(it->key().ToString());
        if (!it->status().ok()) return std::unexpected(error_of(it->status(), "scan"));
        return keys;
    }

    // The certificate stored for `username`, which must be there (NOT_FOUND) and not revoked
    // (REVOKED). The caller holds add_mutex.
    Result<std::string> unrevoked_certificate(std::string_view username) const {
        auto existing = get(kCerts, slice_of(username));
        if (!existing) return std::unexpected(existing.error());
        if (!*existing) return fail(ErrorCode::NOT_FOUND, "no user named " + std::string(username));
        auto revoked = get(kRevoked, slice_of(username));
        if (!revoked) return std::unexpected(revoked.error());
        if (*revoked) return fail(ErrorCode::REVOKED, std::string(username) + " is revoked");
        return std::move(**existing);
    }
};

}  // namespace imgshare::ca
