// A whole imgshare system for one test: CA, storage node and broker started
// from the real executables on free loopback ports, in a temporary directory,
// with real keys, RocksDB and CURVE; stopped by pid when the test ends.
#pragma once

#include <gtest/gtest.h>

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
    std::vector<std::string> storage_args{};  // extra flags for imgshare-storage run
    std::vector<std::string> broker_args{};
    std::vector<std::string> ca_args{};  // extra flags for imgshare-ca run
    // One imgshare-witness beside the CA (which sends it every checkpoint), and the trust
    // file requiring its cosignature (witness_key, witness_quorum = 1).
    bool witness = false;
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
    std::filesystem::path witness_dir() const { return dir_ / "witness"; }
    std::string client_endpoint() const;
    std::string events_endpoint() const;
    std::string backend_endpoint() const;
    const Bytes& broker_public_key() const { return broker_public_key_; }
    const Bytes& ca_verify_key() const { return ca_verify_key_; }
    const Bytes& log_verify_key() const { return log_verify_key_; }

    // Each starts its process and waits until it is up: the broker until it serves (it
    // exits at once if it cannot bind), a service until the broker has its READY.
    [[nodiscard]] ::testing::AssertionResult start_ca();
    [[nodiscard]] ::testing::AssertionResult start_storage();
    [[nodiscard]] ::testing::AssertionResult start_broker();
    void stop_ca();
    void stop_storage();
    void stop_broker();
    // The witness (ClusterOptions::witness): started before the CA; up once it serves.
    [[nodiscard]] ::testing::AssertionResult start_witness();
    void stop_witness();
    std::string witness_endpoint() const;
    const Bytes& witness_key() const { return witness_key_; }                // Ed25519
    const Bytes& witness_public_key() const { return witness_public_key_; }  // CURVE
    // kill -9, as a crash: no DISCONNECT, nothing closed cleanly. start_*() brings the
    // server back on the same ports and data directory.
    void kill_ca();
    void kill_storage();
    void kill_broker();
    Process* broker() { return broker_.get(); }
    Process* ca() { return ca_.get(); }
    Process* storage() { return storage_.get(); }

    // How many READYs from `service` the brokers of this cluster have logged (every
    // generation of the broker: a restarted one logs the services' READY again).
    size_t ready_count(const std::string& service) const;
    // Waits until the broker has seen READY from `service` `count` times in all.
    ::testing::AssertionResult wait_for_service(
        const std::string& service, size_t count,
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

    // A small valid PNG written to `file_name` in the cluster's directory; its path.
    std::filesystem::path small_png(const std::string& file_name);
    // `home` downloads image `name` to a new file in the cluster's directory: success when
    // that file is byte for byte `original`; else a failure with the client's error.
    ::testing::AssertionResult download_matches(const std::filesystem::path& home,
                                                const std::string& name,
                                                const std::filesystem::path& original);

  private:
    // `imgshare-ca run` or `imgshare-storage run` on this cluster's backend.
    std::vector<std::string> service_command(const std::string& name,
                                             const std::filesystem::path& data_dir,
                                             const std::vector<std::string>& args) const;
    // Starts `argv` as `process` and waits for one more READY from `service`.
    ::testing::AssertionResult start_service(std::unique_ptr<Process>& process,
                                             const std::vector<std::string>& argv,
                                             const std::string& service);

    ClusterOptions options_;
    std::filesystem::path dir_;
    int client_port_ = 0, events_port_ = 0, backend_port_ = 0;
    Bytes broker_public_key_;
    Bytes ca_verify_key_;
    Bytes log_verify_key_;
    std::string ca_service_key_, storage_service_key_;
    std::unique_ptr<Process> ca_, storage_, broker_, witness_;
    int witness_port_ = 0;
    Bytes witness_key_, witness_public_key_;
    int broker_generation_ = 0;
    int watcher_count_ = 0;
    int download_count_ = 0;
};

// A small valid PNG image (a few hundred bytes) and a large image-like file
// (PNG magic + pseudo-random bytes) of `size` bytes, written to `path`.
void write_small_png(const std::filesystem::path& path);
void write_large_image(const std::filesystem::path& path, size_t size, unsigned seed = 1);
bool files_equal(const std::filesystem::path& a, const std::filesystem::path& b);
// Every regular file under each of `roots`, recursively.
std::vector<std::filesystem::path> files_under(const std::vector<std::filesystem::path>& roots);

// Whether a command failed with "error: CODE: ..." on stderr, as the clients say it.
bool has_error(const CommandResult& result, const std::string& code);

}  // namespace imgshare::testing
