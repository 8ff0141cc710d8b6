// The CA's key files: created once, private, never replaced.
#include "ca-service/ca_keys.h"

#include <gtest/gtest.h>

#include <fstream>

#include "common/file_io.h"
#include "tests/ca-service/ca_test_support.h"
#include "tests/common/scratch_dir.h"

namespace imgshare::ca::testing {
namespace {

namespace fs = std::filesystem;

class CaKeysTest : public ::testing::Test {
  protected:
    fs::path data_dir() const { return dir_.path() / "ca"; }
    Bytes contents(const std::string& name) const {
        return read_file(data_dir() / name, 4096).value();
    }
    imgshare::testing::ScratchDir dir_;
};

TEST_F(CaKeysTest, InitCreatesPrivateKeyFilesInAPrivateDirectory) {
    ASSERT_TRUE(init_ca_keys(data_dir()));
    EXPECT_EQ(fs::status(data_dir()).permissions() & fs::perms::all, fs::perms::owner_all);
    for (const char* name : {"ca_signing.key", "wrap.key", "service.key"}) {
        EXPECT_EQ(fs::status(data_dir() / name).permissions() & fs::perms::all,
                  fs::perms::owner_read | fs::perms::owner_write)
            << name;
    }
    for (const char* name : {"ca_signing.pub", "wrap.pub", "service.pub"}) {
        EXPECT_TRUE(fs::exists(data_dir() / name)) << name;
    }
}

TEST_F(CaKeysTest, LoadGivesBackTheKeysInitReported) {
    auto created = init_ca_keys(data_dir());
    ASSERT_TRUE(created);
    auto loaded = load_ca_keys(data_dir());
    ASSERT_TRUE(loaded) << error_of(loaded).message;
    EXPECT_EQ(public_keys_of(*loaded), *created);
    EXPECT_EQ(loaded->signing.secret_key.size(), kSigningSecretKeySize);
    EXPECT_EQ(loaded->wrap.secret_key.size(), kBoxSecretKeySize);
    EXPECT_EQ(loaded->service.secret_key.size(), kBoxSecretKeySize);
    EXPECT_EQ(as_string(contents("ca_signing.pub")), to_hex(created->ca_verify_key) + "\n");
    EXPECT_EQ(as_string(contents("service.pub")), z85_encode(created->service_public_key) + "\n");
}

TEST_F(CaKeysTest, InitTwiceRefusesAndKeepsTheKeys) {
    auto created = init_ca_keys(data_dir());
    ASSERT_TRUE(created);
    auto signing_before = contents("ca_signing.key");
    auto wrap_before = contents("wrap.key");

    expect_error(init_ca_keys(data_dir()), ErrorCode::CONFIG);
    EXPECT_EQ(contents("ca_signing.key"), signing_before);
    EXPECT_EQ(contents("wrap.key"), wrap_before);
    EXPECT_EQ(public_keys_of(load_ca_keys(data_dir()).value()), *created);
}

TEST_F(CaKeysTest, InitRefusesADirectoryHoldingAnyPartOfACa) {
    for (const char* name : {"ca_signing.key", "wrap.key", "service.key", "registry"}) {
        imgshare::testing::ScratchDir dir;
        fs::create_directories(dir.path() / "ca");
        std::ofstream(dir.path() / "ca" / name) << "x";
        expect_error(init_ca_keys(dir.path() / "ca"), ErrorCode::CONFIG);
    }
}

TEST_F(CaKeysTest, AFailedInitLeavesNoKeyFilesBehind) {
    // A non-empty directory where the last public key file goes makes the last write fail.
    fs::create_directories(data_dir() / "service.pub" / "in-the-way");
    auto created = init_ca_keys(data_dir());
    EXPECT_FALSE(created);
    EXPECT_EQ(to_string(error_of(created).code), "IO_ERROR") << error_of(created).message;
    for (const char* name :
         {"ca_signing.key", "ca_signing.pub", "wrap.key", "wrap.pub", "service.key"}) {
        EXPECT_FALSE(fs::exists(data_dir() / name)) << name;
    }
    // Once the obstacle is gone, init works.
    fs::remove_all(data_dir() / "service.pub");
    EXPECT_TRUE(init_ca_keys(data_dir()));
}

TEST_F(CaKeysTest, LoadWithoutInitIsAConfigError) {
    expect_error(load_ca_keys(data_dir()), ErrorCode::CONFIG);
}

TEST_F(CaKeysTest, ADamagedSigningKeyIsRefused) {
    ASSERT_TRUE(init_ca_keys(data_dir()));
    // Flip one hex digit in the public half that libsodium keeps after the seed.
    auto text = contents("ca_signing.key");
    text[100] = text[100] == '0' ? '1' : '0';
    ASSERT_TRUE(write_file_atomically(data_dir() / "ca_signing.key", text,
                                      fs::perms::owner_read | fs::perms::owner_write));
    expect_error(load_ca_keys(data_dir()), ErrorCode::CONFIG);
}

TEST_F(CaKeysTest, TheOutputHasOneKeyValueLinePerPublicKey) {
    auto service_key = generate_curve_keys().public_key;
    CaPublicKeys keys{Bytes(32, 0x01), Bytes(32, 0xab), service_key, Bytes(32, 0xcd)};
    std::string ones, abs, cds;
    for (int i = 0; i < 32; ++i) {
        ones += "01";
        abs += "ab";
        cds += "cd";
    }
    EXPECT_EQ(format_public_keys(keys), "ca_verify_key = " + ones + "\nwrap_public_key = " + abs +
                                            "\nservice_public_key = " + z85_encode(service_key) +
                                            "\nlog_verify_key = " + cds + "\n");
}

}  // namespace
}  // namespace imgshare::ca::testing
