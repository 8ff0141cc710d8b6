// Helpers for the end-to-end tests: a test's direct hands on the storage
// node's RocksDB (while the node is stopped), a user's keys from their home,
// and a raw subscriber on the broker's event socket.
#pragma once

#include <rocksdb/db.h>
#include <zmq.hpp>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/keystore.h"
#include "common/net/socket_options.h"
#include "common/protocol/event.h"
#include "tests/integration/support/cluster.h"

namespace imgshare::testing {

inline constexpr std::string_view kTestPassphrase = "correct horse battery staple";

inline bool has_error(const CommandResult& result, const std::string& code) {
    return result.exit_code != 0 && result.err.find("error: " + code + ":") != std::string::npos;
}

struct User {
    UserKeys keys;
    Certificate certificate;
};

inline User load_user(const std::filesystem::path& home) {
    Keystore keystore(home);
    auto keys = keystore.load(kTestPassphrase);
    auto certificate = keystore.load_certificate();
    if (!keys || !certificate) throw std::runtime_error("cannot load the test user's keystore");
    return User{std::move(*keys), std::move(*certificate)};
}

// The storage node's database, opened by the test itself: the node must be
// stopped. Closed when this goes.
class StorageDatabase {
  public:
    explicit StorageDatabase(const std::filesystem::path& storage_dir) {
        auto path = (storage_dir / "db").string();
        std::vector<std::string> names;
        check(rocksdb::DB::ListColumnFamilies({}, path, &names), "list column families");
        std::vector<rocksdb::ColumnFamilyDescriptor> families;
        for (const auto& name : names)
            families.emplace_back(name, rocksdb::ColumnFamilyOptions());
        std::vector<rocksdb::ColumnFamilyHandle*> handles;
        rocksdb::DB* raw = nullptr;
        check(rocksdb::DB::Open(rocksdb::DBOptions(), path, families, &handles, &raw), "open");
        db_.reset(raw);
        for (std::size_t i = 0; i < names.size(); ++i)
            handles_[names[i]] = handles[i];
    }
    ~StorageDatabase() {
        for (auto& [name, handle] : handles_)
            (void)db_->DestroyColumnFamilyHandle(handle);
    }
    StorageDatabase(const StorageDatabase&) = delete;
    StorageDatabase& operator=(const StorageDatabase&) = delete;

    std::map<std::string, std::string> all(const std::string& family) {
        std::map<std::string, std::string> entries;
        std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}, handle(family)));
        for (it->SeekToFirst(); it->Valid(); it->Next())
            entries[it->key().ToString()] = it->value().ToString();
        return entries;
    }
    std::string get(const std::string& family, const std::string& key) {
        std::string value;
        check(db_->Get({}, handle(family), key, &value), "get");
        return value;
    }
    void put(const std::string& family, const std::string& key, const std::string& value) {
        rocksdb::WriteOptions options;
        options.sync = true;
        check(db_->Put(options, handle(family), key, value), "put");
    }

  private:
    static void check(const rocksdb::Status& status, const std::string& what) {
        if (!status.ok()) throw std::runtime_error(what + ": " + status.ToString());
    }
    rocksdb::ColumnFamilyHandle* handle(const std::string& family) {
        auto found = handles_.find(family);
        if (found == handles_.end()) throw std::runtime_error("no column family " + family);
        return found->second;
    }

    std::unique_ptr<rocksdb::DB> db_;
    std::map<std::string, rocksdb::ColumnFamilyHandle*> handles_;
};

// The grant key of the storage node's `grants` family (storage-node/storage_keys.h).
inline std::string grant_key_of(const std::string& name, const std::string& recipient) {
    return name + std::string(1, '\0') + recipient;
}

// A SUB socket on the broker's events endpoint, authenticated with `keys`, asking for
// `topics` in order (the broker admits or ignores each).
class Subscriber {
  public:
    Subscriber(Cluster& cluster, const CurveKeyPair& keys, const std::vector<std::string>& topics)
        : socket_(context_, zmq::socket_type::sub) {
        net::harden_peer_socket(socket_);
        net::make_curve_client(socket_, cluster.broker_public_key(), keys.public_key,
                               keys.secret_key.view());
        for (const auto& topic : topics)
            socket_.set(zmq::sockopt::subscribe, topic);
        socket_.connect(cluster.events_endpoint());
    }

    // The next event, or nullopt after `timeout`.
    std::optional<DecodedEvent> next(std::chrono::milliseconds timeout) {
        zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
        if (zmq::poll(&item, 1, timeout) == 0) return std::nullopt;
        Frames frames;
        zmq::message_t frame;
        do {
            if (!socket_.recv(frame)) return std::nullopt;
            auto bytes = static_cast<const std::uint8_t*>(frame.data());
            frames.emplace_back(bytes, bytes + frame.size());
        } while (frame.more());
        auto event = decode_event(frames);
        if (!event) throw std::runtime_error("malformed event: " + event.error().message);
        return std::move(*event);
    }

  private:
    zmq::context_t context_{1};
    zmq::socket_t socket_;
};

// How many lines of `text` contain `needle`.
inline std::size_t count_lines_with(const std::string& text, const std::string& needle) {
    std::size_t count = 0;
    std::size_t at = 0;
    while (at < text.size()) {
        auto end = text.find('\n', at);
        if (end == std::string::npos) end = text.size();
        if (text.substr(at, end - at).find(needle) != std::string::npos) ++count;
        at = end + 1;
    }
    return count;
}

}  // namespace imgshare::testing
