#include "common/crypto/sha256.h"

#include <sodium.h>

#include <gtest/gtest.h>

#include <stdexcept>

namespace imgshare {
namespace {

TEST(Sha256Test, KnownVectors) {
    EXPECT_EQ(to_hex(sha256({})),
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(to_hex(sha256(as_bytes("abc"))),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    // FIPS 180-2's two-block message.
    EXPECT_EQ(to_hex(sha256(as_bytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256Test, StreamingEqualsOneShot) {
    Bytes data(100'000);
    for (std::size_t i = 0; i < data.size(); ++i)
        data[i] = static_cast<std::uint8_t>(i * 7);
    for (std::size_t piece : {1u, 63u, 64u, 65u, 4096u, 100'000u}) {
        Sha256 hash;
        for (std::size_t offset = 0; offset < data.size(); offset += piece) {
            hash.update(ByteView(data).subspan(offset, std::min(piece, data.size() - offset)));
        }
        EXPECT_EQ(hash.finish(), sha256(data)) << piece;
    }
}

TEST(Sha256Test, StreamingOfNothingIsTheEmptyDigest) {
    Sha256 hash;
    EXPECT_EQ(hash.finish(), sha256({}));
}

TEST(Sha256Test, AgreesWithLibsodiumOnEveryLengthAroundABlock) {
    ASSERT_GE(sodium_init(), 0);
    Bytes data(300);
    randombytes_buf(data.data(), data.size());
    for (std::size_t length = 0; length <= data.size(); ++length) {
        Bytes expected(crypto_hash_sha256_BYTES);
        crypto_hash_sha256(expected.data(), data.data(), length);
        EXPECT_EQ(sha256(ByteView(data).first(length)), expected) << length;
    }
}

TEST(Sha256Test, ACopyFinishesThePrefixAndTheOriginalGoesOn) {
    Sha256 hash;
    hash.update(as_bytes("abc"));
    Sha256 prefix = hash;
    hash.update(as_bytes("def"));
    EXPECT_EQ(prefix.finish(), sha256(as_bytes("abc")));
    EXPECT_EQ(hash.finish(), sha256(as_bytes("abcdef")));
    Sha256 assigned;
    assigned = prefix;  // finished: the copy is too
    EXPECT_THROW(assigned.update(as_bytes("x")), std::logic_error);
}

TEST(Sha256Test, UseAfterFinishIsABug) {
    Sha256 hash;
    hash.update(as_bytes("abc"));
    (void)hash.finish();
    EXPECT_THROW(hash.update(as_bytes("d")), std::logic_error);
    EXPECT_THROW((void)hash.finish(), std::logic_error);
}

}  // namespace
}  // namespace imgshare
