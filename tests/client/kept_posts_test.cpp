// Posts kept in the home until they commit (client/kept_posts.h): what is kept,
// read back, marked committed, forgotten and pruned.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <utime.h>

#include "client/kept_posts.h"
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

    // `name` sealed into the kept posts' directory, as `imgshare post` seals it.
    SealedImage seal(const std::string& name, unsigned seed = 1) {
        write_bytes(dir_ / "input.png", png_bytes(10'000, seed));
        SealParameters parameters{name, alice_.certificate, alice_.keys.sign.secret_key,
                                  "image/png", std::string(kEscrowMode), {}, kNow, 4096};
        auto sealed = seal_image(dir_ / "input.png", parameters, kept_.dir());
        EXPECT_TRUE(sealed) << sealed.error().message;
        return std::move(*sealed);
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

TEST_F(KeptPostsTest, AKeptPostReadsBackWithItsCiphertextUntilItCommits) {
    auto sealed = seal("cat");
    const auto chunks = sealed_chunks(sealed);
    const auto post = post_of(sealed);
    ASSERT_TRUE(kept_.keep(sealed, post));
    EXPECT_EQ(fs::status(kept_.dir()).permissions(), fs::perms::owner_all);
    EXPECT_EQ(fs::status(kept_.dir() / "cat.post").permissions(),
              fs::perms::owner_read | fs::perms::owner_write);
    EXPECT_EQ(fs::status(kept_.dir() / "cat.sealed").permissions(),
              fs::perms::owner_read | fs::perms::owner_write);

    EXPECT_EQ(kept_.pending().value(), std::vector<KeptPost>{post});
    auto found = kept_.find("cat");
    ASSERT_TRUE(found && *found);
    EXPECT_EQ(**found, post);
    EXPECT_TRUE((*found)->pending());
    EXPECT_EQ((*found)->upload(), upload_handle(sealed.encoded_envelope, sealed.signature));
    EXPECT_EQ(sealed.image_sha256, image_file_sha256(dir_ / "input.png").value());
    auto reopened = kept_.open(**found);
    ASSERT_TRUE(reopened) << reopened.error().message;
    EXPECT_EQ(reopened->envelope, sealed.envelope);
    EXPECT_EQ(sealed_chunks(*reopened), chunks);

    ASSERT_TRUE(kept_.committed(post, kNow + 5));
    found = kept_.find("cat");
    ASSERT_TRUE(found && *found);
    EXPECT_FALSE((*found)->pending());
    EXPECT_EQ((*found)->committed_at, kNow + 5);
    EXPECT_FALSE(fs::exists(kept_.dir() / "cat.sealed"));
    EXPECT_TRUE(kept_.pending().value().empty());
}

TEST_F(KeptPostsTest, OnePostPerNameAndForgettingRemovesEverything) {
    auto sealed = seal("cat");
    ASSERT_TRUE(kept_.keep(sealed, post_of(sealed)));
    auto other = seal("cat", 2);
    auto again = kept_.keep(other, post_of(other));
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, ErrorCode::BAD_REQUEST);
    ASSERT_TRUE(kept_.forget("cat"));
    EXPECT_FALSE(kept_.find("cat").value().has_value());
    EXPECT_FALSE(fs::exists(kept_.dir() / "cat.sealed"));
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
    ASSERT_TRUE(kept_.keep(pending, post_of(pending)));
    age(kept_.dir() / "pending.post", 90 * 86400);
    for (const auto& [name, committed_ago] : {std::pair{"old", kKeepCommittedSeconds + 1},
                                              std::pair{"recent", std::int64_t{60}}}) {
        auto sealed = seal(name);
        auto post = post_of(sealed);
        ASSERT_TRUE(kept_.keep(sealed, post));
        ASSERT_TRUE(kept_.committed(post, kNow - committed_ago));
        age(kept_.dir() / (std::string(name) + ".post"), committed_ago);
    }
    // An interrupted seal and an interrupted keep, one old, one recent each.
    for (const auto& file : {".sealing-old123", ".sealing-new123", "orphan.sealed", "young.sealed"}) {
        write_bytes(kept_.dir() / file, Bytes(10, 1));
    }
    age(kept_.dir() / ".sealing-old123", 2 * 86400);
    age(kept_.dir() / "orphan.sealed", 2 * 86400);

    kept_.prune(kNow);
    EXPECT_TRUE(kept_.find("pending").value().has_value());
    EXPECT_TRUE(fs::exists(kept_.dir() / "pending.sealed"));
    EXPECT_FALSE(kept_.find("old").value().has_value());
    EXPECT_TRUE(kept_.find("recent").value().has_value());
    EXPECT_FALSE(fs::exists(kept_.dir() / ".sealing-old123"));
    EXPECT_FALSE(fs::exists(kept_.dir() / "orphan.sealed"));
    EXPECT_TRUE(fs::exists(kept_.dir() / ".sealing-new123"));
    EXPECT_TRUE(fs::exists(kept_.dir() / "young.sealed"));
}

}  // namespace
}  // namespace imgshare::client
