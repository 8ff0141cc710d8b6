#include "tests/integration/support/storage_database.h"

#include <stdexcept>

#include "common/protocol/fields.h"

namespace imgshare::testing {
namespace {

std::string big_endian(std::uint64_t value, int bytes) {
    std::string out(static_cast<std::size_t>(bytes), '\0');
    for (int i = bytes - 1; i >= 0; --i) {
        out[static_cast<std::size_t>(i)] = static_cast<char>(value & 0xff);
        value >>= 8;
    }
    return out;
}

std::uint64_t read_big_endian(std::string_view bytes) {
    std::uint64_t value = 0;
    for (unsigned char byte : bytes)
        value = (value << 8) | byte;
    return value;
}

void check(const rocksdb::Status& status, const std::string& what) {
    if (!status.ok()) throw std::runtime_error(what + ": " + status.ToString());
}

}  // namespace

std::string chunk_key_of(const Bytes& upload, std::uint32_t index) {
    return std::string(as_string(upload)) + big_endian(index, 4);
}

StorageDatabase::StorageDatabase(const std::filesystem::path& db_dir) {
    std::vector<std::string> names;
    check(rocksdb::DB::ListColumnFamilies({}, db_dir.string(), &names), "list column families");
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const auto& name : names)
        descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    check(rocksdb::DB::Open(rocksdb::DBOptions(), db_dir.string(), descriptors, &handles, &raw),
          "open " + db_dir.string());
    db_.reset(raw);
    for (std::size_t i = 0; i < names.size(); ++i)
        families_[names[i]] = handles[i];
}

StorageDatabase::~StorageDatabase() {
    for (auto& [name, handle] : families_)
        (void)db_->DestroyColumnFamilyHandle(handle);
}

rocksdb::ColumnFamilyHandle* StorageDatabase::family(std::string_view name) const {
    auto found = families_.find(name);
    if (found == families_.end()) {
        throw std::runtime_error("no column family " + std::string(name));
    }
    return found->second;
}

std::optional<std::string> StorageDatabase::get(std::string_view family_name,
                                                std::string_view key) const {
    std::string value;
    auto status = db_->Get(rocksdb::ReadOptions(), family(family_name),
                           rocksdb::Slice(key.data(), key.size()), &value);
    if (status.IsNotFound()) return std::nullopt;
    check(status, "get");
    return value;
}

void StorageDatabase::put(std::string_view family_name, std::string_view key,
                          std::string_view value) {
    rocksdb::WriteOptions options;
    options.sync = true;
    check(db_->Put(options, family(family_name), rocksdb::Slice(key.data(), key.size()),
                   rocksdb::Slice(value.data(), value.size())),
          "put");
}

storage::ImageRecord StorageDatabase::image(const std::string& name) const {
    auto stored = get("images", name);
    if (!stored) throw std::runtime_error("no image record named " + name);
    auto record = decode_map<storage::ImageRecord>(as_bytes(*stored));
    if (!record) throw std::runtime_error("image record " + name + ": " + record.error().message);
    return std::move(*record);
}

void StorageDatabase::put_image(std::string_view key, const storage::ImageRecord& record) {
    auto encoded = encode_map(record);
    put("images", key, as_string(encoded));
}

std::uint64_t StorageDatabase::append_to_feed(std::string_view name) {
    std::uint64_t last = 0;
    if (auto stored = get("meta", "last_seq")) last = read_big_endian(*stored);
    put("feed", big_endian(last + 1, 8), name);
    put("meta", "last_seq", big_endian(last + 1, 8));
    return last + 1;
}

Bytes StorageDatabase::chunk(const storage::ImageRecord& record, std::uint32_t index) const {
    auto stored = get("chunks", chunk_key_of(record.upload, index));
    if (!stored) throw std::runtime_error("no chunk " + std::to_string(index));
    return to_bytes(*stored);
}

void StorageDatabase::put_chunk(const storage::ImageRecord& record, std::uint32_t index,
                                ByteView bytes) {
    put("chunks", chunk_key_of(record.upload, index), as_string(bytes));
}

std::vector<std::pair<std::string, std::string>> StorageDatabase::entries(
    std::string_view family_name) const {
    std::vector<std::pair<std::string, std::string>> out;
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions(), family(family_name)));
    for (it->SeekToFirst(); it->Valid(); it->Next())
        out.emplace_back(it->key().ToString(), it->value().ToString());
    check(it->status(), "scan");
    return out;
}

::testing::AssertionResult rewrite_storage(Cluster& cluster,
                                           const std::function<void(StorageDatabase&)>& change) {
    cluster.stop_storage();
    {
        StorageDatabase database(cluster.storage_dir() / "db");
        change(database);
    }
    return cluster.start_storage();
}

::testing::AssertionResult corrupt_first_chunk(Cluster& cluster, const std::string& name) {
    cluster.stop_storage();
    {
        StorageDatabase database(cluster.storage_dir() / "db");
        auto record = database.image(name);
        auto chunk = database.chunk(record, 0);
        chunk[chunk.size() / 2] ^= 0x01;
        database.put_chunk(record, 0, chunk);
    }
    return cluster.start_storage();
}

}  // namespace imgshare::testing
