// After a whole session (register, post, watch, download), every file any
// process wrote is scanned — the CA's, storage node's and broker's data
// directories with their RocksDB files and protocol logs, their stdout and
// stderr, the users' homes — for every secret the test can learn: the users'
// and servers' private keys, the image's content key, the passphrase, and the
// image's plaintext bytes. None may appear, in any encoding.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>

#include "common/crypto/sealed_box.h"
#include "tests/integration/support/cluster_fixture.h"
#include "tests/integration/support/raw_client.h"
#include "tests/integration/support/signed_requests.h"
#include "tests/integration/support/wait.h"

namespace imgshare::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Secrets to look for, each under a name for the report. It finds any 16-byte window of a
// secret written raw, inside any run of hex (either case) or base64 (standard or URL-safe)
// text at any alignment, and a 32-byte secret's Z85 text; in time linear in the file.
class SecretScanner {
  public:
    static constexpr std::size_t kWindow = 16;

    void watch(std::string name, Bytes secret) {
        auto index = secrets_.size();
        if (secret.size() == 32) z85_.emplace_back(z85_encode(secret), index);
        secrets_.push_back({std::move(name), std::move(secret)});
        const Bytes& bytes = secrets_.back().bytes;
        for (std::size_t i = 0; i + kWindow <= bytes.size(); ++i)
            windows_.push_back({prefix_of(bytes.data() + i), bytes.data() + i, index});
        std::sort(windows_.begin(), windows_.end(),
                  [](const Window& a, const Window& b) { return a.prefix < b.prefix; });
    }

    // "<secret> in <file> (<encoding>)" for every secret found in the file.
    std::vector<std::string> scan(const fs::path& file) const {
        auto text = read_text(file);
        std::set<std::pair<std::size_t, std::string>> found;
        find_raw(as_bytes(text), "raw", found);
        for_each_run(text, is_hex, 2 * kWindow, [&](std::string_view run) {
            for (std::size_t shift = 0; shift < 2; ++shift)
                find_raw(decode_hex(run.substr(shift)), "hex", found);
        });
        for_each_run(text, is_base64, 22, [&](std::string_view run) {
            for (std::size_t shift = 0; shift < 4; ++shift)
                find_raw(decode_base64(run.substr(shift)), "base64", found);
        });
        for (const auto& [z85, index] : z85_) {
            for (std::size_t at = 0; at + 20 <= z85.size(); at += 5) {  // 5 chars = 4 bytes
                if (text.find(z85.substr(at, 20)) != std::string::npos) {
                    found.insert({index, "z85"});
                    break;
                }
            }
        }
        std::vector<std::string> leaks;
        for (const auto& [index, encoding] : found)
            leaks.push_back(secrets_[index].name + " in " + file.string() + " (" + encoding + ")");
        return leaks;
    }

  private:
    struct Secret {
        std::string name;
        Bytes bytes;
    };
    struct Window {
        std::uint64_t prefix;
        const std::uint8_t* bytes;
        std::size_t secret;
    };

    static std::uint64_t prefix_of(const std::uint8_t* bytes) {
        std::uint64_t prefix = 0;
        std::memcpy(&prefix, bytes, sizeof prefix);
        return prefix;
    }

    void find_raw(ByteView data, const char* encoding,
                  std::set<std::pair<std::size_t, std::string>>& found) const {
        for (std::size_t p = 0; p + kWindow <= data.size(); ++p) {
            auto prefix = prefix_of(data.data() + p);
            auto range = std::equal_range(
                windows_.begin(), windows_.end(), Window{prefix, nullptr, 0},
                [](const Window& a, const Window& b) { return a.prefix < b.prefix; });
            for (auto it = range.first; it != range.second; ++it) {
                if (std::memcmp(it->bytes, data.data() + p, kWindow) == 0) {
                    found.insert({it->secret, encoding});
                }
            }
        }
    }

    static bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }
    static bool is_base64(char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '+' || c == '/' ||
               c == '-' || c == '_';
    }

    template <class Predicate, class Visit>
    static void for_each_run(std::string_view text, Predicate in_run, std::size_t min_length,
                             Visit visit) {
        std::size_t start = 0;
        while (start < text.size()) {
            while (start < text.size() && !in_run(text[start]))
                ++start;
            auto end = start;
            while (end < text.size() && in_run(text[end]))
                ++end;
            if (end - start >= min_length) visit(text.substr(start, end - start));
            start = end;
        }
    }

    static int hex_value(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        return (std::tolower(static_cast<unsigned char>(c)) - 'a') + 10;
    }
    static Bytes decode_hex(std::string_view run) {
        Bytes out;
        for (std::size_t i = 0; i + 1 < run.size(); i += 2)
            out.push_back(
                static_cast<std::uint8_t>(hex_value(run[i]) * 16 + hex_value(run[i + 1])));
        return out;
    }
    static int base64_value(char c) {
        if (c >= 'A' && c <= 'Z') return c - 'A';
        if (c >= 'a' && c <= 'z') return c - 'a' + 26;
        if (c >= '0' && c <= '9') return c - '0' + 52;
        return (c == '+' || c == '-') ? 62 : 63;
    }
    static Bytes decode_base64(std::string_view run) {
        Bytes out;
        std::uint32_t accumulator = 0;
        int bits = 0;
        for (char c : run) {
            accumulator = (accumulator << 6) | static_cast<std::uint32_t>(base64_value(c));
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                out.push_back(static_cast<std::uint8_t>(accumulator >> bits));
                accumulator &= (1u << bits) - 1;
            }
        }
        return out;
    }

    std::deque<Secret> secrets_;  // a deque: windows point into its elements
    std::vector<Window> windows_;
    std::vector<std::pair<std::string, std::size_t>> z85_;
};

Bytes first_32(ByteView secret) {
    // An Ed25519 secret key is seed || public key: only the seed is secret.
    return Bytes(secret.begin(), secret.begin() + 32);
}

void watch_user(SecretScanner& scanner, const std::string& name, const UserKeys& keys) {
    scanner.watch(name + "'s signing key", first_32(keys.sign.secret_key.view()));
    auto box = keys.box.secret_key.view();
    scanner.watch(name + "'s box key", Bytes(box.begin(), box.end()));
    auto curve = keys.curve.secret_key.view();
    scanner.watch(name + "'s CURVE key", Bytes(curve.begin(), curve.end()));
}

// The secret in a server's key file (hex).
Bytes server_secret(const fs::path& key_file) {
    auto text = read_text(key_file);
    while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
        text.pop_back();
    auto bytes = from_hex(text);
    if (!bytes) throw std::runtime_error("not hex: " + key_file.string());
    return first_32(*bytes);
}

constexpr std::string_view kCoreLimitLabel = "Max core file size";

// The line of /proc/PID/limits with the soft and hard core-file limits of a process.
std::string core_limit_of(pid_t pid) {
    std::ifstream limits("/proc/" + std::to_string(pid) + "/limits");
    for (std::string line; std::getline(limits, line);) {
        if (line.starts_with(kCoreLimitLabel)) return line;
    }
    return "(none)";
}

class SecretScanTest : public ClusterTest {};

TEST_F(SecretScanTest, NoSecretReachesAnyFileThatAServerOrClientWrites) {
    auto alice_home = cluster_.new_user("alice");
    auto bob_home = cluster_.new_user("bob");
    auto outside = cluster_.dir() / "outside";  // downloads land here, outside every scan
    fs::create_directories(outside / "watched");
    auto watcher = cluster_.start_watcher(bob_home, {"--download", (outside / "watched").string()});
    auto image = cluster_.dir() / "secret-photo.png";
    // Large enough to fill the storage node's 4 MiB chunk memtable, so chunks reach RocksDB's
    // blob and table files as well as its write-ahead log.
    write_large_image(image, 6 << 20, 7);
    auto posted = cluster_.imgshare(alice_home, {"post", image.string()});
    ASSERT_EQ(posted.exit_code, 0) << posted.err;
    auto copy = outside / "copy.png";
    auto downloaded =
        cluster_.imgshare(bob_home, {"download", "secret-photo", "-o", copy.string()});
    ASSERT_EQ(downloaded.exit_code, 0) << downloaded.err;
    ASSERT_TRUE(files_equal(copy, image));
    ASSERT_TRUE(watcher->wait_for_output("downloaded secret-photo", 30s)) << watcher->err();

    // The content key, as bob's client learns it.
    auto alice = load_user(alice_home);
    auto bob = load_user(bob_home);
    RawClient bob_client(cluster_.client_endpoint(), cluster_.broker_public_key(), bob.keys.curve);
    auto record =
        decode_reply<DownloadReply>(*bob_client.call(encode(DownloadRequest{"secret-photo"}, 1)));
    ASSERT_TRUE(record.has_value()) << record.error().message;
    auto content_key = unseal(record->wrapped_key, bob.keys.box);
    ASSERT_TRUE(content_key.has_value());

    watcher->stop();
    cluster_.stop_broker();
    cluster_.stop_storage();
    cluster_.stop_ca();

    SecretScanner everywhere;  // in no file at all
    watch_user(everywhere, "alice", alice.keys);
    watch_user(everywhere, "bob", bob.keys);
    everywhere.watch("the content key",
                     Bytes(content_key->view().begin(), content_key->view().end()));
    everywhere.watch("the passphrase", to_bytes(kTestPassphrase));
    // Distinctive pieces of the image: 24 slices of 4 KiB spread over it.
    auto image_bytes = to_bytes(read_text(image));
    for (std::size_t slice = 0; slice < 24; ++slice) {
        auto at =
            image_bytes.begin() + static_cast<std::ptrdiff_t>(slice * (image_bytes.size() / 24));
        everywhere.watch("the image at slice " + std::to_string(slice), Bytes(at, at + 4096));
    }
    SecretScanner outside_key_files;  // a server's secret keys: only in its own key file
    for (const auto& dir : {cluster_.ca_dir(), cluster_.storage_dir(), cluster_.broker_dir()}) {
        for (const auto& file : files_under({dir})) {
            if (file.extension() == ".key") {
                outside_key_files.watch(file.string(), server_secret(file));
            }
        }
    }

    // The scanner finds what it looks for: the image in its own file, a server's key in its
    // key file, the content key and passphrase when written out as hex and base64 text.
    ASSERT_FALSE(everywhere.scan(image).empty());
    ASSERT_FALSE(outside_key_files.scan(cluster_.ca_dir() / "ca_signing.key").empty());
    auto control = cluster_.dir() / "control.txt";
    std::ofstream(control) << "key " << to_hex(content_key->view()) << "\n";
    ASSERT_FALSE(everywhere.scan(control).empty());

    std::vector<fs::path> scanned;
    for (const auto& dir : {cluster_.ca_dir(), cluster_.storage_dir(), cluster_.broker_dir(),
                            cluster_.dir() / "homes"}) {
        auto files = files_under({dir});
        scanned.insert(scanned.end(), files.begin(), files.end());
    }
    for (const auto& entry : fs::directory_iterator(cluster_.dir())) {
        auto extension = entry.path().extension();
        if (extension == ".out" || extension == ".err") scanned.push_back(entry.path());
    }
    bool saw_write_ahead_log = false, saw_blob_or_table = false, saw_protocol_log = false;
    for (const auto& file : scanned) {
        saw_write_ahead_log |= file.extension() == ".log" && file.filename() != "protocol.log";
        saw_blob_or_table |= file.extension() == ".blob" || file.extension() == ".sst";
        saw_protocol_log |= file.filename() == "protocol.log";
        for (const auto& leak : everywhere.scan(file))
            ADD_FAILURE() << leak;
        if (file.extension() == ".key") continue;
        for (const auto& leak : outside_key_files.scan(file))
            ADD_FAILURE() << leak;
    }
    EXPECT_TRUE(saw_write_ahead_log) << "no RocksDB write-ahead log was scanned";
    EXPECT_TRUE(saw_blob_or_table) << "no RocksDB blob or table file was scanned";
    EXPECT_TRUE(saw_protocol_log);
    EXPECT_GT(scanned.size(), 20u);
}

TEST_F(SecretScanTest, CoreDumpsAreOffInEveryProcessThatHoldsSecrets) {
    auto bob = cluster_.new_user("bob");
    auto watcher = cluster_.start_watcher(bob);
    for (auto* process : {cluster_.broker(), cluster_.ca(), cluster_.storage(), watcher.get()}) {
        // Set at the top of main: wait until the process has got that far (after exec).
        std::string limit;
        EXPECT_TRUE(wait_until(
            [&] {
                limit = core_limit_of(process->pid());
                std::istringstream fields(
                    limit.substr(std::min(limit.size(), kCoreLimitLabel.size())));
                std::string soft, hard;
                fields >> soft >> hard;
                return soft == "0" && hard == "0";
            },
            20s, "core dumps off in pid " + std::to_string(process->pid())))
            << limit;
    }
}

TEST_F(SecretScanTest, DataDirectoriesHomesAndKeyFilesAreClosedToOtherUsers) {
    auto alice = cluster_.new_user("alice");
    auto mode_of = [](const fs::path& path) {
        struct stat info {};
        if (stat(path.c_str(), &info) != 0) return -1;
        return static_cast<int>(info.st_mode & 07777);
    };
    for (const auto& dir : {cluster_.ca_dir(), cluster_.storage_dir(), cluster_.broker_dir(),
                            cluster_.ca_dir() / "registry", alice}) {
        EXPECT_EQ(mode_of(dir), 0700) << dir;
    }
    std::vector<fs::path> private_files{
        alice / "keys.sealed", alice / "protocol.log", cluster_.broker_dir() / "protocol.log",
        cluster_.ca_dir() / "protocol.log", cluster_.storage_dir() / "protocol.log"};
    for (const auto& dir : {cluster_.ca_dir(), cluster_.storage_dir(), cluster_.broker_dir()}) {
        for (const auto& file : files_under({dir})) {
            if (file.extension() == ".key") private_files.push_back(file);
        }
    }
    EXPECT_GE(private_files.size(), 10u);
    for (const auto& file : private_files)
        EXPECT_EQ(mode_of(file), 0600) << file;
}

}  // namespace
}  // namespace imgshare::testing
