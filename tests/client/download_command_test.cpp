// download and whois through the command line against a fake broker playing
// an honest or a lying CA and storage node: only a verified image from an owner
// in good standing (or renewed for the same key) is written, and nothing else.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "client/image_sealer.h"
#include "common/clock.h"
#include "common/keystore.h"
#include "tests/client/command_fixture.h"

namespace imgshare::client {
namespace {

namespace fs = std::filesystem;
using namespace imgshare::testing;

// ---- download ----

class DownloadCommandTest : public CommandsTest {
  protected:
    void SetUp() override {
        CommandsTest::SetUp();
        bob_home_ = registered_home("bob");
        post_as(ca_.user("alice", 1, SystemClock().now_seconds()));
        behaviour_.on_download = [this](const DownloadRequest&) -> Result<DownloadReply> {
            return record_;
        };
        behaviour_.on_get_chunk =
            [this](std::uint32_t index) -> Result<std::pair<std::uint32_t, Bytes>> {
            if (index >= chunks_.size()) return fail(ErrorCode::NOT_FOUND, "no such chunk");
            return std::pair{index, chunks_[index]};
        };
        behaviour_.on_get_cert = [this](const GetCertRequest& request) -> Result<GetCertReply> {
            if (request.username != "alice") return fail(ErrorCode::NOT_FOUND, "no such user");
            return ca_.standing_reply(alice_now_, alice_revoked_, std::nullopt,
                                      request.log_size_seen);
        };
    }

    // `owner` posts "cat" (escrow, key re-wrapped for bob); the CA says the same of them now.
    void post_as(TestUser owner) {
        alice_ = std::move(owner);
        alice_now_ = alice_.certificate;
        // Logged, as the CA logs every certificate it issues (LOG_PROOF proves it later).
        ca_.log->index_of(encode_certificate(alice_.certificate));
        post_again({});
    }

    // Alice posts "cat" again, with `controls` (expires_at, max_downloads).
    void post_again(std::pair<std::int64_t, std::uint32_t> controls) {
        write_bytes(scratch_ / "input.png", image_);
        SealParameters parameters{"cat",
                                  alice_.certificate,
                                  alice_.keys.sign.secret_key,
                                  "image/png",
                                  std::string(kEscrowMode),
                                  {},
                                  SystemClock().now_seconds(),
                                  4096};
        parameters.expires_at = controls.first;
        parameters.max_downloads = controls.second;
        auto sealed = seal_image(scratch_ / "input.png", parameters);
        ASSERT_TRUE(sealed);
        chunks_ = sealed_chunks(*sealed);
        auto bob = Keystore(bob_home_).load_certificate();
        ASSERT_TRUE(bob);
        record_ = DownloadReply{encode_certificate(alice_.certificate), sealed->encoded_envelope,
                                sealed->signature, seal(sealed->content_key.view(), bob->box_pk),
                                "escrow"};
    }

    // Alice's certificate as the CA would issue it now for `sign_pk`: a renewal when it is
    // hers.
    Certificate reissued(ByteView sign_pk) const {
        Certificate fields = alice_.certificate;
        fields.serial += 1;
        fields.sign_pk = Bytes(sign_pk.begin(), sign_pk.end());
        fields.not_before = SystemClock().now_seconds() - 60;
        fields.not_after = SystemClock().now_seconds() + 86400;
        return issue_certificate(fields, ca_.keys.secret_key);
    }

    std::vector<std::string> files_in(const fs::path& dir) {
        std::vector<std::string> names;
        for (const auto& entry : fs::directory_iterator(dir))
            names.push_back(entry.path().filename().string());
        return names;
    }

    fs::path bob_home_;
    TestUser alice_;
    Certificate alice_now_;  // what GET_CERT answers
    bool alice_revoked_ = false;
    Bytes image_ = png_bytes(50'000);
    std::vector<Bytes> chunks_;
    DownloadReply record_;
};

TEST_F(DownloadCommandTest, DownloadWritesTheVerifiedImage) {
    fs::create_directories(scratch_ / "out");
    auto run = imgshare(bob_home_, {"download", "cat", "-o", (scratch_ / "out").string()});
    ASSERT_EQ(run.status, 0) << run.err;
    auto path = scratch_ / "out" / "cat.png";
    EXPECT_EQ(run.out, "downloaded cat from alice to " + path.string() + " (verified)\n");
    EXPECT_EQ(read_bytes(path), image_);
    // A second download refuses to overwrite it.
    expect_error(imgshare(bob_home_, {"download", "cat", "-o", path.string()}), "BAD_REQUEST");
    EXPECT_EQ(read_bytes(path), image_);
}

TEST_F(DownloadCommandTest, TamperedChunkIsIntegrityAndLeavesNothing) {
    fs::create_directories(scratch_ / "out");
    chunks_[3][10] ^= 0x20;
    auto out = scratch_ / "out" / "copy.png";
    expect_error(imgshare(bob_home_, {"download", "cat", "-o", out.string()}), "INTEGRITY");
    EXPECT_TRUE(files_in(scratch_ / "out").empty());
}

TEST_F(DownloadCommandTest, TheFirstChunkComesWithTheRecordAndIsCheckedLikeTheRest) {
    fs::create_directories(scratch_ / "out");
    auto run = imgshare(bob_home_, {"download", "cat", "-o", (scratch_ / "out").string()});
    ASSERT_EQ(run.status, 0) << run.err;
    EXPECT_EQ(chunk_requests_, static_cast<int>(chunks_.size()) - 1);
    chunks_[0][20] ^= 0x01;
    auto out = scratch_ / "out" / "copy.png";
    expect_error(imgshare(bob_home_, {"download", "cat", "-o", out.string()}), "INTEGRITY");
    EXPECT_FALSE(fs::exists(out));
}

TEST_F(DownloadCommandTest, AnImageWithADownloadLimitComesWholeByGetChunk) {
    post_again({0, 3});
    behaviour_.download_without_chunk = true;
    fs::create_directories(scratch_ / "out");
    auto run = imgshare(bob_home_, {"download", "cat", "-o", (scratch_ / "out").string()});
    ASSERT_EQ(run.status, 0) << run.err;
    EXPECT_EQ(read_bytes(scratch_ / "out" / "cat.png"), image_);
    EXPECT_EQ(chunk_requests_, static_cast<int>(chunks_.size()));  // chunk 0 too
}

TEST_F(DownloadCommandTest, AnImagePastItsOwnersSignedExpiryIsRefusedAndNothingIsWritten) {
    // A storage node that should have stopped serving it: the reader refuses on its own.
    post_again({SystemClock().now_seconds() - 5, 0});
    fs::create_directories(scratch_ / "out");
    auto run = imgshare(bob_home_, {"download", "cat", "-o", (scratch_ / "out").string()});
    expect_error(run, "EXPIRED");
    EXPECT_NE(run.err.find("signed expiry"), std::string::npos) << run.err;
    EXPECT_TRUE(files_in(scratch_ / "out").empty());
    // Before it, the same image is read.
    post_again({SystemClock().now_seconds() + 3600, 0});
    EXPECT_EQ(imgshare(bob_home_, {"download", "cat", "-o", (scratch_ / "out").string()}).status,
              0);
}

TEST_F(DownloadCommandTest, ChunkServedUnderAnotherIndexIsIntegrity) {
    fs::create_directories(scratch_ / "out");
    behaviour_.on_get_chunk =
        [this](std::uint32_t index) -> Result<std::pair<std::uint32_t, Bytes>> {
        std::uint32_t claimed = index == 2 ? 3 : index;
        return std::pair{claimed, chunks_[claimed]};
    };
    expect_error(imgshare(bob_home_, {"download", "cat", "-o", (scratch_ / "out").string()}),
                 "INTEGRITY");
    EXPECT_TRUE(files_in(scratch_ / "out").empty());
}

TEST_F(DownloadCommandTest, ImageServedUnderAnotherNameIsBadSignature) {
    fs::create_directories(scratch_ / "out");
    expect_error(imgshare(bob_home_, {"download", "dog", "-o", (scratch_ / "out").string()}),
                 "BAD_SIGNATURE");
    EXPECT_TRUE(files_in(scratch_ / "out").empty());
}

TEST_F(DownloadCommandTest, ARevokedOwnersImageIsRefusedAndNothingIsWritten) {
    fs::create_directories(scratch_ / "out");
    alice_revoked_ = true;
    auto run = imgshare(bob_home_, {"download", "cat", "-o", (scratch_ / "out").string()});
    expect_error(run, "REVOKED");
    EXPECT_NE(run.err.find("alice"), std::string::npos) << run.err;
    EXPECT_TRUE(files_in(scratch_ / "out").empty());
}

TEST_F(DownloadCommandTest, AnExpiredOwnerWhoDidNotRenewIsRefused) {
    fs::create_directories(scratch_ / "out");
    // Posted while the certificate was valid; it ended yesterday.
    post_as(ca_.user("alice", 1, SystemClock().now_seconds() - 3 * 86400));
    expect_error(imgshare(bob_home_, {"download", "cat", "-o", (scratch_ / "out").string()}),
                 "EXPIRED");
    EXPECT_TRUE(files_in(scratch_ / "out").empty());
    // A "renewal" for another signing key does not vouch for what the old key signed.
    alice_now_ = reissued(generate_signing_keys().public_key);
    expect_error(imgshare(bob_home_, {"download", "cat", "-o", (scratch_ / "out").string()}),
                 "EXPIRED");
    EXPECT_TRUE(files_in(scratch_ / "out").empty());
}

TEST_F(DownloadCommandTest, ARenewedOwnersOlderImagesStayReadable) {
    fs::create_directories(scratch_ / "out");
    post_as(ca_.user("alice", 1, SystemClock().now_seconds() - 3 * 86400));
    alice_now_ = reissued(alice_.keys.sign.public_key);
    auto run = imgshare(bob_home_, {"download", "cat", "-o", (scratch_ / "out").string()});
    ASSERT_EQ(run.status, 0) << run.err;
    EXPECT_EQ(read_bytes(scratch_ / "out" / "cat.png"), image_);
}

// The older certificate a renewed owner signed with must be in the certificate log on its own
// (LOG_PROOF): one the log does not hold is refused, and nothing is written.
TEST_F(DownloadCommandTest, ARenewedOwnersOlderCertificateTheLogDoesNotHoldIsRefused) {
    fs::create_directories(scratch_ / "out");
    post_as(ca_.user("alice", 1, SystemClock().now_seconds() - 3 * 86400));
    alice_now_ = reissued(alice_.keys.sign.public_key);
    ca_.log->certificates.clear();  // the CA proves nothing it did not log
    auto run = imgshare(bob_home_, {"download", "cat", "-o", (scratch_ / "out").string()});
    expect_error(run, "NOT_FOUND");
    EXPECT_TRUE(run.err.starts_with("error: NOT_FOUND: the owner's certificate: ")) << run.err;
    EXPECT_TRUE(files_in(scratch_ / "out").empty());
}

TEST_F(DownloadCommandTest, ARevokedOwnerIsRefusedEvenAfterARenewal) {
    post_as(ca_.user("alice", 1, SystemClock().now_seconds() - 3 * 86400));
    alice_now_ = reissued(alice_.keys.sign.public_key);
    alice_revoked_ = true;
    expect_error(imgshare(bob_home_, {"download", "cat"}), "REVOKED");
}

TEST_F(DownloadCommandTest, AnOwnerCertificateNotByThePinnedCaIsRefused) {
    SigningKeyPair rogue = generate_signing_keys();
    Certificate forged = alice_.certificate;
    record_.certificate = encode_certificate(issue_certificate(forged, rogue.secret_key));
    expect_error(imgshare(bob_home_, {"download", "cat"}), "BAD_SIGNATURE");
}

// ---- whois ----

TEST_F(DownloadCommandTest, WhoisShowsWhereTheCertificateStands) {
    auto run = imgshare(bob_home_, {"whois", "alice"});
    ASSERT_EQ(run.status, 0) << run.err;
    EXPECT_NE(run.out.find("revoked: no\nstate: valid\n"), std::string::npos) << run.out;

    alice_revoked_ = true;
    run = imgshare(bob_home_, {"whois", "alice"});
    ASSERT_EQ(run.status, 0) << run.err;
    EXPECT_NE(run.out.find("revoked: yes\nstate: revoked\n"), std::string::npos) << run.out;

    alice_revoked_ = false;
    alice_now_ = ca_.user("alice", 1, SystemClock().now_seconds() - 3 * 86400).certificate;
    run = imgshare(bob_home_, {"--json", "whois", "alice"});
    ASSERT_EQ(run.status, 0) << run.err;
    auto shown = nlohmann::json::parse(run.out);
    EXPECT_EQ(shown["state"], "expired");
    EXPECT_EQ(shown["revoked"], false);

    // Still only what the pinned CA signed.
    SigningKeyPair rogue = generate_signing_keys();
    alice_now_ = issue_certificate(alice_.certificate, rogue.secret_key);
    expect_error(imgshare(bob_home_, {"whois", "alice"}), "BAD_SIGNATURE");
}

TEST_F(DownloadCommandTest, ServerErrorsArePassedOn) {
    behaviour_.on_download = [](const DownloadRequest&) -> Result<DownloadReply> {
        return fail(ErrorCode::NOT_FOUND, "no image named cat");
    };
    auto run = imgshare(bob_home_, {"download", "cat"});
    expect_error(run, "NOT_FOUND");
    EXPECT_NE(run.err.find("no image named cat"), std::string::npos);
}

}  // namespace
}  // namespace imgshare::client
