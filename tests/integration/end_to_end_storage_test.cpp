// End-to-end mode seen from the servers' disks: no server holds the image or
// a key that opens it (shown by reading every file and trying every key), and
// what a dishonest storage node could change in its database — whose grant a
// reader gets, who the recipients are — is caught by the reader, who then
// writes nothing.
#include <gtest/gtest.h>
#include <sodium.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>

#include "common/crypto/sealed_box.h"
#include "tests/integration/end_to_end_support.h"

namespace imgshare::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Every X25519 secret a key file could hold: its bytes as a scalar and, for an
// Ed25519 secret key, the X25519 key libsodium derives from it.
std::vector<BoxKeyPair> candidate_box_keys(const fs::path& key_file) {
    std::string text = read_text(key_file);
    text.erase(std::remove_if(text.begin(), text.end(), ::isspace), text.end());
    auto secret = from_hex(text);
    if (!secret) throw std::runtime_error("not a hex key file: " + key_file.string());
    std::vector<Bytes> scalars;
    if (secret->size() >= 32) scalars.emplace_back(secret->begin(), secret->begin() + 32);
    if (secret->size() == crypto_sign_SECRETKEYBYTES) {
        Bytes converted(32);
        if (crypto_sign_ed25519_sk_to_curve25519(converted.data(), secret->data()) == 0) {
            scalars.push_back(converted);
        }
    }
    std::vector<BoxKeyPair> keys;
    for (const auto& scalar : scalars) {
        Bytes public_key(32);
        if (crypto_scalarmult_base(public_key.data(), scalar.data()) != 0) continue;
        keys.push_back(BoxKeyPair{public_key, SecretBytes::copy_of(scalar)});
    }
    return keys;
}

class EndToEndStorageTest : public EndToEndUsersTest {
  protected:
    EndToEndStorageTest() : EndToEndUsersTest(700'000, 9) {}  // three chunks

    // The download fails with `code` and leaves nothing in a fresh directory.
    void expect_refused(const fs::path& home, const std::string& name, const std::string& code) {
        auto out_dir = cluster_.dir() / ("refused-" + std::to_string(++refusals_));
        fs::create_directories(out_dir);
        auto result = cluster_.imgshare(home, {"download", name, "-o", out_dir.string()});
        EXPECT_TRUE(has_error(result, code)) << result.err;
        EXPECT_TRUE(fs::is_empty(out_dir)) << "a refused download left something in " << out_dir;
    }

    int refusals_ = 0;
};

TEST_F(EndToEndStorageTest, NoServerHoldsThePlaintextOrAKeyThatOpensAGrant) {
    ASSERT_EQ(post_to("cat", "bob").exit_code, 0);
    auto copy = cluster_.dir() / "bob-copy.png";
    ASSERT_EQ(cluster_.imgshare(bob_, {"download", "cat", "-o", copy.string()}).exit_code, 0);
    ASSERT_TRUE(files_equal(copy, image_));
    cluster_.stop_storage();
    cluster_.stop_ca();
    cluster_.stop_broker();

    // Distinctive 32-byte windows of the image, searched for in every byte the servers keep:
    // RocksDB tables, blob files, WAL, MANIFEST, logs, keys.
    std::string plaintext = read_text(image_);
    std::vector<std::string> windows;
    for (std::size_t at : {std::size_t{0}, plaintext.size() / 3, plaintext.size() / 2,
                           2 * plaintext.size() / 3, plaintext.size() - 32}) {
        windows.push_back(plaintext.substr(at, 32));
    }
    auto holds_plaintext = [&](const fs::path& file) {
        std::string bytes = read_text(file);
        return std::any_of(windows.begin(), windows.end(), [&](const std::string& window) {
            return std::search(bytes.begin(), bytes.end(),
                               std::boyer_moore_searcher(window.begin(), window.end())) !=
                   bytes.end();
        });
    };
    EXPECT_TRUE(holds_plaintext(copy));  // the search finds what is there
    auto server_files =
        files_under({cluster_.ca_dir(), cluster_.broker_dir(), cluster_.storage_dir()});
    ASSERT_GT(server_files.size(), 10u);
    for (const auto& file : server_files)
        EXPECT_FALSE(holds_plaintext(file)) << "plaintext image bytes in " << file;

    // Every grant the storage node holds, tried with every private key the servers hold.
    std::map<std::string, std::string> grants;
    {
        StorageDatabase db(cluster_.storage_dir() / "db");
        for (auto& [key, value] : db.entries("grants"))
            grants[key] = value;
    }
    ASSERT_EQ(grants.size(), 2u);  // alice's own and bob's
    std::vector<BoxKeyPair> server_keys;
    std::size_t key_files = 0;
    for (const auto& file : server_files) {
        if (file.extension() != ".key") continue;
        ++key_files;
        for (auto& key : candidate_box_keys(file))
            server_keys.push_back(std::move(key));
    }
    EXPECT_GE(key_files, 5u);  // CA: signing, wrap, service; broker; storage: service
    for (const auto& [grant_key, sealed] : grants) {
        for (const auto& key : server_keys) {
            EXPECT_FALSE(unseal(as_bytes(sealed), key).has_value())
                << "a server key opens the grant " << grant_key;
        }
    }
    // The control: bob's own key opens bob's grant.
    auto bob = load_user(bob_);
    EXPECT_TRUE(unseal(as_bytes(grants.at(grant_key_of("cat", "bob"))), bob.keys.box).has_value());
}

TEST_F(EndToEndStorageTest, GrantSwappedBetweenRecipientsIsRefusedAndNothingWritten) {
    ASSERT_EQ(post_to("cat", "bob,carol").exit_code, 0);
    ASSERT_TRUE(rewrite_storage(cluster_, [](StorageDatabase& db) {
        auto bobs = db.get("grants", grant_key_of("cat", "bob")).value();
        auto carols = db.get("grants", grant_key_of("cat", "carol")).value();
        db.put("grants", grant_key_of("cat", "bob"), carols);
        db.put("grants", grant_key_of("cat", "carol"), bobs);
    }));
    expect_refused(bob_, "cat", "INTEGRITY");
    expect_refused(carol_, "cat", "INTEGRITY");
}

TEST_F(EndToEndStorageTest, RecipientListAlteredInTheDatabaseIsRefusedAndNothingWritten) {
    auto mallo = cluster_.new_user("mallo");
    ASSERT_EQ(post_to("cat", "bob,carol").exit_code, 0);
    ASSERT_EQ(post_to("dog", "bob,carol").exit_code, 0);
    ASSERT_TRUE(rewrite_storage(cluster_, [](StorageDatabase& db) {
        // cat: the signed list in the stored envelope names mallo instead of carol.
        auto cat = db.get("images", "cat").value();
        auto in_envelope = cat.find(
            "\xa5"
            "carol");
        ASSERT_NE(in_envelope, std::string::npos);
        cat.replace(in_envelope + 1, 5, "mallo");
        db.put("images", "cat", cat);
        // dog: the storage node lets mallo read it (its own list and carol's grant),
        // leaving the signed envelope alone.
        auto dog = db.get("images", "dog").value();
        auto in_record = dog.rfind(
            "\xa5"
            "carol");
        ASSERT_NE(in_record, std::string::npos);
        ASSERT_NE(in_record, dog.find("\xa5"
                                      "carol"));  // not the envelope's copy
        dog.replace(in_record + 1, 5, "mallo");
        db.put("images", "dog", dog);
        db.put("grants", grant_key_of("dog", "mallo"),
               db.get("grants", grant_key_of("dog", "carol")).value());
    }));
    expect_refused(bob_, "cat", "BAD_SIGNATURE");
    expect_refused(mallo, "dog", "BAD_SIGNATURE");
    // The untouched parts still work: bob reads dog.
    EXPECT_TRUE(cluster_.download_matches(bob_, "dog", image_));
}

}  // namespace
}  // namespace imgshare::testing
