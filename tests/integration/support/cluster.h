// A whole imgshare system for one test: CA, storage node and broker started
// from the real executables on free loopback ports, in a temporary directory,
// with real keys, RocksDB and CURVE; stopped by pid when the test ends.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "tests/integration/support/process.h"

namespace imgshare::testing {

struct ClusterOptions {
    bool start_storage = true;
    std::vector<std::string> storage_args;  // extra flags for imgshare-storage run
    std::vector<std::string> broker_args;
};

class Cluster {
  public:
    explicit Cluster(ClusterOptions options = {});
    ~Cluster();
    Cluster(const Cluster&) = delete;
    Cluster& operator=(const Cluster&) = delete;

    const std::filesystem::path& dir() const { return dir_; }
    std::filesystem::path ca_dir() const { return dir_ / "ca"; }
    std::filesystem::path storage_dir() const { return dir_ / "storage"; }
    std::filesystem::path broker_dir() const { return dir_ / "broker"; }
    std::filesystem::path trust_file() const { return dir_ / "trust"; }
    std::string client_endpoint() const;
    std::string events_endpoint() const;
    const Bytes& broker_public_key() const { return broker_public_key_; }
    const Bytes& ca_verify_key() const { return ca_verify_key_; }

    void start_ca();
    void start_storage();
    void start_broker();
    void stop_ca();
    void stop_storage();
    void kill_storage();
    void stop_broker();
    Process* broker() { return broker_.get(); }

    // Waits until the broker has seen READY from `service` `count` times in all.
    bool wait_for_service(const std::string& service, size_t count,
                          std::chrono::milliseconds timeout = std::chrono::seconds(15));

    // `imgshare --home HOME args...` with the test passphrase and fast KDF.
    CommandResult imgshare(const std::filesystem::path& home, const std::vector<std::string>& args,
                           std::chrono::seconds timeout = std::chrono::seconds(60));
    // A client home initialised against this cluster (not registered).
    std::filesystem::path new_home(const std::string& label);
    // A home initialised and registered as `username`.
    std::filesystem::path new_user(const std::string& username);
    // `imgshare-watch` for a home, running in the background.
    std::unique_ptr<Process> start_watcher(const std::filesystem::path& home,
                                           const std::vector<std::string>& args = {});
    std::map<std::string, std::string> client_env() const;

  private:
    std::string init_and_read(const std::vector<std::string>& argv, const std::string& key);
    size_t ready_count(const std::string& service) const;

    ClusterOptions options_;
    std::filesystem::path dir_;
    int client_port_ = 0, events_port_ = 0, backend_port_ = 0;
    Bytes broker_public_key_;
    Bytes ca_verify_key_;
    std::string ca_service_key_, storage_service_key_;
    std::unique_ptr<Process> ca_, storage_, broker_;
    int broker_generation_ = 0;
    int watcher_count_ = 0;
};

// A small valid PNG image (a few hundred bytes) and a large image-like file
// (PNG magic + pseudo-random bytes) of `size` bytes, written to `path`.
void write_small_png(const std::filesystem::path& path);
void write_large_image(const std::filesystem::path& path, size_t size, unsigned seed = 1);
bool files_equal(const std::filesystem::path& a, const std::filesystem::path& b);

}  // namespace imgshare::testing
