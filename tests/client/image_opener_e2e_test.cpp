// Opening an end-to-end image: only a reader the owner signed for, with their
// own grant, under the mode the owner signed; a server that swaps grants,
// adds a reader or relabels the mode is caught before anything is written.
#include <gtest/gtest.h>

#include "client/image_opener.h"
#include "client/image_sealer.h"
#include "tests/client/sealing_support.h"
#include "tests/common/scratch_dir.h"

namespace imgshare::client {
namespace {

namespace fs = std::filesystem;
using namespace imgshare::testing;

class EndToEndOpenerTest : public ::testing::Test {
  protected:
    void SetUp() override {
        write_bytes(dir_ / "input.png", image_);
        SealParameters parameters{"cat",
                                  alice_.certificate,
                                  alice_.keys.sign.secret_key,
                                  "image/png",
                                  std::string(kEndToEndMode),
                                  {"bob", "alice", "carol"},
                                  kNow,
                                  4096};
        auto sealed = seal_image(dir_ / "input.png", parameters);
        ASSERT_TRUE(sealed) << sealed.error().message;
        sealed_.emplace(std::move(*sealed));
        chunks_ = sealed_chunks(*sealed_);
        fs::create_directories(out_);
    }

    // What storage serves `requester`: the envelope and, as grant, `grant_holder`'s.
    DownloadReply record_for(const TestUser& grant_holder) const {
        return DownloadReply{encode_certificate(alice_.certificate), sealed_->encoded_envelope,
                             sealed_->signature,
                             seal(sealed_->content_key.view(), grant_holder.keys.box.public_key),
                             std::string(kEndToEndMode)};
    }

    Result<std::uint64_t> open_as(const TestUser& reader, const DownloadReply& record) {
        OpenParameters parameters{ca_.keys.public_key, reader.keys.box, "cat", kNow,
                                  reader.certificate.username};
        auto opener = ImageOpener::begin(record, parameters, out_);
        if (!opener) return std::unexpected(opener.error());
        for (std::uint32_t i = 0; i < chunks_.size(); ++i) {
            if (auto ok = opener->add_chunk(i, chunks_[i]); !ok) return std::unexpected(ok.error());
        }
        return opener->finish(out_ / "cat.png");
    }

    void expect_refused(const Result<std::uint64_t>& result, ErrorCode code) {
        ASSERT_FALSE(result);
        EXPECT_EQ(result.error().code, code) << result.error().message;
        EXPECT_TRUE(fs::is_empty(out_)) << "something was written";
    }

    ScratchDir dir_;
    fs::path out_ = dir_ / "out";
    TestCa ca_;
    TestUser alice_ = ca_.user("alice", 1);
    TestUser bob_ = ca_.user("bob", 2);
    TestUser carol_ = ca_.user("carol", 3);
    TestUser mallory_ = ca_.user("mallory", 4);
    Bytes image_ = png_bytes(20'000);
    std::optional<SealedImage> sealed_;
    std::vector<Bytes> chunks_;
};

TEST_F(EndToEndOpenerTest, EveryListedReaderOpensTheImageWithTheirOwnGrant) {
    for (const TestUser* reader : {&alice_, &bob_, &carol_}) {
        auto opened = open_as(*reader, record_for(*reader));
        ASSERT_TRUE(opened) << reader->certificate.username << ": " << opened.error().message;
        EXPECT_EQ(read_bytes(out_ / "cat.png"), image_);
        fs::remove(out_ / "cat.png");
    }
}

TEST_F(EndToEndOpenerTest, AnotherReadersGrantIsIntegrity) {
    expect_refused(open_as(bob_, record_for(carol_)), ErrorCode::INTEGRITY);
}

TEST_F(EndToEndOpenerTest, AReaderTheOwnerDidNotSignForIsRefusedEvenWithAWorkingGrant) {
    // A server that holds the key could hand it to anyone: the signed list decides.
    expect_refused(open_as(mallory_, record_for(mallory_)), ErrorCode::BAD_SIGNATURE);
    // A reader who does not say who they are is no listed reader.
    OpenParameters nameless{ca_.keys.public_key, bob_.keys.box, "cat", kNow};
    auto begun = ImageOpener::begin(record_for(bob_), nameless, out_);
    ASSERT_FALSE(begun);
    EXPECT_EQ(begun.error().code, ErrorCode::BAD_SIGNATURE);
}

TEST_F(EndToEndOpenerTest, AlteredRecipientListOrModeIsBadSignature) {
    auto record = record_for(bob_);
    auto envelope = decode_envelope(record.envelope).value();
    envelope.recipients.push_back("mallory");
    record.envelope = encode_envelope(envelope);  // still signed over the old list
    expect_refused(open_as(bob_, record), ErrorCode::BAD_SIGNATURE);

    auto relabelled = record_for(bob_);
    relabelled.mode = std::string(kEscrowMode);
    expect_refused(open_as(bob_, relabelled), ErrorCode::BAD_SIGNATURE);
}

}  // namespace
}  // namespace imgshare::client
