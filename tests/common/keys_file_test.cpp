#include "common/keys_file.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "common/msgpack_util.h"
#include "tests/common/support/same_keys.h"

namespace imgshare {
namespace {

using test::expect_same_keys;

constexpr std::string_view kPassphrase = "correct horse battery staple";
constexpr std::string_view kWhat = "keys file /somewhere/keys.sealed";

bool contains(const Bytes& haystack, ByteView needle) {
    return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) !=
           haystack.end();
}

// The outer map of a keys file, editable field by field.
struct FileMap {
    msgpack::object_handle handle;
    msgpack::zone zone;
    std::vector<std::pair<std::string, msgpack::object>> fields;

    explicit FileMap(const Bytes& file)
        : handle(msgpack::unpack(reinterpret_cast<const char*>(file.data()), file.size())) {
        const auto& map = handle.get().via.map;
        for (std::uint32_t i = 0; i < map.size; ++i) {
            fields.emplace_back(map.ptr[i].key.as<std::string>(), map.ptr[i].val);
        }
    }
    msgpack::object& operator[](std::string_view name) {
        for (auto& [key, value] : fields) {
            if (key == name) return value;
        }
        throw std::out_of_range(std::string(name));
    }
    Bytes bin(std::string_view name) {
        const auto& bin = (*this)[name].via.bin;
        return Bytes(bin.ptr, bin.ptr + bin.size);
    }
    void set_bin(std::string_view name, const Bytes& bytes) {
        (*this)[name] = msgpack::object(std::vector<char>(bytes.begin(), bytes.end()), zone);
    }
    Bytes packed() const {
        Bytes out;
        msgpack_util::BytesWriter writer(out);
        msgpack::packer<msgpack_util::BytesWriter> packer(writer);
        packer.pack_map(static_cast<std::uint32_t>(fields.size()));
        for (const auto& [key, value] : fields)
            packer.pack(key).pack(value);
        return out;
    }
};

class KeysFileTest : public ::testing::Test {
  protected:
    void expect_refused(const Bytes& file, ErrorCode code) {
        auto opened = open_user_keys(file, kPassphrase, kWhat);
        ASSERT_FALSE(opened);
        EXPECT_EQ(opened.error().code, code) << opened.error().message;
        EXPECT_NE(opened.error().message.find(kWhat), std::string::npos) << opened.error().message;
    }

    UserKeys keys_ = generate_user_keys();
    Bytes file_ = seal_user_keys(keys_, kPassphrase, KdfStrength::TestOnlyMinimum).value();
};

TEST_F(KeysFileTest, RoundTrips) {
    auto opened = open_user_keys(file_, kPassphrase, kWhat);
    ASSERT_TRUE(opened) << opened.error().message;
    expect_same_keys(*opened, keys_);
}

TEST_F(KeysFileTest, RoundTripsAtTheDefaultStrength) {
    const Bytes file = seal_user_keys(keys_, kPassphrase, KdfStrength::Interactive).value();
    FileMap map(file);
    EXPECT_EQ(map["opslimit"].as<std::uint64_t>(), 4u);
    EXPECT_EQ(map["memlimit"].as<std::uint64_t>(), 32u * 1024 * 1024);
    expect_same_keys(open_user_keys(file, kPassphrase, kWhat).value(), keys_);
}

TEST_F(KeysFileTest, FileHasTheDocumentedHeader) {
    FileMap map(file_);
    std::vector<std::string> names;
    for (const auto& field : map.fields)
        names.push_back(field.first);
    EXPECT_EQ(names, (std::vector<std::string>{"format", "version", "kdf", "opslimit", "memlimit",
                                               "salt", "nonce", "ciphertext"}));
    EXPECT_EQ(map["format"].as<std::string>(), "imgshare-keystore");
    EXPECT_EQ(map["version"].as<int>(), 1);
    EXPECT_EQ(map["kdf"].as<std::string>(), "argon2id13");
}

TEST_F(KeysFileTest, NoSecretAppearsInTheFile) {
    EXPECT_FALSE(contains(file_, keys_.sign.secret_key.view().first(32)));
    EXPECT_FALSE(contains(file_, keys_.box.secret_key.view()));
    EXPECT_FALSE(contains(file_, keys_.curve.secret_key.view()));
    EXPECT_FALSE(contains(file_, as_bytes(kPassphrase)));
}

TEST_F(KeysFileTest, SealingTwiceUsesFreshSaltAndNonce) {
    const Bytes again = seal_user_keys(keys_, kPassphrase, KdfStrength::TestOnlyMinimum).value();
    FileMap a(file_), b(again);
    EXPECT_NE(a.bin("salt"), b.bin("salt"));
    EXPECT_NE(a.bin("nonce"), b.bin("nonce"));
}

TEST_F(KeysFileTest, WrongPassphraseIsBadPassphrase) {
    for (std::string_view wrong : {"Correct horse battery staple", "correct horse battery stapl",
                                   "correct horse battery staple ", "x"}) {
        auto opened = open_user_keys(file_, wrong, kWhat);
        ASSERT_FALSE(opened);
        EXPECT_EQ(opened.error().code, ErrorCode::BAD_PASSPHRASE);
        EXPECT_NE(opened.error().message.find(kWhat), std::string::npos);
    }
    EXPECT_EQ(open_user_keys(file_, "", kWhat).error().code, ErrorCode::BAD_PASSPHRASE);
}

TEST_F(KeysFileTest, EmptyPassphraseIsRefusedWhenSealing) {
    EXPECT_EQ(seal_user_keys(keys_, "", KdfStrength::TestOnlyMinimum).error().code,
              ErrorCode::BAD_REQUEST);
}

TEST_F(KeysFileTest, MismatchedKeyPairsAreRefusedWhenSealing) {
    UserKeys mixed = generate_user_keys();
    mixed.box.public_key = keys_.box.public_key;
    EXPECT_EQ(seal_user_keys(mixed, kPassphrase, KdfStrength::TestOnlyMinimum).error().code,
              ErrorCode::BAD_REQUEST);
    UserKeys short_key = generate_user_keys();
    short_key.curve.secret_key = SecretBytes(31);
    EXPECT_EQ(seal_user_keys(short_key, kPassphrase, KdfStrength::TestOnlyMinimum).error().code,
              ErrorCode::BAD_REQUEST);
}

TEST_F(KeysFileTest, AnyAlteredCiphertextSaltOrNonceFailsToOpen) {
    for (std::string_view field : {"ciphertext", "salt", "nonce"}) {
        FileMap map(file_);
        Bytes altered = map.bin(field);
        altered[altered.size() / 2] ^= 0x01;
        map.set_bin(field, altered);
        SCOPED_TRACE(field);
        expect_refused(map.packed(), ErrorCode::BAD_PASSPHRASE);
    }
}

TEST_F(KeysFileTest, AlteredKdfLimitsFailToOpen) {
    // In bounds, but not what the key was derived with.
    FileMap map(file_);
    map["memlimit"] = msgpack::object(std::uint64_t{16384});
    expect_refused(map.packed(), ErrorCode::BAD_PASSPHRASE);
}

TEST_F(KeysFileTest, AbsurdKdfLimitsAreRefusedBeforeDerivation) {
    const std::pair<const char*, std::uint64_t> absurd[] = {
        {"opslimit", 0},
        {"opslimit", kMaxKdfOpsLimit + 1},
        {"opslimit", std::uint64_t{1} << 62},
        {"memlimit", 0},
        {"memlimit", 1024},
        {"memlimit", std::uint64_t{kMaxKdfMemLimit} + 1},
        {"memlimit", std::uint64_t{1} << 40},  // a terabyte
    };
    for (const auto& [field, value] : absurd) {
        FileMap map(file_);
        map[field] = msgpack::object(value);
        SCOPED_TRACE(std::string(field) + "=" + std::to_string(value));
        expect_refused(map.packed(), ErrorCode::BAD_REQUEST);
    }
}

TEST_F(KeysFileTest, WrongFormatVersionOrKdfIsRefused) {
    {
        FileMap map(file_);
        map["format"] = msgpack::object("other-format", map.zone);
        expect_refused(map.packed(), ErrorCode::BAD_REQUEST);
    }
    {
        FileMap map(file_);
        map["version"] = msgpack::object(2);
        expect_refused(map.packed(), ErrorCode::BAD_REQUEST);
    }
    {
        FileMap map(file_);
        map["kdf"] = msgpack::object("scryptsalsa208sha256", map.zone);
        expect_refused(map.packed(), ErrorCode::BAD_REQUEST);
    }
    {
        FileMap map(file_);
        map["opslimit"] = msgpack::object("1", map.zone);
        expect_refused(map.packed(), ErrorCode::BAD_REQUEST);
    }
}

TEST_F(KeysFileTest, MissingDuplicateAndUnknownFieldsAreRefused) {
    for (std::size_t drop = 0; drop < 8; ++drop) {
        FileMap map(file_);
        map.fields.erase(map.fields.begin() + static_cast<std::ptrdiff_t>(drop));
        expect_refused(map.packed(), ErrorCode::BAD_REQUEST);
    }
    {
        FileMap map(file_);
        map.fields[1] = map.fields[0];  // "format" twice, no "version"
        expect_refused(map.packed(), ErrorCode::BAD_REQUEST);
    }
    {
        FileMap map(file_);
        map.fields[7].first = "ciphertexts";
        expect_refused(map.packed(), ErrorCode::BAD_REQUEST);
    }
}

TEST_F(KeysFileTest, WrongSizedFieldsAreRefused) {
    for (std::string_view field : {"salt", "nonce", "ciphertext"}) {
        for (int delta : {-1, 1}) {
            FileMap map(file_);
            Bytes resized = map.bin(field);
            resized.resize(static_cast<std::size_t>(static_cast<int>(resized.size()) + delta));
            map.set_bin(field, resized);
            SCOPED_TRACE(std::string(field) + std::to_string(delta));
            expect_refused(map.packed(), ErrorCode::BAD_REQUEST);
        }
    }
}

TEST_F(KeysFileTest, TruncatedOrGarbageFilesAreRefused) {
    for (std::size_t size = 0; size < file_.size(); size += 13) {
        expect_refused(Bytes(file_.begin(), file_.begin() + static_cast<std::ptrdiff_t>(size)),
                       ErrorCode::BAD_REQUEST);
    }
    expect_refused(Bytes(file_.begin(), file_.end() - 1), ErrorCode::BAD_REQUEST);
    expect_refused(to_bytes("not a keystore"), ErrorCode::BAD_REQUEST);
    expect_refused(Bytes{0xdf, 0xff, 0xff, 0xff, 0xff}, ErrorCode::BAD_REQUEST);  // 4G map
    Bytes trailing = file_;
    trailing.push_back(0);
    expect_refused(trailing, ErrorCode::BAD_REQUEST);
}

}  // namespace
}  // namespace imgshare
