// What the certificate log (docs/TRANSPARENCY.md) adds to the CA's disk, per entry (issue #22,
// "Costs"): registers N users in a fresh ca::Registry, as REGISTER does (a real certificate of
// fresh random keys, signed by a CA key, one synced add_user() each), closes it, reopens the
// database with the registry's own options, flushes and compacts every column family, and
// prints one JSON object:
//
//   log_disk_use [--users 1000] [--dir DIR]
//
//   {"users":N,"log_entries":N,
//    "log_logical_bytes_per_entry":..,   keys + values in the `log` family: the entry
//                                         ("e" index -> [1,"certificate",cert]) and its
//                                         index ("c" name 0x00 serial -> index)
//    "log_entry_value_bytes_per_entry":.., the entries' values alone
//    "log_sst_bytes_per_entry":..,        the `log` family's table files after compaction
//    "others_logical_bytes_per_user":.., "others_sst_bytes_per_user":..,  every other family
//                                         (certs, by_curve_key, meta): the registry before the log
//    "directory_bytes":..}                the whole registry directory then (tables, WAL,
//                                         MANIFEST, OPTIONS, RocksDB's LOG)
//
// Without --dir a temporary directory is made and removed. The in-memory tree (about 64 bytes
// an entry, rebuilt at start) is not on disk and not counted.
#include <rocksdb/db.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ca-service/certificate_authority.h"
#include "ca-service/registry.h"
// The registry's own column families and RocksDB options, so that the tables measured are
// the ones the CA writes.
#include "ca-service/registry_database.h"
#include "common/certificate.h"
#include "common/crypto/keys.h"

namespace fs = std::filesystem;
using namespace imgshare;

namespace {

[[noreturn]] void die(const std::string& message) {
    std::fprintf(stderr, "log_disk_use: %s\n", message.c_str());
    std::exit(1);
}

std::uint64_t directory_bytes(const fs::path& dir) {
    std::uint64_t total = 0;
    for (const auto& entry : fs::recursive_directory_iterator(dir))
        if (entry.is_regular_file()) total += entry.file_size();
    return total;
}

}  // namespace

int main(int argc, char** argv) {
    std::uint64_t users = 1000;
    fs::path dir;
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg == "--users" && i + 1 < argc) {
            users = std::strtoull(argv[++i], nullptr, 10);
        } else if (arg == "--dir" && i + 1 < argc) {
            dir = argv[++i];
        } else {
            std::fprintf(stderr, "usage: log_disk_use [--users N] [--dir DIR]\n");
            return arg == "--help" || arg == "-h" ? 0 : 2;
        }
    }
    if (users == 0) die("--users wants a number >= 1");
    bool temporary = dir.empty();
    if (temporary) {
        std::string pattern = (fs::temp_directory_path() / "log-disk-use-XXXXXX").string();
        if (!mkdtemp(pattern.data())) die("cannot make a temporary directory");
        dir = pattern;
    }
    const fs::path path = ca::registry_path(dir);
    if (fs::exists(path)) die(path.string() + " exists: give an empty --dir");

    // Registration as CertificateAuthority::issue() makes it: the same fields and issuer.
    {
        auto opened = ca::Registry::open(path);
        if (!opened) die(opened.error().message);
        auto ca_keys = generate_signing_keys();
        const std::int64_t now = std::time(nullptr);
        for (std::uint64_t i = 0; i < users; ++i) {
            Certificate fields;
            fields.serial = *opened->next_serial();
            char name[32];
            std::snprintf(name, sizeof name, "user%05llu", static_cast<unsigned long long>(i));
            fields.username = name;
            fields.sign_pk = generate_signing_keys().public_key;
            fields.box_pk = generate_box_keys().public_key;
            fields.curve_pk = generate_curve_keys().public_key;
            fields.not_before = now - 300;
            fields.not_after = now + 365 * 86400;
            fields.issuer = std::string(ca::kIssuer);
            auto certificate = issue_certificate(std::move(fields), ca_keys.secret_key);
            auto added = opened->add_user(certificate.username, certificate.curve_pk,
                                          certificate.serial, encode_certificate(certificate));
            if (!added) die(added.error().message);
        }
        if (opened->log_size() != users) die("the log does not hold one entry per user");
    }

    // Reopened with the registry's options: every family flushed and compacted to its tables.
    using namespace ca::registry_detail;
    auto options = database_options();
    options.create_if_missing = false;
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const char* name : kFamilyNames)
        descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions(options));
    std::vector<rocksdb::ColumnFamilyHandle*> families;
    rocksdb::DB* raw = nullptr;
    auto status =
        rocksdb::DB::Open(rocksdb::DBOptions(options), path.string(), descriptors, &families, &raw);
    if (!status.ok()) die(status.ToString());
    std::unique_ptr<rocksdb::DB> db(raw);

    std::uint64_t log_logical = 0, log_values = 0, log_entries = 0, log_sst = 0;
    std::uint64_t others_logical = 0, others_sst = 0;
    for (std::size_t f = 0; f < families.size(); ++f) {
        if (!(status = db->Flush(rocksdb::FlushOptions(), families[f])).ok()) die(status.ToString());
        if (!(status = db->CompactRange(rocksdb::CompactRangeOptions(), families[f], nullptr,
                                        nullptr))
                 .ok()) {
            die(status.ToString());
        }
        std::uint64_t logical = 0;
        std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), families[f]));
        for (it->SeekToFirst(); it->Valid(); it->Next()) {
            logical += it->key().size() + it->value().size();
            if (f == kLog && !it->key().empty() && it->key()[0] == 'e') {
                log_values += it->value().size();
                ++log_entries;
            }
        }
        std::uint64_t sst = 0;
        if (!db->GetIntProperty(families[f], "rocksdb.total-sst-files-size", &sst)) sst = 0;
        if (f == kLog) {
            log_logical = logical, log_sst = sst;
        } else {
            others_logical += logical, others_sst += sst;
        }
    }
    for (auto* family : families)
        db->DestroyColumnFamilyHandle(family);
    db->Close().PermitUncheckedError();
    db.reset();
    const std::uint64_t on_disk = directory_bytes(path);
    if (temporary) fs::remove_all(dir);

    auto per = [](std::uint64_t bytes, std::uint64_t count) {
        return static_cast<double>(bytes) / static_cast<double>(count);
    };
    std::printf(
        "{\"users\":%llu,\"log_entries\":%llu,\"log_logical_bytes_per_entry\":%.1f,"
        "\"log_entry_value_bytes_per_entry\":%.1f,\"log_sst_bytes_per_entry\":%.1f,"
        "\"others_logical_bytes_per_user\":%.1f,\"others_sst_bytes_per_user\":%.1f,"
        "\"directory_bytes\":%llu}\n",
        static_cast<unsigned long long>(users), static_cast<unsigned long long>(log_entries),
        per(log_logical, log_entries), per(log_values, log_entries), per(log_sst, log_entries),
        per(others_logical, users), per(others_sst, users),
        static_cast<unsigned long long>(on_disk));
    return 0;
}
