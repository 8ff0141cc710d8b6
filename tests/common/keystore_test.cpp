#include "common/keystore.h"

#include <gtest/gtest.h>

#include <fstream>

#include "common/crypto/keys.h"
#include "common/file_io.h"
#include "tests/common/scratch_dir.h"
#include "tests/common/support/same_keys.h"

namespace imgshare {
namespace {

using test::expect_same_keys;

namespace fs = std::filesystem;

constexpr std::string_view kStorePassphrase = "a long enough passphrase";
constexpr fs::perms kFileMode = fs::perms::owner_read | fs::perms::owner_write;
constexpr fs::perms kDirMode = fs::perms::owner_all;

void overwrite(const fs::path& path, const Bytes& contents) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(contents.data()),
              static_cast<std::streamsize>(contents.size()));
}

template <typename T>
void expect_error_naming(const Result<T>& result, ErrorCode code, const fs::path& path) {
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, code) << result.error().message;
    EXPECT_NE(result.error().message.find(path.string()), std::string::npos)
        << result.error().message;
}

class KeystoreTest : public ::testing::Test {
  protected:
    Result<void> create(const UserKeys& keys, std::string_view passphrase = kStorePassphrase) {
        return keystore_.create(keys, passphrase, KdfStrength::TestOnlyMinimum);
    }

    Certificate certificate(std::uint64_t serial) const {
        Certificate fields;
        fields.serial = serial;
        fields.username = "alice";
        fields.sign_pk = keys_.sign.public_key;
        fields.box_pk = keys_.box.public_key;
        fields.curve_pk = keys_.curve.public_key;
        fields.not_before = 1;
        fields.not_after = 2;
        fields.issuer = "imgshare-ca";
        return issue_certificate(fields, ca_.secret_key);
    }

    testing::ScratchDir scratch_;
    Keystore keystore_{scratch_.path() / "home" / ".imgshare"};
    UserKeys keys_ = generate_user_keys();
    SigningKeyPair ca_ = generate_signing_keys();
};

TEST_F(KeystoreTest, CreateThenLoadRoundTrips) {
    EXPECT_FALSE(keystore_.exists());
    ASSERT_TRUE(create(keys_));
    EXPECT_TRUE(keystore_.exists());
    auto loaded = keystore_.load(kStorePassphrase);
    ASSERT_TRUE(loaded) << loaded.error().message;
    expect_same_keys(*loaded, keys_);
    // Another Keystore over the same directory sees the same keys.
    expect_same_keys(Keystore(keystore_.dir()).load(kStorePassphrase).value(), keys_);
}

TEST_F(KeystoreTest, DirectoryIs0700AndKeysFileIs0600) {
    ASSERT_TRUE(create(keys_));
    EXPECT_EQ(fs::status(keystore_.dir()).permissions(), kDirMode);
    EXPECT_EQ(fs::status(keystore_.keys_path()).permissions(), kFileMode);
    EXPECT_EQ(keystore_.keys_path(), keystore_.dir() / "keys.sealed");
}

TEST_F(KeystoreTest, ExistingOpenDirectoryIsTightened) {
    fs::create_directories(keystore_.dir());
    fs::permissions(keystore_.dir(), fs::perms::owner_all | fs::perms::group_all |
                                         fs::perms::others_read | fs::perms::others_exec);
    ASSERT_TRUE(create(keys_));
    EXPECT_EQ(fs::status(keystore_.dir()).permissions(), kDirMode);
}

TEST_F(KeystoreTest, DirectoryThatIsAFileIsRefused) {
    fs::create_directories(keystore_.dir().parent_path());
    overwrite(keystore_.dir(), to_bytes("not a directory"));
    auto created = create(keys_);
    expect_error_naming(created, ErrorCode::IO_ERROR, keystore_.dir());
}

TEST_F(KeystoreTest, WrongPassphraseIsBadPassphrase) {
    ASSERT_TRUE(create(keys_));
    expect_error_naming(keystore_.load("a long enough passphrasE"), ErrorCode::BAD_PASSPHRASE,
                        keystore_.keys_path());
}

TEST_F(KeystoreTest, CreatingTwiceIsRefusedAndTheFirstKeysSurvive) {
    ASSERT_TRUE(create(keys_));
    const Bytes before = read_file(keystore_.keys_path(), 4096).value();
    auto second = create(generate_user_keys(), "another passphrase");
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().code, ErrorCode::BAD_REQUEST);
    EXPECT_NE(second.error().message.find("keystore already exists at"), std::string::npos);
    EXPECT_EQ(read_file(keystore_.keys_path(), 4096).value(), before);
    expect_same_keys(keystore_.load(kStorePassphrase).value(), keys_);
    EXPECT_EQ(keystore_.load("another passphrase").error().code, ErrorCode::BAD_PASSPHRASE);
}

TEST_F(KeystoreTest, MissingKeysFileIsAnIoErrorNamingIt) {
    expect_error_naming(keystore_.load(kStorePassphrase), ErrorCode::IO_ERROR, keystore_.keys_path());
}

TEST_F(KeystoreTest, TruncatedKeysFileIsReportedNamingIt) {
    ASSERT_TRUE(create(keys_));
    const Bytes file = read_file(keystore_.keys_path(), 4096).value();
    for (std::size_t size : {std::size_t{0}, std::size_t{1}, file.size() / 2, file.size() - 1}) {
        overwrite(keystore_.keys_path(), Bytes(file.begin(), file.begin() + size));
        SCOPED_TRACE(size);
        expect_error_naming(keystore_.load(kStorePassphrase), ErrorCode::BAD_REQUEST,
                            keystore_.keys_path());
    }
}

TEST_F(KeystoreTest, CorruptedKeysFileIsReportedNamingIt) {
    ASSERT_TRUE(create(keys_));
    const Bytes file = read_file(keystore_.keys_path(), 4096).value();
    Bytes corrupt_header = file;
    corrupt_header[0] = 0xc1;
    overwrite(keystore_.keys_path(), corrupt_header);
    expect_error_naming(keystore_.load(kStorePassphrase), ErrorCode::BAD_REQUEST, keystore_.keys_path());
    // In the ciphertext, corruption and a wrong passphrase look alike.
    Bytes corrupt_ciphertext = file;
    corrupt_ciphertext[file.size() - 5] ^= 0x40;
    overwrite(keystore_.keys_path(), corrupt_ciphertext);
    expect_error_naming(keystore_.load(kStorePassphrase), ErrorCode::BAD_PASSPHRASE,
                        keystore_.keys_path());
}

TEST_F(KeystoreTest, OversizedKeysFileIsRefusedWithoutReadingIt) {
    ASSERT_TRUE(create(keys_));
    overwrite(keystore_.keys_path(), Bytes(kMaxKeysFileSize + 1, 0x80));
    expect_error_naming(keystore_.load(kStorePassphrase), ErrorCode::TOO_LARGE, keystore_.keys_path());
}

TEST_F(KeystoreTest, MalformedKeysAreRefusedAndNothingIsWritten) {
    UserKeys mixed = generate_user_keys();
    mixed.sign.public_key = keys_.sign.public_key;
    auto created = create(mixed);
    ASSERT_FALSE(created);
    EXPECT_EQ(created.error().code, ErrorCode::BAD_REQUEST);
    EXPECT_FALSE(keystore_.exists());
}

TEST_F(KeystoreTest, CertificateSavesAndLoads) {
    const Certificate saved = certificate(1);
    ASSERT_TRUE(keystore_.save_certificate(saved));
    EXPECT_EQ(keystore_.load_certificate().value(), saved);
    EXPECT_EQ(fs::status(keystore_.certificate_path()).permissions(), kFileMode);
    EXPECT_EQ(fs::status(keystore_.dir()).permissions(), kDirMode);
}

TEST_F(KeystoreTest, CertificateIsNotOverwrittenUnlessAsked) {
    ASSERT_TRUE(keystore_.save_certificate(certificate(1)));
    auto again = keystore_.save_certificate(certificate(2));
    expect_error_naming(again, ErrorCode::BAD_REQUEST, keystore_.certificate_path());
    EXPECT_EQ(keystore_.load_certificate().value().serial, 1u);
    ASSERT_TRUE(keystore_.save_certificate(certificate(2), /*replace=*/true));
    EXPECT_EQ(keystore_.load_certificate().value().serial, 2u);
}

TEST_F(KeystoreTest, MissingCertificateIsNotFound) {
    ASSERT_TRUE(create(keys_));
    auto loaded = keystore_.load_certificate();
    ASSERT_FALSE(loaded);
    EXPECT_EQ(loaded.error().code, ErrorCode::NOT_FOUND);
}

TEST_F(KeystoreTest, CorruptCertificateIsReportedNamingIt) {
    ASSERT_TRUE(keystore_.save_certificate(certificate(1)));
    Bytes file = read_file(keystore_.certificate_path(), 4096).value();
    file.pop_back();
    overwrite(keystore_.certificate_path(), file);
    expect_error_naming(keystore_.load_certificate(), ErrorCode::BAD_REQUEST,
                        keystore_.certificate_path());
}

TEST_F(KeystoreTest, KeysAndCertificateLiveSideBySide) {
    ASSERT_TRUE(create(keys_));
    ASSERT_TRUE(keystore_.save_certificate(certificate(7)));
    expect_same_keys(keystore_.load(kStorePassphrase).value(), keys_);
    EXPECT_EQ(keystore_.load_certificate().value().serial, 7u);
}

TEST(PrivateDirectoryTest, CreatesNestedDirectoriesWithTheLastOnePrivate) {
    testing::ScratchDir scratch;
    const fs::path dir = scratch.path() / "a" / "b" / "c";
    ASSERT_TRUE(ensure_private_directory(dir));
    EXPECT_EQ(fs::status(dir).permissions(), kDirMode);
    ASSERT_TRUE(ensure_private_directory(dir));  // idempotent
    EXPECT_EQ(fs::status(dir).permissions(), kDirMode);
}

}  // namespace
}  // namespace imgshare
