// Sealing in two passes (client/image_sealer.h): pass 1 writes nothing and
// signs the digest of the chunks pass 2 makes again from the file; a kept
// post is sealed again under its key; a file changed between the passes never
// gives a chunk other than the one sealed at that index.
#include "client/image_sealer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "common/crypto/sha256.h"
#include "common/crypto/thumbnail_box.h"
#include "tests/client/sealing_support.h"
#include "tests/common/scratch_dir.h"

namespace imgshare::client {
namespace {

namespace fs = std::filesystem;
using namespace imgshare::testing;

class ImageSealerTest : public ::testing::Test {
  protected:
    SealedImage seal_file(const fs::path& file) {
        auto sealed = seal_image(file, SealParameters{"cat", alice_.certificate,
                                                      alice_.keys.sign.secret_key, "image/png",
                                                      std::string(kEscrowMode), {}, kNow, 4096, {}});
        if (!sealed) throw std::runtime_error(sealed.error().message);
        return std::move(*sealed);
    }

    static std::size_t entries_in(const fs::path& dir) {
        std::size_t count = 0;
        for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir))
            ++count;
        return count;
    }

    ScratchDir dir_;
    TestCa ca_;
    TestUser alice_ = ca_.user("alice");
    fs::path image_ = dir_ / "cat.png";
};

TEST_F(ImageSealerTest, PassOneWritesNothingAndPassTwoMakesTheChunksItSigned) {
    write_bytes(image_, png_bytes(50'000));
    auto sealed = seal_file(image_);
    EXPECT_EQ(entries_in(dir_.path()), 1u) << "sealing wrote a file beside the image";
    ASSERT_EQ(sealed.envelope.chunk_count, 13u);
    ASSERT_EQ(sealed.chunk_tags.size(), 13u * kChunkTagSize);
    const auto chunks = sealed_chunks(sealed);
    Sha256 digest;
    for (std::size_t i = 0; i < chunks.size(); ++i) {
        digest.update(chunks[i]);
        EXPECT_EQ(chunks[i].size(), chunk_ciphertext_size(sealed.envelope, i));
        EXPECT_TRUE(std::equal(chunks[i].end() - kChunkTagSize, chunks[i].end(),
                               sealed.chunk_tags.begin() + i * kChunkTagSize));
    }
    EXPECT_EQ(digest.finish(), sealed.envelope.ciphertext_sha256);
    EXPECT_EQ(sealed.image_sha256, image_file_sha256(image_).value());
}

TEST_F(ImageSealerTest, PassTwoStartsAtAnyChunkAndRefusesToGoBack) {
    write_bytes(image_, png_bytes(50'000));
    auto sealed = seal_file(image_);
    const auto all = sealed_chunks(sealed);
    auto chunks = SealedChunks::open(sealed);
    ASSERT_TRUE(chunks);
    auto seventh = chunks->chunk(7);  // a resumed upload: chunks 0-6 are made and dropped
    ASSERT_TRUE(seventh) << seventh.error().message;
    EXPECT_EQ(Bytes(seventh->begin(), seventh->end()), all[7]);
    auto again = chunks->chunk(7);  // the same chunk asked again (a resend)
    ASSERT_TRUE(again);
    EXPECT_EQ(Bytes(again->begin(), again->end()), all[7]);
    EXPECT_EQ(chunks->chunk(3).error().code, ErrorCode::BAD_REQUEST);
    EXPECT_EQ(chunks->chunk(13).error().code, ErrorCode::BAD_REQUEST);
    auto last = chunks->chunk(12);
    ASSERT_TRUE(last);
    EXPECT_EQ(Bytes(last->begin(), last->end()), all[12]);
}

TEST_F(ImageSealerTest, AFileChangedAfterSealingNeverGivesAChunkThatWasNotSealed) {
    Bytes image = png_bytes(50'000);
    write_bytes(image_, image);
    auto sealed = seal_file(image_);
    const auto all = sealed_chunks(sealed);
    image[5 * 4096 + 100] ^= 1;  // inside chunk 5 (the stream starts with an 8-byte length)
    write_bytes(image_, image);

    auto chunks = SealedChunks::open(sealed);
    ASSERT_TRUE(chunks);
    for (std::uint32_t i = 0; i < 5; ++i) {
        auto same = chunks->chunk(i);
        ASSERT_TRUE(same) << i;
        EXPECT_EQ(Bytes(same->begin(), same->end()), all[i]);
    }
    auto changed = chunks->chunk(5);
    ASSERT_FALSE(changed);
    EXPECT_EQ(changed.error().code, ErrorCode::IO_ERROR);
    EXPECT_NE(changed.error().message.find("changed"), std::string::npos);
    // And nothing after it either.
    EXPECT_EQ(chunks->chunk(6).error().code, ErrorCode::IO_ERROR);
}

TEST_F(ImageSealerTest, AShrunkFileIsAnIoError) {
    Bytes image = png_bytes(50'000);
    write_bytes(image_, image);
    auto sealed = seal_file(image_);
    image.resize(20'000);
    write_bytes(image_, image);
    auto chunks = SealedChunks::open(sealed);
    ASSERT_TRUE(chunks);
    auto last = chunks->chunk(12);
    ASSERT_FALSE(last);
    EXPECT_EQ(last.error().code, ErrorCode::IO_ERROR);
}

TEST_F(ImageSealerTest, AKeptPostSealsAgainUnderItsKeyToTheSameEnvelope) {
    Bytes image = png_bytes(50'000);
    write_bytes(image_, image);
    auto sealed = seal_file(image_);
    auto again = reseal_image(image_, KeptSeal{sealed.encoded_envelope, sealed.signature,
                                               SecretBytes::copy_of(sealed.content_key.view())});
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(again->envelope, sealed.envelope);
    EXPECT_EQ(again->chunk_tags, sealed.chunk_tags);
    EXPECT_EQ(sealed_chunks(*again), sealed_chunks(sealed));

    // Another key than the envelope commits to.
    auto wrong_key = reseal_image(image_, KeptSeal{sealed.encoded_envelope, sealed.signature,
                                                   generate_content_key()});
    ASSERT_FALSE(wrong_key);
    EXPECT_EQ(wrong_key.error().code, ErrorCode::INTEGRITY);

    // The file changed since.
    image[30'000] ^= 1;
    write_bytes(image_, image);
    auto changed = reseal_image(image_, KeptSeal{sealed.encoded_envelope, sealed.signature,
                                                 SecretBytes::copy_of(sealed.content_key.view())});
    ASSERT_FALSE(changed);
    EXPECT_EQ(changed.error().code, ErrorCode::BAD_REQUEST);
    EXPECT_NE(changed.error().message.find("changed since it was sealed"), std::string::npos);
}

TEST_F(ImageSealerTest, AThumbnailMakesAV2EnvelopeThatOpensWithTheContentKey) {
    write_bytes(image_, png_bytes(20'000));
    Bytes jpeg(5000, 0x33);
    jpeg[0] = 0xff, jpeg[1] = 0xd8, jpeg[2] = 0xff;
    auto sealed = seal_image(image_, SealParameters{"cat", alice_.certificate,
                                                    alice_.keys.sign.secret_key, "image/png",
                                                    std::string(kEscrowMode), {}, kNow, 4096,
                                                    jpeg});
    ASSERT_TRUE(sealed) << sealed.error().message;
    EXPECT_EQ(sealed->envelope.v, kEnvelopeWithThumbnailVersion);
    EXPECT_EQ(sealed->encoded_envelope[0], 0x9f);
    EXPECT_TRUE(verify_envelope(sealed->encoded_envelope, sealed->signature, alice_.certificate));
    auto opened = open_thumbnail(sealed->content_key, sealed->envelope.thumbnail);
    ASSERT_TRUE(opened) << opened.error().message;
    EXPECT_EQ(*opened, jpeg);
    // A kept v2 post is sealed again to the same envelope, thumbnail and all.
    auto again = reseal_image(image_, KeptSeal{sealed->encoded_envelope, sealed->signature,
                                               SecretBytes::copy_of(sealed->content_key.view())});
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(again->envelope, sealed->envelope);
    // Without one: v1, as before.
    EXPECT_EQ(seal_file(image_).envelope.v, kEnvelopeVersion);
}

}  // namespace
}  // namespace imgshare::client
