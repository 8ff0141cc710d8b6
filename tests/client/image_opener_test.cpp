// Sealing and opening images, and every way a server, a thief or a dishonest
// owner could try to make a reader accept something else.
#include "client/image_opener.h"

#include <gtest/gtest.h>

#include "client/image_sealer.h"
#include "client/padded_stream.h"
#include "tests/client/sealing_support.h"
#include "tests/common/scratch_dir.h"

namespace imgshare::client {
namespace {

namespace fs = std::filesystem;
using namespace imgshare::testing;

SealParameters parameters_of(const TestUser& owner, const std::string& name,
                             std::uint32_t chunk_size = 4096) {
    return SealParameters{name,
                          owner.certificate,
                          owner.keys.sign.secret_key,
                          "image/png",
                          std::string(kEscrowMode),
                          {},
                          kNow,
                          chunk_size,
                          {}};
}

class ImageOpenerTest : public ::testing::Test {
  protected:
    // Seals `image` as alice's image `name`, with small chunks unless told otherwise.
    SealedImage seal_as_alice(const Bytes& image, const std::string& name = "cat",
                              std::uint32_t chunk_size = 4096) {
        // A file per seal: a sealed image's chunks are made again from its file.
        const auto input = dir_ / ("input-" + std::to_string(++seals_) + ".png");
        write_bytes(input, image);
        auto sealed = seal_image(input, parameters_of(alice_, name, chunk_size));
        if (!sealed) throw std::runtime_error(sealed.error().message);
        return std::move(*sealed);
    }

    OpenParameters bob_opens(const std::string& name = "cat", std::int64_t now = kNow) {
        return OpenParameters{ca_.keys.public_key, bob_.keys.box, name, now};
    }

    // Opens `record` with `chunks` as given; the opener's result, whatever failed first.
    Result<std::uint64_t> open(const DownloadReply& record, const std::vector<Bytes>& chunks,
                               const OpenParameters& parameters) {
        auto opener = ImageOpener::begin(record, parameters, out_dir_);
        if (!opener) return std::unexpected(opener.error());
        for (std::uint32_t i = 0; i < chunks.size(); ++i) {
            if (auto ok = opener->add_chunk(i, chunks[i]); !ok) return std::unexpected(ok.error());
        }
        return opener->finish(output());
    }

    // The result is `code` and nothing was written: no output, no temporary file.
    void expect_refused(const Result<std::uint64_t>& result, ErrorCode code) {
        ASSERT_FALSE(result);
        EXPECT_EQ(result.error().code, code) << result.error().message;
        EXPECT_FALSE(fs::exists(output()));
        for (const auto& entry : fs::directory_iterator(out_dir_)) {
            ADD_FAILURE() << "left behind: " << entry.path();
        }
    }

    fs::path output() const { return out_dir_ / "cat.png"; }

    ScratchDir dir_;
    unsigned seals_ = 0;
    fs::path out_dir_ = [this] {
        fs::create_directories(dir_ / "out");
        return dir_ / "out";
    }();
    TestCa ca_;
    TestUser alice_ = ca_.user("alice");
    TestUser bob_ = ca_.user("bob", 8);
};

TEST_F(ImageOpenerTest, RoundTripsImagesOfManySizes) {
    struct Case {
        std::size_t length;
        std::uint32_t chunk_size;
        std::uint32_t chunks;
    };
    for (Case c : {Case{1, 4096, 1}, Case{4056, 4096, 1}, Case{4057, 4096, 2},
                   Case{100'000, 4096, 26}, Case{600'000, kDefaultChunkSize, 3}}) {
        Bytes image = png_bytes(c.length, static_cast<unsigned>(c.length));
        auto sealed = seal_as_alice(image, "cat", c.chunk_size);
        EXPECT_EQ(sealed.envelope.chunk_count, c.chunks) << c.length;
        EXPECT_EQ(sealed.envelope.padded_size, padded_size_for(c.length));
        auto length =
            open(download_record(sealed, alice_, bob_), sealed_chunks(sealed), bob_opens());
        ASSERT_TRUE(length) << length.error().message;
        EXPECT_EQ(*length, c.length);
        EXPECT_EQ(read_bytes(output()), image) << c.length;
        EXPECT_EQ(fs::status(output()).permissions() & fs::perms::all,
                  fs::perms::owner_read | fs::perms::owner_write);
        fs::remove(output());
    }
}

TEST_F(ImageOpenerTest, SealedEnvelopeDescribesTheCiphertextAndIsSignedByTheOwner) {
    auto sealed = seal_as_alice(png_bytes(10'000));
    const Envelope& envelope = sealed.envelope;
    EXPECT_EQ(envelope.name, "cat");
    EXPECT_EQ(envelope.owner, "alice");
    EXPECT_EQ(envelope.owner_serial, 7u);
    EXPECT_EQ(envelope.mode, kEscrowMode);
    EXPECT_EQ(envelope.content_type, "image/png");
    EXPECT_EQ(envelope.created_at, kNow);
    EXPECT_EQ(envelope.key_commitment, key_commitment(sealed.content_key));
    Sha256 digest;
    for (const auto& chunk : sealed_chunks(sealed))
        digest.update(chunk);
    EXPECT_EQ(envelope.ciphertext_sha256, digest.finish());
    auto verified = verify_envelope(sealed.encoded_envelope, sealed.signature, alice_.certificate);
    ASSERT_TRUE(verified);
    EXPECT_EQ(*verified, envelope);
}

TEST_F(ImageOpenerTest, SealingRefusesEmptyFilesAndBadNames) {
    write_bytes(dir_ / "empty.png", {});
    auto parameters = parameters_of(alice_, "empty");
    auto empty = seal_image(dir_ / "empty.png", parameters);
    ASSERT_FALSE(empty);
    EXPECT_EQ(empty.error().code, ErrorCode::BAD_REQUEST);
    write_bytes(dir_ / "ok.png", png_bytes(100));
    parameters.name = "../escape";
    auto bad_name = seal_image(dir_ / "ok.png", parameters);
    ASSERT_FALSE(bad_name);
    EXPECT_EQ(bad_name.error().code, ErrorCode::BAD_REQUEST);
    auto missing = seal_image(dir_ / "missing.png", parameters_of(alice_, "x"));
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, ErrorCode::IO_ERROR);
}

TEST_F(ImageOpenerTest, FlippedCiphertextByteIsIntegrity) {
    auto sealed = seal_as_alice(png_bytes(20'000));
    auto chunks = sealed_chunks(sealed);
    chunks[2][100] ^= 0x01;
    expect_refused(open(download_record(sealed, alice_, bob_), chunks, bob_opens()),
                   ErrorCode::INTEGRITY);
}

TEST_F(ImageOpenerTest, SwappedChunksAreIntegrity) {
    auto sealed = seal_as_alice(png_bytes(20'000));
    auto chunks = sealed_chunks(sealed);
    std::swap(chunks[1], chunks[2]);
    expect_refused(open(download_record(sealed, alice_, bob_), chunks, bob_opens()),
                   ErrorCode::INTEGRITY);
}

TEST_F(ImageOpenerTest, DroppedLastChunkIsIntegrity) {
    auto sealed = seal_as_alice(png_bytes(20'000));
    auto chunks = sealed_chunks(sealed);
    chunks.pop_back();
    expect_refused(open(download_record(sealed, alice_, bob_), chunks, bob_opens()),
                   ErrorCode::INTEGRITY);
}

TEST_F(ImageOpenerTest, ExtraChunkIsIntegrity) {
    auto sealed = seal_as_alice(png_bytes(20'000));
    auto chunks = sealed_chunks(sealed);
    chunks.push_back(chunks.back());
    expect_refused(open(download_record(sealed, alice_, bob_), chunks, bob_opens()),
                   ErrorCode::INTEGRITY);
}

TEST_F(ImageOpenerTest, TruncatedChunkIsIntegrity) {
    auto sealed = seal_as_alice(png_bytes(20'000));
    auto chunks = sealed_chunks(sealed);
    chunks[0].pop_back();
    expect_refused(open(download_record(sealed, alice_, bob_), chunks, bob_opens()),
                   ErrorCode::INTEGRITY);
}

TEST_F(ImageOpenerTest, ChunkFromAnotherImageOfTheSameOwnerIsIntegrity) {
    auto sealed = seal_as_alice(png_bytes(20'000));
    auto other = seal_as_alice(png_bytes(20'000, 99), "dog");
    auto chunks = sealed_chunks(sealed);
    chunks[1] = sealed_chunks(other)[1];
    expect_refused(open(download_record(sealed, alice_, bob_), chunks, bob_opens()),
                   ErrorCode::INTEGRITY);
}

TEST_F(ImageOpenerTest, EnvelopeSignedByAnotherKeyIsBadSignature) {
    auto sealed = seal_as_alice(png_bytes(5000));
    auto record = download_record(sealed, alice_, bob_);
    TestUser mallory = ca_.user("mallory", 9);
    record.signature = sign_envelope(record.envelope, mallory.keys.sign.secret_key);
    expect_refused(open(record, sealed_chunks(sealed), bob_opens()), ErrorCode::BAD_SIGNATURE);
}

TEST_F(ImageOpenerTest, EnvelopeClaimingAnotherOwnerThanItsCertificateIsBadSignature) {
    // mallory signs an envelope naming alice as owner and serves it with her own certificate.
    TestUser mallory = ca_.user("mallory", 9);
    auto sealed = seal_as_alice(png_bytes(5000));
    auto record = download_record(sealed, alice_, bob_);
    record.certificate = encode_certificate(mallory.certificate);
    record.signature = sign_envelope(record.envelope, mallory.keys.sign.secret_key);
    expect_refused(open(record, sealed_chunks(sealed), bob_opens()), ErrorCode::BAD_SIGNATURE);
}

TEST_F(ImageOpenerTest, EnvelopeOfAnotherImageIsBadSignature) {
    // A server answers a request for "cat" with alice's genuine image "dog".
    auto dog = seal_as_alice(png_bytes(5000), "dog");
    expect_refused(open(download_record(dog, alice_, bob_), sealed_chunks(dog), bob_opens("cat")),
                   ErrorCode::BAD_SIGNATURE);
}

TEST_F(ImageOpenerTest, WrappedKeyForAnotherContentKeyFailsTheCommitment) {
    auto sealed = seal_as_alice(png_bytes(5000));
    auto record = download_record(sealed, alice_, bob_);
    SecretBytes other_key = generate_content_key();
    record.wrapped_key = seal(other_key.view(), bob_.keys.box.public_key);
    expect_refused(open(record, sealed_chunks(sealed), bob_opens()), ErrorCode::INTEGRITY);
}

TEST_F(ImageOpenerTest, KeyWrappedForSomeoneElseIsIntegrity) {
    auto sealed = seal_as_alice(png_bytes(5000));
    TestUser carol = ca_.user("carol", 10);
    auto record = download_record(sealed, alice_, carol);
    expect_refused(open(record, sealed_chunks(sealed), bob_opens()), ErrorCode::INTEGRITY);
    record.wrapped_key = Bytes(3, 0);
    expect_refused(open(record, sealed_chunks(sealed), bob_opens()), ErrorCode::INTEGRITY);
}

TEST_F(ImageOpenerTest, CertificateFromAnotherCaIsBadSignature) {
    TestCa rogue;
    TestUser fake_alice = rogue.user("alice");
    write_bytes(dir_ / "input.png", png_bytes(5000));
    auto sealed = seal_image(dir_ / "input.png", parameters_of(fake_alice, "cat"));
    ASSERT_TRUE(sealed);
    expect_refused(
        open(download_record(*sealed, fake_alice, bob_), sealed_chunks(*sealed), bob_opens()),
        ErrorCode::BAD_SIGNATURE);
}

TEST_F(ImageOpenerTest, ExpiredOwnerCertificateIsExpired) {
    auto sealed = seal_as_alice(png_bytes(5000));
    expect_refused(open(download_record(sealed, alice_, bob_), sealed_chunks(sealed),
                        bob_opens("cat", alice_.certificate.not_after)),
                   ErrorCode::EXPIRED);
}

TEST_F(ImageOpenerTest, GarbageCertificateIsRefused) {
    auto sealed = seal_as_alice(png_bytes(5000));
    auto record = download_record(sealed, alice_, bob_);
    record.certificate = Bytes{0x90};
    expect_refused(open(record, sealed_chunks(sealed), bob_opens()), ErrorCode::BAD_REQUEST);
}

TEST_F(ImageOpenerTest, CiphertextDigestOtherThanSignedIsIntegrity) {
    // The owner signs a digest that is not the ciphertext's: every chunk authenticates, but
    // the envelope does not describe them.
    auto sealed = seal_as_alice(png_bytes(5000));
    Envelope envelope = sealed.envelope;
    envelope.ciphertext_sha256[0] ^= 1;
    auto record = download_record(sealed, alice_, bob_);
    record.envelope = encode_envelope(envelope);
    record.signature = sign_envelope(record.envelope, alice_.keys.sign.secret_key);
    expect_refused(open(record, sealed_chunks(sealed), bob_opens()), ErrorCode::INTEGRITY);
}

TEST_F(ImageOpenerTest, StreamWithoutFinalIsIntegrity) {
    Bytes stream = framed_stream(png_bytes(5000), 8192);
    auto raw = seal_raw_stream(stream, alice_, bob_, "cat", 4096, /*final_index=*/99);
    expect_refused(open(raw.record, raw.chunks, bob_opens()), ErrorCode::INTEGRITY);
}

TEST_F(ImageOpenerTest, FinalBeforeTheLastChunkIsIntegrity) {
    Bytes stream = framed_stream(png_bytes(5000), 8192);
    auto raw = seal_raw_stream(stream, alice_, bob_, "cat", 4096, /*final_index=*/0);
    ASSERT_EQ(raw.chunks.size(), 1u);
    expect_refused(open(raw.record, raw.chunks, bob_opens()), ErrorCode::INTEGRITY);
}

TEST_F(ImageOpenerTest, DishonestFramingIsIntegrity) {
    Bytes image = png_bytes(5000);
    Bytes bad_padding = framed_stream(image, 8192);
    bad_padding[6000] = 0xff;
    Bytes bad_digest = framed_stream(image, 8192);
    bad_digest[8191] ^= 1;
    Bytes bad_length = framed_stream(image, 8192);
    bad_length[5] = 0x01;  // 65536 + 5000 bytes claimed in an 8192-byte stream
    for (const Bytes& stream : {bad_padding, bad_digest, bad_length}) {
        auto raw = seal_raw_stream(stream, alice_, bob_, "cat", 4096);
        expect_refused(open(raw.record, raw.chunks, bob_opens()), ErrorCode::INTEGRITY);
    }
    // The same stream framed honestly opens: the refusals above are the framing's.
    auto honest = seal_raw_stream(framed_stream(image, 8192), alice_, bob_, "cat", 4096);
    auto opened = open(honest.record, honest.chunks, bob_opens());
    ASSERT_TRUE(opened) << opened.error().message;
    EXPECT_EQ(read_bytes(output()), image);
}

TEST_F(ImageOpenerTest, ExistingDestinationIsNeverOverwritten) {
    write_bytes(output(), {1, 2, 3});
    auto sealed = seal_as_alice(png_bytes(5000));
    auto result = open(download_record(sealed, alice_, bob_), sealed_chunks(sealed), bob_opens());
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::BAD_REQUEST);
    EXPECT_EQ(read_bytes(output()), (Bytes{1, 2, 3}));
}

TEST_F(ImageOpenerTest, FileAppearingDuringTheDownloadIsNotOverwritten) {
    auto sealed = seal_as_alice(png_bytes(5000));
    auto opener = ImageOpener::begin(download_record(sealed, alice_, bob_), bob_opens(), out_dir_);
    ASSERT_TRUE(opener);
    for (const auto& chunk : sealed_chunks(sealed))
        ASSERT_TRUE(opener->add_chunk(opener->next_index(), chunk));
    write_bytes(output(), {9});
    auto result = opener->finish(output());
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::BAD_REQUEST);
    EXPECT_EQ(read_bytes(output()), Bytes{9});
    EXPECT_EQ(std::distance(fs::directory_iterator(out_dir_), fs::directory_iterator()), 1);
}

TEST_F(ImageOpenerTest, OpenerRefusesEverythingAfterAFailure) {
    auto sealed = seal_as_alice(png_bytes(20'000));
    auto chunks = sealed_chunks(sealed);
    auto opener = ImageOpener::begin(download_record(sealed, alice_, bob_), bob_opens(), out_dir_);
    ASSERT_TRUE(opener);
    Bytes bad = chunks[0];
    bad[0] ^= 1;
    EXPECT_FALSE(opener->add_chunk(0, bad));
    for (std::uint32_t i = 0; i < chunks.size(); ++i) {
        auto again = opener->add_chunk(i, chunks[i]);
        ASSERT_FALSE(again);
        EXPECT_EQ(again.error().code, ErrorCode::INTEGRITY);
    }
    expect_refused(opener->finish(output()), ErrorCode::INTEGRITY);
}

}  // namespace
}  // namespace imgshare::client
