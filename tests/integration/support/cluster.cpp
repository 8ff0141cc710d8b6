#include "tests/integration/support/cluster.h"

#include <stdlib.h>

#include <fstream>
#include <random>
#include <stdexcept>

#include "common/crypto/keys.h"
#include "common/trust_file.h"
#include "tests/integration/support/wait.h"

namespace imgshare::testing {
namespace {

namespace fs = std::filesystem;

std::string endpoint(int port) {
    return "tcp://127.0.0.1:" + std::to_string(port);
}

// The value of "key = value" in a command's output.
std::string value_of(const std::string& text, const std::string& key) {
    size_t at = 0;
    while (at < text.size()) {
        auto end = text.find('\n', at);
        if (end == std::string::npos) end = text.size();
        auto line = text.substr(at, end - at);
        auto equals = line.find('=');
        if (equals != std::string::npos) {
            auto name = line.substr(0, equals);
            while (!name.empty() && name.back() == ' ')
                name.pop_back();
            if (name == key) {
                auto value = line.substr(equals + 1);
                while (!value.empty() && value.front() == ' ')
                    value.erase(value.begin());
                return value;
            }
        }
        at = end + 1;
    }
    return {};
}

void kill_hard(std::unique_ptr<Process>& process) {
    if (process) process->kill_hard();
    process.reset();
}

}  // namespace

Cluster::Cluster(ClusterOptions options) : options_(std::move(options)) {
    char pattern[] = "/tmp/imgshare-cluster-XXXXXX";
    if (!mkdtemp(pattern)) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    client_port_ = free_port();
    events_port_ = free_port();
    backend_port_ = free_port();

    auto broker_init =
        run_command({executable("imgshare-broker"), "init", "--data-dir", broker_dir()});
    if (broker_init.exit_code != 0) throw std::runtime_error("broker init: " + broker_init.err);
    auto broker_key_text = broker_init.out.substr(0, broker_init.out.find('\n'));
    broker_public_key_ = z85_decode(broker_key_text).value();

    auto ca_init = run_command({executable("imgshare-ca"), "init", "--data-dir", ca_dir()});
    if (ca_init.exit_code != 0) throw std::runtime_error("ca init: " + ca_init.err);
    ca_verify_key_ = from_hex(value_of(ca_init.out, "ca_verify_key")).value();
    ca_service_key_ = value_of(ca_init.out, "service_public_key");
    log_verify_key_ = from_hex(value_of(ca_init.out, "log_verify_key")).value();

    auto storage_init =
        run_command({executable("imgshare-storage"), "init", "--data-dir", storage_dir()});
    if (storage_init.exit_code != 0) throw std::runtime_error("storage init: " + storage_init.err);
    storage_service_key_ = value_of(storage_init.out, "service_public_key");

    TrustAnchors trust{ca_verify_key_, broker_public_key_, std::nullopt, log_verify_key_};
    if (options_.witness) {
        auto witness_init =
            run_command({executable("imgshare-witness"), "init", "--data-dir", witness_dir()});
        if (witness_init.exit_code != 0) {
            throw std::runtime_error("witness init: " + witness_init.err);
        }
        witness_key_ = from_hex(value_of(witness_init.out, "witness_key")).value();
        witness_public_key_ = z85_decode(value_of(witness_init.out, "witness_public_key")).value();
        trust.witnesses = transparency::WitnessPolicy{{witness_key_}, 1};
        witness_port_ = free_port();
        if (auto serving = start_witness(); !serving) {
            throw std::runtime_error("the witness did not start: " +
                                     std::string(serving.message()));
        }
        options_.ca_args.push_back("--witness");
        options_.ca_args.push_back(witness_endpoint() + "," + z85_encode(witness_public_key_));
    }
    std::ofstream(trust_file()) << format_trust(trust);

    // Another test may bind a port between our check and the broker's bind:
    // then the broker exits at once, and it gets fresh ports.
    for (int attempt = 0;; ++attempt) {
        auto serving = start_broker();
        if (serving) break;
        if (broker_->running() || attempt == 4) {
            throw std::runtime_error("the broker did not start: " + std::string(serving.message()) +
                                     "\n" + broker_->err());
        }
        client_port_ = free_port();
        events_port_ = free_port();
        backend_port_ = free_port();
    }
    if (auto ready = start_ca(); !ready) {
        throw std::runtime_error("the CA did not become ready: " + std::string(ready.message()));
    }
    if (options_.start_storage) {
        if (auto ready = start_storage(); !ready) {
            throw std::runtime_error("the storage node did not become ready: " +
                                     std::string(ready.message()));
        }
    }
}

Cluster::~Cluster() {
    storage_.reset();
    ca_.reset();
    broker_.reset();
    witness_.reset();
    if (!getenv("IMGSHARE_KEEP_TEST_DIRS")) {
        std::error_code ignored;
        fs::remove_all(dir_, ignored);
    }
}

std::string Cluster::client_endpoint() const {
    return endpoint(client_port_);
}
std::string Cluster::events_endpoint() const {
    return endpoint(events_port_);
}
std::string Cluster::backend_endpoint() const {
    return endpoint(backend_port_);
}

::testing::AssertionResult Cluster::start_broker() {
    std::vector<std::string> argv{executable("imgshare-broker"),
                                  "run",
                                  "--data-dir",
                                  broker_dir(),
                                  "--clients",
                                  endpoint(client_port_),
                                  "--events",
                                  endpoint(events_port_),
                                  "--backend",
                                  endpoint(backend_port_),
                                  "--ca-service-key",
                                  ca_service_key_,
                                  "--service-key",
                                  storage_service_key_};
    argv.insert(argv.end(), options_.broker_args.begin(), options_.broker_args.end());
    broker_ =
        std::make_unique<Process>(argv, dir_ / ("broker-" + std::to_string(broker_generation_++)));
    // Logged once every socket is bound.
    return broker_->wait_for_err("broker serving", std::chrono::seconds(15));
}

std::vector<std::string> Cluster::service_command(const std::string& name, const fs::path& data_dir,
                                                  const std::vector<std::string>& args) const {
    std::vector<std::string> argv{executable(name), "run",
                                  "--data-dir",     data_dir,
                                  "--broker",       endpoint(backend_port_),
                                  "--broker-key",   z85_encode(broker_public_key_)};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
}

::testing::AssertionResult Cluster::start_service(std::unique_ptr<Process>& process,
                                                  const std::vector<std::string>& argv,
                                                  const std::string& service) {
    auto ready_before = ready_count(service);
    process = std::make_unique<Process>(argv, dir_ / (service + "-process"));
    return wait_for_service(service, ready_before + 1);
}

::testing::AssertionResult Cluster::start_ca() {
    return start_service(ca_, service_command("imgshare-ca", ca_dir(), options_.ca_args), "ca");
}

::testing::AssertionResult Cluster::start_storage() {
    auto argv =
        service_command("imgshare-storage", storage_dir(), {"--ca-key", to_hex(ca_verify_key_)});
    argv.insert(argv.end(), options_.storage_args.begin(), options_.storage_args.end());
    return start_service(storage_, argv, "storage");
}

std::string Cluster::witness_endpoint() const {
    return endpoint(witness_port_);
}

::testing::AssertionResult Cluster::start_witness() {
    witness_ = std::make_unique<Process>(
        std::vector<std::string>{executable("imgshare-witness"), "run", "--data-dir",
                                 witness_dir(), "--bind", witness_endpoint(), "--log-verify-key",
                                 to_hex(log_verify_key_)},
        dir_ / "witness-process");
    return witness_->wait_for_err("witnessing the certificate log", std::chrono::seconds(15));
}

void Cluster::stop_witness() {
    witness_.reset();
}

void Cluster::stop_ca() {
    ca_.reset();
}
void Cluster::stop_storage() {
    storage_.reset();
}
void Cluster::stop_broker() {
    broker_.reset();
}

void Cluster::kill_ca() {
    kill_hard(ca_);
}
void Cluster::kill_storage() {
    kill_hard(storage_);
}
void Cluster::kill_broker() {
    kill_hard(broker_);
}

size_t Cluster::ready_count(const std::string& service) const {
    size_t count = 0;
    for (int generation = 0; generation < broker_generation_; ++generation) {
        count += count_of(read_text(dir_ / ("broker-" + std::to_string(generation) + ".err")),
                          "service " + service + " (");
    }
    return count;
}

::testing::AssertionResult Cluster::wait_for_service(const std::string& service, size_t count,
                                                     std::chrono::milliseconds timeout) {
    return wait_until([&] { return ready_count(service) >= count; }, timeout,
                      "READY from " + service + " " + std::to_string(count) + " time(s)");
}

std::map<std::string, std::string> Cluster::client_env() const {
    return client_test_env();
}

CommandResult Cluster::imgshare(const fs::path& home, const std::vector<std::string>& args,
                                std::chrono::seconds timeout) {
    std::vector<std::string> argv{executable("imgshare"), "--home", home};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv, client_env(), timeout);
}

fs::path Cluster::new_home(const std::string& label) {
    auto home = dir_ / "homes" / label;
    fs::create_directories(home.parent_path());
    auto result = imgshare(home, {"init", "--broker", client_endpoint(), "--events",
                                  events_endpoint(), "--trust", trust_file()});
    if (result.exit_code != 0) throw std::runtime_error("imgshare init: " + result.err);
    return home;
}

fs::path Cluster::new_user(const std::string& username) {
    auto home = new_home(username);
    auto result = imgshare(home, {"register", username});
    if (result.exit_code != 0) throw std::runtime_error("register " + username + ": " + result.err);
    return home;
}

std::unique_ptr<Process> Cluster::start_watcher(const fs::path& home,
                                                const std::vector<std::string>& args) {
    std::vector<std::string> argv{executable("imgshare-watch"), "--home", home};
    argv.insert(argv.end(), args.begin(), args.end());
    return std::make_unique<Process>(argv, dir_ / ("watcher-" + std::to_string(watcher_count_++)),
                                     client_env());
}

fs::path Cluster::small_png(const std::string& file_name) {
    auto path = dir_ / file_name;
    write_small_png(path);
    return path;
}

::testing::AssertionResult Cluster::download_matches(const fs::path& home, const std::string& name,
                                                     const fs::path& original) {
    auto copy = dir_ / ("download-" + std::to_string(++download_count_));
    auto downloaded = imgshare(home, {"download", name, "-o", copy.string()});
    if (downloaded.exit_code != 0) {
        return ::testing::AssertionFailure()
               << "downloading " << name << " failed: " << downloaded.err;
    }
    if (!files_equal(copy, original)) {
        return ::testing::AssertionFailure()
               << "the download of " << name << " differs from " << original;
    }
    return ::testing::AssertionSuccess();
}

void write_small_png(const fs::path& path) {
    // A 1x1 PNG: signature, IHDR, IDAT, IEND.
    static const unsigned char kPng[] = {
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48,
        0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00,
        0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78,
        0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0, 0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99,
        0x3d, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(kPng), sizeof kPng);
}

void write_large_image(const fs::path& path, size_t size, unsigned seed) {
    std::ofstream out(path, std::ios::binary);
    const unsigned char magic[] = {0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a};
    out.write(reinterpret_cast<const char*>(magic), sizeof magic);
    std::mt19937_64 random(seed);
    std::vector<std::uint64_t> block(8192);
    size_t written = sizeof magic;
    while (written < size) {
        for (auto& word : block)
            word = random();
        size_t n = std::min(size - written, block.size() * sizeof(std::uint64_t));
        out.write(reinterpret_cast<const char*>(block.data()), static_cast<std::streamsize>(n));
        written += n;
    }
}

bool files_equal(const fs::path& a, const fs::path& b) {
    std::error_code error;
    if (fs::file_size(a, error) != fs::file_size(b, error) || error) return false;
    std::ifstream left(a, std::ios::binary), right(b, std::ios::binary);
    std::vector<char> x(1 << 16), y(1 << 16);
    while (left && right) {
        left.read(x.data(), static_cast<std::streamsize>(x.size()));
        right.read(y.data(), static_cast<std::streamsize>(y.size()));
        if (left.gcount() != right.gcount()) return false;
        if (!std::equal(x.begin(), x.begin() + left.gcount(), y.begin())) return false;
    }
    return true;
}

std::vector<fs::path> files_under(const std::vector<fs::path>& roots) {
    std::vector<fs::path> files;
    for (const auto& root : roots) {
        for (const auto& entry : fs::recursive_directory_iterator(root)) {
            if (entry.is_regular_file()) files.push_back(entry.path());
        }
    }
    return files;
}

bool has_error(const CommandResult& result, const std::string& code) {
    return result.exit_code != 0 && result.err.find("error: " + code + ":") != std::string::npos;
}

}  // namespace imgshare::testing
