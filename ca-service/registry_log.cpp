// The certificate log's half of the registry (registry.h, "The certificate log"): its
// entries in the `log` column family, written in the same batch as what they record, and
// the Merkle tree over them in memory.
#include <mutex>
#include <shared_mutex>

#include "ca-service/registry_database.h"
#include "common/certificate.h"
#include "common/transparency/log_entry.h"

namespace imgshare::ca {
namespace {

constexpr char kEntryPrefix = 'e';
constexpr char kIndexPrefix = 'c';

std::string entry_key(std::uint64_t index) {
    return std::string(1, kEntryPrefix) + big_endian(index);
}

std::string index_key(std::string_view username, std::uint64_t serial) {
    std::string key(1, kIndexPrefix);
    key += username;
    key += '\0';
    key += big_endian(serial);
    return key;
}

}  // namespace

Result<void> Registry::Database::write_synced(rocksdb::WriteBatch& batch) {
    rocksdb::WriteOptions durable;
    durable.sync = true;
    auto status = db->Write(durable, &batch);
    if (!status.ok()) return std::unexpected(error_of(status, "write"));
    return {};
}

Result<void> Registry::Database::write_certificate(rocksdb::WriteBatch& batch,
                                                   std::string_view username,
                                                   std::uint64_t serial, ByteView certificate,
                                                   std::uint64_t next_serial) {
    const auto entry = transparency::encode_certificate_entry(certificate);
    rocksdb::Status status = batch.Put(families[kCerts], slice_of(username), slice_of(certificate));
    if (status.ok()) {
        status = batch.Put(families[kMeta], slice_of(kNextSerialKey), big_endian(next_serial));
    }
    if (status.ok()) status = put_log_entry(batch, entry, username, serial);
    if (!status.ok()) return std::unexpected(error_of(status, "batch"));
    if (auto written = write_synced(batch); !written) return written;
    logged(entry);
    return {};
}

rocksdb::Status Registry::Database::put_log_entry(rocksdb::WriteBatch& batch, ByteView entry,
                                                  std::string_view username,
                                                  std::uint64_t serial) {
    std::uint64_t index = 0;
    {
        std::shared_lock lock(log_mutex);
        index = log_tree.size();
    }
    auto status = batch.Put(families[kLog], entry_key(index), slice_of(entry));
    if (status.ok() && !username.empty()) {
        status = batch.Put(families[kLog], index_key(username, serial), big_endian(index));
    }
    return status;
}

Result<std::uint64_t> Registry::Database::last_logged_serial(std::string_view username) const {
    const std::string prefix = index_key(username, 0).substr(0, 1 + username.size() + 1);
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), families[kLog]));
    it->SeekForPrev(prefix + std::string(8, '\xff'));
    if (!it->status().ok()) return std::unexpected(error_of(it->status(), "scan"));
    if (!it->Valid() || !it->key().starts_with(prefix)) return 0;
    auto serial = from_big_endian(it->key().ToStringView().substr(prefix.size()));
    if (!serial) return fail(ErrorCode::INTERNAL, "registry: a log index key is corrupt");
    return *serial;
}

void Registry::Database::logged(ByteView entry) {
    std::unique_lock lock(log_mutex);
    log_tree.append(entry);
}

Result<void> Registry::Database::load_log() {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), families[kLog]));
    const std::string prefix(1, kEntryPrefix);
    std::uint64_t expected = 0;
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
        auto index = from_big_endian(it->key().ToStringView().substr(1));
        if (!index || *index != expected) {
            return fail(ErrorCode::INTERNAL, "registry: the certificate log has a gap at entry " +
                                                 std::to_string(expected));
        }
        auto value = it->value();
        log_tree.append(ByteView(reinterpret_cast<const std::uint8_t*>(value.data()), value.size()));
        ++expected;
    }
    if (!it->status().ok()) return std::unexpected(error_of(it->status(), "scan"));
    if (expected > 0) return {};

    // A registry from before the log: one entry for each certificate it holds (current in name
    // order, then retired), then each revocation, all in one write.
    rocksdb::WriteBatch batch;
    std::vector<Bytes> entries;
    const auto add = [&](ByteView entry, std::string_view username, std::uint64_t serial) {
        auto status = batch.Put(families[kLog], entry_key(entries.size()), slice_of(entry));
        if (status.ok() && !username.empty()) {
            status = batch.Put(families[kLog], index_key(username, serial),
                               big_endian(entries.size()));
        }
        entries.emplace_back(entry.begin(), entry.end());
        return status;
    };
    rocksdb::Status status;
    for (Family family : {kCerts, kRetired}) {
        std::unique_ptr<rocksdb::Iterator> scan(
            db->NewIterator(rocksdb::ReadOptions(), families[family]));
        for (scan->SeekToFirst(); status.ok() && scan->Valid(); scan->Next()) {
            if (family == kRetired && !scan->key().starts_with(kRetiredCertificatePrefix)) continue;
            auto value = scan->value();
            ByteView encoded(reinterpret_cast<const std::uint8_t*>(value.data()), value.size());
            auto certificate = decode_certificate(encoded);
            if (!certificate) {
                return fail(ErrorCode::INTERNAL, "registry: a stored certificate is corrupt");
            }
            status = add(transparency::encode_certificate_entry(encoded), certificate->username,
                         certificate->serial);
        }
        if (!scan->status().ok()) return std::unexpected(error_of(scan->status(), "scan"));
    }
    std::unique_ptr<rocksdb::Iterator> revoked(
        db->NewIterator(rocksdb::ReadOptions(), families[kRevoked]));
    for (revoked->SeekToFirst(); status.ok() && revoked->Valid(); revoked->Next()) {
        auto when = from_big_endian(revoked->value().ToStringView());
        auto stored = get(kCerts, revoked->key());
        if (!stored) return std::unexpected(stored.error());
        auto certificate = *stored ? decode_certificate(as_bytes(**stored))
                                   : Result<Certificate>(std::unexpected(Error{}));
        if (!when || !certificate) {
            return fail(ErrorCode::INTERNAL, "registry: a revocation is corrupt");
        }
        status = add(transparency::encode_revocation_entry(revoked->key().ToStringView(),
                                                           certificate->serial,
                                                           static_cast<std::int64_t>(*when)),
                     {}, 0);
    }
    if (!revoked->status().ok()) return std::unexpected(error_of(revoked->status(), "scan"));
    if (!status.ok()) return std::unexpected(error_of(status, "batch"));
    if (entries.empty()) return {};
    if (auto written = write_synced(batch); !written) return written;
    for (const auto& entry : entries)
        log_tree.append(entry);
    return {};
}

std::uint64_t Registry::log_size() const {
    std::shared_lock lock(database_->log_mutex);
    return database_->log_tree.size();
}

transparency::MerkleHash Registry::log_root(std::uint64_t size) const {
    std::shared_lock lock(database_->log_mutex);
    return database_->log_tree.root(size);
}

std::vector<transparency::MerkleHash> Registry::log_inclusion(std::uint64_t index,
                                                              std::uint64_t size) const {
    std::shared_lock lock(database_->log_mutex);
    return database_->log_tree.inclusion_proof(index, size);
}

std::vector<transparency::MerkleHash> Registry::log_consistency(std::uint64_t first,
                                                                std::uint64_t second) const {
    std::shared_lock lock(database_->log_mutex);
    return database_->log_tree.consistency_proof(first, second);
}

Result<std::uint64_t> Registry::log_index_of(std::string_view username,
                                             std::uint64_t serial) const {
    auto value = database_->get(kLog, index_key(username, serial));
    if (!value) return std::unexpected(value.error());
    if (!*value) {
        return fail(ErrorCode::NOT_FOUND, "certificate #" + std::to_string(serial) + " of " +
                                              std::string(username) + " is not in the log");
    }
    auto index = from_big_endian(**value);
    if (!index) return fail(ErrorCode::INTERNAL, "registry: a log index is corrupt");
    return *index;
}

Result<std::vector<Bytes>> Registry::log_entries(std::uint64_t start, std::uint64_t count) const {
    std::vector<Bytes> entries;
    const std::uint64_t size = log_size();
    if (start >= size) return entries;
    const std::uint64_t end = start + std::min(count, size - start);
    std::unique_ptr<rocksdb::Iterator> it(
        database_->db->NewIterator(rocksdb::ReadOptions(), database_->families[kLog]));
    for (it->Seek(entry_key(start)); it->Valid() && entries.size() < end - start; it->Next()) {
        auto value = it->value();
        entries.emplace_back(value.data(), value.data() + value.size());
    }
    if (!it->status().ok()) return std::unexpected(error_of(it->status(), "scan"));
    if (entries.size() != end - start) {
        return fail(ErrorCode::INTERNAL, "registry: the certificate log is shorter than its tree");
    }
    return entries;
}

}  // namespace imgshare::ca
