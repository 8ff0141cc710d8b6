#include "ca-service/registry.h"

#include <algorithm>

#include "ca-service/registry_database.h"
#include "common/keystore.h"
#include "common/transparency/log_entry.h"

namespace imgshare::ca {

namespace fs = std::filesystem;

fs::path registry_path(const fs::path& data_dir) {
    return data_dir / "registry";
}

Result<Registry> Registry::open(const fs::path& path) {
    if (auto made = ensure_private_directory(path); !made) return std::unexpected(made.error());
    auto options = database_options();
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const char* name : kFamilyNames)
        descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions(options));
    auto database = std::make_unique<Database>();
    rocksdb::DB* db = nullptr;
    auto status = rocksdb::DB::Open(rocksdb::DBOptions(options), path.string(), descriptors,
                                    &database->families, &db);
    if (!status.ok()) return std::unexpected(error_of(status, "cannot open " + path.string()));
    database->db.reset(db);
    if (auto loaded = database->load_log(); !loaded) return std::unexpected(loaded.error());
    return Registry(std::move(database));
}

Registry::Registry(std::unique_ptr<Database> database) : database_(std::move(database)) {}
Registry::Registry(Registry&&) noexcept = default;
Registry& Registry::operator=(Registry&&) noexcept = default;
Registry::~Registry() = default;

Result<std::optional<Bytes>> Registry::certificate_of(std::string_view username) const {
    auto value = database_->get(kCerts, slice_of(username));
    if (!value) return std::unexpected(value.error());
    if (!*value) return std::nullopt;
    return Bytes((*value)->begin(), (*value)->end());
}

Result<std::optional<std::string>> Registry::user_of_curve_key(ByteView curve_public_key) const {
    return database_->get(kByCurveKey, slice_of(curve_public_key));
}

Result<bool> Registry::is_revoked(std::string_view username) const {
    auto value = database_->get(kRevoked, slice_of(username));
    if (!value) return std::unexpected(value.error());
    return value->has_value();
}

Result<std::optional<std::int64_t>> Registry::revoked_at(std::string_view username) const {
    auto value = database_->get(kRevoked, slice_of(username));
    if (!value) return std::unexpected(value.error());
    if (!*value) return std::nullopt;
    auto when = from_big_endian(**value);
    if (!when) return fail(ErrorCode::INTERNAL, "registry: a revocation time is corrupt");
    return static_cast<std::int64_t>(*when);
}

Result<std::vector<std::string>> Registry::revoked_users() const {
    return database_->keys_of(kRevoked);
}

Result<std::optional<Bytes>> Registry::last_renewal_proof(std::string_view username) const {
    auto value = database_->get(kRenewals, slice_of(username));
    if (!value) return std::unexpected(value.error());
    if (!*value) return std::nullopt;
    return Bytes((*value)->begin(), (*value)->end());
}

Result<std::uint64_t> Registry::next_serial() const {
    auto value = database_->get(kMeta, slice_of(kNextSerialKey));
    if (!value) return std::unexpected(value.error());
    if (!*value) return 1;
    auto serial = from_big_endian(**value);
    if (!serial) return fail(ErrorCode::INTERNAL, "registry: the serial counter is corrupt");
    return *serial;
}

Result<void> Registry::add_user(std::string_view username, ByteView curve_public_key,
                                std::uint64_t serial, ByteView encoded_certificate,
                                ByteView invitation_nonce) {
    std::lock_guard lock(database_->add_mutex);
    if (!invitation_nonce.empty()) {
        auto used = database_->get(kInvitations, slice_of(invitation_nonce));
        if (!used) return std::unexpected(used.error());
        if (*used) return fail(ErrorCode::FORBIDDEN, "this invitation has been used");
    }
    auto existing = database_->get(kCerts, slice_of(username));
    if (!existing) return std::unexpected(existing.error());
    if (*existing) return fail(ErrorCode::NAME_TAKEN, "the username is taken");
    auto holder = database_->get(kByCurveKey, slice_of(curve_public_key));
    if (!holder) return std::unexpected(holder.error());
    if (*holder) return fail(ErrorCode::BAD_REQUEST, "this key is already registered");
    auto counter = next_serial();
    if (!counter) return std::unexpected(counter.error());

    rocksdb::WriteBatch batch;
    auto status =
        batch.Put(database_->families[kByCurveKey], slice_of(curve_public_key), slice_of(username));
    if (status.ok() && !invitation_nonce.empty()) {
        status = batch.Put(database_->families[kInvitations], slice_of(invitation_nonce),
                           slice_of(username));
    }
    if (!status.ok()) return std::unexpected(error_of(status, "batch"));
    // Never move the counter back, even if a caller passes an old serial.
    return database_->write_certificate(batch, username, serial, encoded_certificate,
                                        std::max(*counter, serial + 1));
}

Result<void> Registry::renew(std::string_view username, std::uint64_t serial,
                             ByteView encoded_certificate, ByteView renewal_proof) {
    std::lock_guard lock(database_->add_mutex);
    auto existing = database_->unrevoked_certificate(username);
    if (!existing) return std::unexpected(existing.error());
    auto counter = next_serial();
    if (!counter) return std::unexpected(counter.error());

    rocksdb::WriteBatch batch;
    auto status =
        batch.Put(database_->families[kRenewals], slice_of(username), slice_of(renewal_proof));
    if (!status.ok()) return std::unexpected(error_of(status, "batch"));
    return database_->write_certificate(batch, username, serial, encoded_certificate,
                                        std::max(*counter, serial + 1));
}

Result<void> Registry::reissue(std::string_view username, ByteView replaced_certificate,
                               std::uint64_t serial, ByteView encoded_certificate) {
    std::lock_guard lock(database_->add_mutex);
    auto existing = database_->unrevoked_certificate(username);
    if (!existing) return std::unexpected(existing.error());
    if (slice_of(replaced_certificate) != rocksdb::Slice(*existing)) {
        return fail(ErrorCode::BAD_REQUEST, "the certificate of " + std::string(username) +
                                                " changed meanwhile; look again");
    }
    auto counter = next_serial();
    if (!counter) return std::unexpected(counter.error());

    // The last renewal's proof was over the replaced certificate: a retry of it must not be
    // answered with the reissued one.
    rocksdb::WriteBatch batch;
    auto status = batch.Delete(database_->families[kRenewals], slice_of(username));
    if (!status.ok()) return std::unexpected(error_of(status, "batch"));
    return database_->write_certificate(batch, username, serial, encoded_certificate,
                                        std::max(*counter, serial + 1));
}

Result<std::optional<std::string>> Registry::retired_holder_of(ByteView public_key) const {
    return database_->get(kRetired, retired_key_key(public_key));
}

Result<bool> Registry::is_retired(std::string_view username, std::uint64_t serial) const {
    auto value = database_->get(kRetired, retired_certificate_key(username, serial));
    if (!value) return std::unexpected(value.error());
    return value->has_value();
}

Result<std::vector<Bytes>> Registry::retired_certificates(std::string_view username) const {
    const std::string prefix = retired_certificates_of(username);
    std::vector<Bytes> certificates;
    std::unique_ptr<rocksdb::Iterator> it(
        database_->db->NewIterator(rocksdb::ReadOptions(), database_->families[kRetired]));
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
        auto value = it->value();
        certificates.emplace_back(value.data(), value.data() + value.size());
    }
    if (!it->status().ok()) return std::unexpected(error_of(it->status(), "scan"));
    return certificates;
}

Result<std::vector<std::string>> Registry::released_names() const {
    return database_->keys_of(kReleased);
}

Result<void> Registry::release(std::string_view username, ByteView revoked_certificate,
                               const RetiredKeys& keys, std::uint64_t serial, std::int64_t when) {
    std::lock_guard lock(database_->add_mutex);
    auto existing = database_->get(kCerts, slice_of(username));
    if (!existing) return std::unexpected(existing.error());
    if (!*existing) return fail(ErrorCode::NOT_FOUND, "no user named " + std::string(username));
    auto revoked = database_->get(kRevoked, slice_of(username));
    if (!revoked) return std::unexpected(revoked.error());
    if (!*revoked) {
        return fail(ErrorCode::BAD_REQUEST,
                    std::string(username) + " is not revoked: only a revoked name is released");
    }
    if (slice_of(revoked_certificate) != rocksdb::Slice(**existing)) {
        return fail(ErrorCode::BAD_REQUEST, "the certificate of " + std::string(username) +
                                                " changed meanwhile; look again");
    }

    auto& families = database_->families;
    rocksdb::WriteBatch batch;
    auto status = batch.Put(families[kRetired], retired_certificate_key(username, serial),
                            slice_of(revoked_certificate));
    for (ByteView key : {keys.sign_pk, keys.box_pk, keys.curve_pk}) {
        if (status.ok())
            status = batch.Put(families[kRetired], retired_key_key(key), slice_of(username));
    }
    if (status.ok()) status = batch.Delete(families[kCerts], slice_of(username));
    if (status.ok()) status = batch.Delete(families[kByCurveKey], slice_of(keys.curve_pk));
    if (status.ok()) status = batch.Delete(families[kRevoked], slice_of(username));
    if (status.ok()) status = batch.Delete(families[kRenewals], slice_of(username));
    if (status.ok()) {
        status = batch.Put(families[kReleased], slice_of(username),
                           big_endian(static_cast<std::uint64_t>(when)));
    }
    const auto entry = transparency::encode_release_entry(username, serial, when);
    if (status.ok()) status = database_->put_log_entry(batch, entry);
    if (!status.ok()) return std::unexpected(error_of(status, "batch"));
    if (auto written = database_->write_synced(batch); !written) return written;
    database_->logged(entry);
    return {};
}

Result<void> Registry::revoke(std::string_view username, std::int64_t when) {
    std::lock_guard lock(database_->add_mutex);
    auto certificate = database_->get(kCerts, slice_of(username));
    if (!certificate) return std::unexpected(certificate.error());
    if (!*certificate) return fail(ErrorCode::NOT_FOUND, "no user named " + std::string(username));
    auto revoked = database_->get(kRevoked, slice_of(username));
    if (!revoked) return std::unexpected(revoked.error());
    if (*revoked) return {};
    auto serial = database_->last_logged_serial(username);
    if (!serial) return std::unexpected(serial.error());
    const auto entry = transparency::encode_revocation_entry(username, *serial, when);
    rocksdb::WriteBatch batch;
    auto status = batch.Put(database_->families[kRevoked], slice_of(username),
                            big_endian(static_cast<std::uint64_t>(when)));
    if (status.ok()) status = database_->put_log_entry(batch, entry);
    if (!status.ok()) return std::unexpected(error_of(status, "batch"));
    if (auto written = database_->write_synced(batch); !written) return written;
    database_->logged(entry);
    return {};
}

}  // namespace imgshare::ca
