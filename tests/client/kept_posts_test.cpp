// Posts kept in the home until they commit (client/kept_posts.h): what is kept
// (a record and the content key sealed to the owner, never ciphertext), read
// back, marked committed, forgotten and pruned.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <utime.h>

#include <algorithm>

#include "client/kept_posts.h"
#include "common/crypto/sealed_box.h"
#include "common/file_io.h"
#include "common/protocol/upload_handle.h"
#include "tests/client/sealing_support.h"
#include "tests/common/scratch_dir.h"

namespace imgshare::client {
namespace {

namespace fs = std::filesystem;
using namespace imgshare::testing;

class KeptPostsTest : public ::testing::Test {
  protected:
    void SetUp() override { ASSERT_TRUE(kept_.prepare()); }

    // `name` sealed as `imgshare post` seals it, from its own input file.
    SealedImage seal(const std::string& name, unsigned seed = 1) {
        const auto input = dir_ / (name + "-" + std::to_string(seed) + ".png");
        write_bytes(input, png_bytes(10'000, seed));
        SealParameters parameters{name, alice_.certificate, alice_.keys.sign.secret_key,
                                  "image/png", std::string(kEscrowMode), {}, kNow, 4096};
        auto sealed = seal_image(input, parameters);
        EXPECT_TRUE(sealed) << sealed.error().message;
        return std::move(*sealed);
    }

    // The content key sealed to alice, as `imgshare post` keeps it.
    Bytes sealed_key(const SealedImage& sealed) const {
        return imgshare::seal(sealed.content_key.view(), alice_.keys.box.public_key);
    }

    Result<void> keep(const SealedImage& sealed, const KeptPost& post) const {
        return kept_.keep(post, sealed_key(sealed));
    }

    static KeptPost post_of(const SealedImage& sealed) {
        return KeptPost{PostBeginRequest{encode_certificate(Certificate{}), sealed.encoded_envelope,
                                         sealed.signature, Bytes(80, 7), {}},
                        sealed.image_sha256, kNow, 0};
    }

    static void age(const fs::path& path, std::int64_t seconds) {
        struct utimbuf times {kNow - seconds, kNow - seconds};
        ASSERT_EQ(::utime(path.c_str(), &times), 0);
    }

    ScratchDir dir_;
    TestCa ca_;
    TestUser alice_ = ca_.user("alice");
    KeptPosts kept_{dir_ / "home" / "uploads"};
};

TEST_F(KeptPostsTest, AKeptPostReadsBackWithItsSealedKeyUntilItCommits) {
    auto sealed = seal("cat");
    const auto chunks = sealed_chunks(sealed);
    const auto post = post_of(sealed);
    ASSERT_TRUE(keep(sealed, post));
    EXPECT_EQ(fs::status(kept_.dir()).permissions(), fs::perms::owner_all);
    EXPECT_EQ(fs::status(kept_.dir() / "cat.post").permissions(),
              fs::perms::owner_read | fs::perms::owner_write);
    EXPECT_EQ(fs::status(kept_.dir() / "cat.key").permissions(),
              fs::perms::owner_read | fs::perms::owner_write);
    // No ciphertext, nor the key in the clear: a record and a sealed key, a few hundred bytes.
    std::uintmax_t kept_bytes = 0;
    for (const auto& entry : fs::directory_iterator(kept_.dir())) kept_bytes += entry.file_size();
    EXPECT_LT(kept_bytes, 2048u);
    const auto key_file = read_bytes(kept_.dir() / "cat.key");
    EXPECT_EQ(std::search(key_file.begin(), key_file.end(), sealed.content_key.view().begin(),
                          sealed.content_key.view().end()),
              key_file.end());

    EXPECT_EQ(kept_.pending().value(), std::vector<KeptPost>{post});
    auto found = kept_.find("cat");
    ASSERT_TRUE(found && *found);
    EXPECT_EQ(**found, post);
    EXPECT_TRUE((*found)->pending());
    EXPECT_EQ((*found)->upload(), upload_handle(sealed.encoded_envelope, sealed.signature));
    EXPECT_EQ(sealed.image_sha256, image_file_sha256(sealed.image).value());
    // The key opens with alice's keys only, and makes the same chunks from the same file.
    auto key = kept_.content_key(**found, alice_.keys.box);
    ASSERT_TRUE(key) << key.error().message;
    auto resealed = reseal_image(sealed.image, KeptSeal{(*found)->begin.envelope,
                                                        (*found)->begin.signature,
                                                        std::move(*key)});
    ASSERT_TRUE(resealed) << resealed.error().message;
    EXPECT_EQ(resealed->envelope, sealed.envelope);
    EXPECT_EQ(sealed_chunks(*resealed), chunks);
    auto stranger = kept_.content_key(**found, ca_.user("mallory").keys.box);
    ASSERT_FALSE(stranger);
    EXPECT_EQ(stranger.error().code, ErrorCode::IO_ERROR);

    ASSERT_TRUE(kept_.committed(post, kNow + 5));
    found = kept_.find("cat");
    ASSERT_TRUE(found && *found);
    EXPECT_FALSE((*found)->pending());
    EXPECT_EQ((*found)->committed_at, kNow + 5);
    EXPECT_FALSE(fs::exists(kept_.dir() / "cat.key"));
    EXPECT_TRUE(kept_.pending().value().empty());
}

TEST_F(KeptPostsTest, APendingPostWithoutItsKeyCannotBeResumedAndSaysHowToAbandonIt) {
    auto sealed = seal("cat");
    const auto post = post_of(sealed);
    ASSERT_TRUE(keep(sealed, post));
    fs::remove(kept_.dir() / "cat.key");
    auto key = kept_.content_key(post, alice_.keys.box);
    ASSERT_FALSE(key);
    EXPECT_EQ(key.error().code, ErrorCode::IO_ERROR);
    EXPECT_NE(key.error().message.find("uploads --abandon " + post.upload()), std::string::npos)
        << key.error().message;
}

TEST_F(KeptPostsTest, OnePostPerNameAndForgettingRemovesEverything) {
    auto sealed = seal("cat");
    ASSERT_TRUE(keep(sealed, post_of(sealed)));
    auto other = seal("cat", 2);
    auto again = keep(other, post_of(other));
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, ErrorCode::BAD_REQUEST);
    ASSERT_TRUE(kept_.forget("cat"));
    EXPECT_FALSE(kept_.find("cat").value().has_value());
    EXPECT_FALSE(fs::exists(kept_.dir() / "cat.key"));
    EXPECT_TRUE(kept_.pending().value().empty());
}

TEST_F(KeptPostsTest, NothingIsFoundWhereNothingWasKept) {
    EXPECT_FALSE(kept_.find("dog").value().has_value());
}

TEST_F(KeptPostsTest, ADamagedRecordIsAnIoErrorNamingIt) {
    ASSERT_TRUE(write_file_atomically(kept_.dir() / "cat.post", to_bytes("\x81\xa1x"),
                                      fs::perms::owner_read | fs::perms::owner_write));
    auto found = kept_.find("cat");
    ASSERT_FALSE(found);
    EXPECT_EQ(found.error().code, ErrorCode::IO_ERROR);
    EXPECT_NE(found.error().message.find("cat.post"), std::string::npos);
}

TEST_F(KeptPostsTest, PruneForgetsOldCommitsAndLeftoversButNothingPendingOrRecent) {
    auto pending = seal("pending");
    ASSERT_TRUE(keep(pending, post_of(pending)));
    age(kept_.dir() / "pending.post", 90 * 86400);
    for (const auto& [name, committed_ago] : {std::pair{"old", kKeepCommittedSeconds + 1},
                                              std::pair{"recent", std::int64_t{60}}}) {
        auto sealed = seal(name);
        auto post = post_of(sealed);
        ASSERT_TRUE(keep(sealed, post));
        ASSERT_TRUE(kept_.committed(post, kNow - committed_ago));
        age(kept_.dir() / (std::string(name) + ".post"), committed_ago);
    }
    // An interrupted keep (a key without its record) and what older versions left (their
    // temporary and kept ciphertext), one old, one recent each.
    const char* old_files[] = {"orphan.key", ".imgshare-post-old123", ".sealing-old123",
                               "older.sealed"};
    const char* young_files[] = {"young.key", ".imgshare-post-new123", "newer.sealed"};
    for (const auto* file : old_files) {
        write_bytes(kept_.dir() / file, Bytes(10, 1));
        age(kept_.dir() / file, 2 * 86400);
    }
    for (const auto* file : young_files)
        write_bytes(kept_.dir() / file, Bytes(10, 1));
    age(kept_.dir() / "pending.key", 2 * 86400);

    kept_.prune(kNow);
    EXPECT_TRUE(kept_.find("pending").value().has_value());
    EXPECT_TRUE(fs::exists(kept_.dir() / "pending.key"));
    EXPECT_FALSE(kept_.find("old").value().has_value());
    EXPECT_TRUE(kept_.find("recent").value().has_value());
    for (const auto* file : old_files)
        EXPECT_FALSE(fs::exists(kept_.dir() / file)) << file;
    for (const auto* file : young_files)
        EXPECT_TRUE(fs::exists(kept_.dir() / file)) << file;
}

}  // namespace
}  // namespace imgshare::client
