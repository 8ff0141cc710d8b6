// imgshare-load's posts and downloads against a fake broker: posts are sealed with the real
// sealer and sent as `imgshare post` sends them; verified downloads run every check of
// `imgshare download` and refuse tampered chunks; unverified ones still refuse chunks of the
// wrong size; a commit for another image is refused; end-to-end posts carry one grant per
// reader, open for a reader and are refused to anyone the owner did not list.
#include <gtest/gtest.h>

#include <map>
#include <mutex>

#include "client/certificate_log.h"
#include "client/load/image_fetch.h"
#include "client/load/prepared_post.h"
#include "common/clock.h"
#include "tests/client/fake_broker.h"
#include "tests/client/sealing_support.h"
#include "tests/common/scratch_dir.h"

namespace imgshare::client::load {
namespace {

namespace fs = std::filesystem;
using imgshare::testing::FakeBroker;

constexpr std::uint64_t kImageBytes = 300 * 1024;  // two chunks

LoadUser load_user(const imgshare::testing::TestCa& ca, const std::string& name) {
    auto user = ca.user(name, 7, SystemClock().now_seconds());
    return LoadUser{name, std::move(user.keys), std::move(user.certificate)};
}

std::size_t files_in(const fs::path& dir) {
    std::size_t count = 0;
    for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir))
        ++count;
    return count;
}

class LoadTrafficTest : public ::testing::Test {
  protected:
    void SetUp() override {
        imgshare::testing::write_bytes(body_, imgshare::testing::png_bytes(kImageBytes));
        fs::create_directories(scratch_ / "work");
        auto prepared = prepare_post(body_, kImageBytes, "ld-1-c0-0", author());
        ASSERT_TRUE(prepared) << prepared.error().message;
        post_ = std::move(*prepared);
    }

    PostAuthor author(std::span<const Certificate> readers = {}) {
        return PostAuthor{poster_, server_wrap_.public_key, readers, scratch_ / "work"};
    }

    // Seals post_ again end to end for poster_ and reader_ (sorted by name, as
    // fetch_reader_certificates gives them).
    void seal_end_to_end() {
        readers_ = {poster_.certificate, reader_.certificate};
        auto prepared = prepare_post(body_, kImageBytes, "ld-1-c0-3", author(readers_));
        ASSERT_TRUE(prepared) << prepared.error().message;
        post_ = std::move(*prepared);
        committed_name_ = post_.name;
    }

    // The fake storage: records the upload, serves the post back to `reader_` as the broker
    // would after REWRAP (the key unsealed with the server's key, sealed to the reader).
    std::vector<Frames> serve(const Frames& request) {
        if (request.empty()) return {};
        auto decoded = decode_request(request);
        if (!decoded) return {encode_error(decoded.error(), 0)};
        const auto id = decoded->header.id;
        std::lock_guard lock(mutex_);
        if (auto* begin = std::get_if<PostBeginRequest>(&decoded->request)) {
            begun_ = *begin;
            return {encode_ok(PostBeginReply{"upload-1", 0}, id)};
        }
        if (auto* chunk = std::get_if<PostChunkRequest>(&decoded->request)) {
            uploaded_[chunk->index] = Bytes(decoded->payload.begin(), decoded->payload.end());
            return {encode_ok(PostChunkReply{chunk->index}, id)};
        }
        if (std::holds_alternative<PostCommitRequest>(decoded->request)) {
            return {
                encode_ok(PostCommitReply{committed_name_, "load-000", 5, 1, 0, "escrow", {}}, id)};
        }
        if (std::holds_alternative<DownloadRequest>(decoded->request)) {
            if (!begun_.grants.empty()) {  // e2e: the requester's grant as storage keeps it
                for (const auto& grant : begun_.grants) {
                    if (grant.recipient != downloader_->username) continue;
                    return {encode_ok(DownloadReply{begun_.certificate, begun_.envelope,
                                                    begun_.signature, grant.sealed_key, "e2e"},
                                      id, served_chunk(0))};
                }
                // A hostile server hands out some other reader's grant.
                return {
                    encode_ok(DownloadReply{begun_.certificate, begun_.envelope, begun_.signature,
                                            begun_.grants[0].sealed_key, "e2e"},
                              id, served_chunk(0))};
            }
            auto key = unseal(begun_.wrapped_key, server_wrap_);
            if (!key) return {encode_error(key.error(), id)};
            return {
                encode_ok(DownloadReply{begun_.certificate, begun_.envelope, begun_.signature,
                                        seal(key->view(), reader_.keys.box.public_key), "escrow"},
                          id, served_chunk(0))};
        }
        if (auto* get = std::get_if<GetCertRequest>(&decoded->request)) {
            // The owner's standing, as the CA reports it.
            return {encode_ok(ca_.standing_reply(poster_.certificate, owner_revoked_, std::nullopt,
                                                 get->log_size_seen),
                              id)};
        }
        if (auto* get = std::get_if<GetChunkRequest>(&decoded->request)) {
            ++chunk_requests_;
            return {encode_ok(GetChunkReply{get->index}, id, served_chunk(get->index))};
        }
        return {encode_error(Error{ErrorCode::BAD_REQUEST, "not faked"}, id)};
    }

    // Chunk `index` as uploaded, damaged as the test asks (chunk 0 goes in the DOWNLOAD reply).
    Bytes served_chunk(std::uint32_t index) {
        Bytes chunk = uploaded_.at(index);
        if (index == tampered_chunk_) chunk[chunk.size() / 2] ^= 1;
        if (index == short_chunk_) chunk.pop_back();
        return chunk;
    }

    std::unique_ptr<BrokerConnection> connect(const LoadUser& user) {
        ConnectionSettings settings;
        settings.endpoint = broker_.endpoint();
        settings.broker_public_key = broker_.public_key();
        settings.certificate_log = certificate_log_;
        return std::make_unique<BrokerConnection>(settings, user.keys.curve, log_, stop_);
    }

    // Posts post_ as the poster.
    Result<PostCommitReply> send() { return send_post(*connect(poster_), post_, 4); }

    Result<std::uint64_t> fetch(bool verify, const LoadUser* who = nullptr) {
        downloader_ = who ? who : &reader_;
        ImageReader reader{*downloader_, ca_.keys.public_key, scratch_ / "work"};
        return fetch_image(*connect(*downloader_), post_.name, verify, reader, 4);
    }

    imgshare::testing::ScratchDir scratch_;
    fs::path body_ = scratch_ / "body.png";
    imgshare::testing::TestCa ca_;
    std::shared_ptr<CertificateLog> certificate_log_ =
        std::make_shared<CertificateLog>(std::filesystem::path(), ca_.log_verify_key());
    LoadUser poster_ = load_user(ca_, "load-000");
    LoadUser reader_ = load_user(ca_, "load-001");
    LoadUser outsider_ = load_user(ca_, "load-002");
    const LoadUser* downloader_ = &reader_;
    std::vector<Certificate> readers_;
    BoxKeyPair server_wrap_ = generate_box_keys();
    PreparedPost post_;
    ProtocolLog log_ = ProtocolLog::disabled();
    std::atomic<bool> stop_{false};
    std::mutex mutex_;
    PostBeginRequest begun_;
    std::map<std::uint32_t, Bytes> uploaded_;
    std::string committed_name_ = "ld-1-c0-0";
    std::optional<std::uint32_t> tampered_chunk_, short_chunk_;
    int chunk_requests_ = 0;  // GET_CHUNK requests
    bool owner_revoked_ = false;
    FakeBroker broker_{[this](const Frames& request) { return serve(request); }};
};

TEST_F(LoadTrafficTest, PreparedPostsAreSealedInMemoryWithTheKeyWrappedForTheServer) {
    EXPECT_EQ(post_.chunk_count, 2u);
    EXPECT_FALSE(post_.ciphertext.has_value());
    ASSERT_EQ(post_.chunks.size(), 2u);
    auto key = unseal(post_.begin.wrapped_key, server_wrap_);
    ASSERT_TRUE(key);
    auto envelope = decode_envelope(post_.begin.envelope).value();
    EXPECT_EQ(envelope.name, "ld-1-c0-0");
    EXPECT_EQ(envelope.owner, "load-000");
    EXPECT_TRUE(check_key_commitment(*key, envelope.key_commitment));
    EXPECT_TRUE(verify_envelope(post_.begin.envelope, post_.begin.signature, poster_.certificate));
    // Nothing of the sealer's is left on disk: the chunks are in memory.
    EXPECT_EQ(files_in(scratch_ / "work"), 0u);
}

TEST_F(LoadTrafficTest, PostThenVerifiedDownloadReturnsTheImageLengthAndLeavesNoFile) {
    auto committed = send();
    ASSERT_TRUE(committed) << committed.error().message;
    EXPECT_EQ(committed->seq, 5u);
    ASSERT_EQ(uploaded_.size(), 2u);
    EXPECT_EQ(uploaded_[0], post_.chunks[0]);
    EXPECT_EQ(uploaded_[1], post_.chunks[1]);
    auto fetched = fetch(true);
    ASSERT_TRUE(fetched) << fetched.error().message;
    EXPECT_EQ(*fetched, kImageBytes);
    EXPECT_EQ(files_in(scratch_ / "work"), 0u);
}

TEST_F(LoadTrafficTest, CommitOfAnotherImageIsIntegrity) {
    committed_name_ = "someone-elses";
    auto committed = send();
    ASSERT_FALSE(committed);
    EXPECT_EQ(committed.error().code, ErrorCode::INTEGRITY);
}

TEST_F(LoadTrafficTest, VerifiedDownloadRefusesATamperedChunk) {
    ASSERT_TRUE(send());
    tampered_chunk_ = 1;
    auto fetched = fetch(true);
    ASSERT_FALSE(fetched);
    EXPECT_EQ(fetched.error().code, ErrorCode::INTEGRITY) << fetched.error().message;
    EXPECT_EQ(files_in(scratch_ / "work"), 0u);
}

TEST_F(LoadTrafficTest, TheFirstChunkComesWithTheDownloadReplyAndIsCheckedLikeTheRest) {
    ASSERT_TRUE(send());
    auto fetched = fetch(true);
    ASSERT_TRUE(fetched) << fetched.error().message;
    EXPECT_EQ(chunk_requests_, 1) << "only chunk 1 of 2 needs a GET_CHUNK";
    tampered_chunk_ = 0;
    auto refused = fetch(true);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::INTEGRITY) << refused.error().message;
    EXPECT_EQ(files_in(scratch_ / "work"), 0u);
}

TEST_F(LoadTrafficTest, VerifiedDownloadOfARevokedOwnersImageIsRefusedAsImgshareDownloadDoes) {
    ASSERT_TRUE(send());
    owner_revoked_ = true;
    auto refused = fetch(true);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::REVOKED) << refused.error().message;
    // Unverified downloads check nothing of the kind: they only load the servers.
    EXPECT_TRUE(fetch(false));
}

TEST_F(LoadTrafficTest, UnverifiedDownloadCountsCiphertextAndRefusesAShortChunk) {
    ASSERT_TRUE(send());
    auto fetched = fetch(false);
    ASSERT_TRUE(fetched) << fetched.error().message;
    EXPECT_EQ(*fetched, post_.ciphertext_bytes());
    short_chunk_ = 0;
    auto refused = fetch(false);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::INTEGRITY);
}

TEST_F(LoadTrafficTest, EndToEndPostsSealOneGrantPerReaderAndNothingForTheServer) {
    seal_end_to_end();
    EXPECT_TRUE(post_.begin.wrapped_key.empty());
    EXPECT_EQ(post_.readers, (std::vector<std::string>{"load-000", "load-001"}));
    auto envelope = decode_envelope(post_.begin.envelope).value();
    EXPECT_EQ(envelope.mode, "e2e");
    EXPECT_EQ(envelope.recipients, post_.readers);
    ASSERT_EQ(post_.begin.grants.size(), 2u);
    const LoadUser* holders[] = {&poster_, &reader_};
    for (std::size_t i = 0; i < 2; ++i) {
        EXPECT_EQ(post_.begin.grants[i].recipient, holders[i]->username);
        auto key = unseal(post_.begin.grants[i].sealed_key, holders[i]->keys.box);
        ASSERT_TRUE(key) << holders[i]->username;
        EXPECT_TRUE(check_key_commitment(*key, envelope.key_commitment));
        // Sealed to that reader alone: neither the server's key nor the other reader opens it.
        EXPECT_FALSE(unseal(post_.begin.grants[i].sealed_key, server_wrap_));
        EXPECT_FALSE(unseal(post_.begin.grants[i].sealed_key, holders[1 - i]->keys.box));
    }
}

TEST_F(LoadTrafficTest, EndToEndPostOpensForItsReaderAndIsRefusedToAnyoneElse) {
    seal_end_to_end();
    ASSERT_TRUE(send());
    auto fetched = fetch(true);
    ASSERT_TRUE(fetched) << fetched.error().message;
    EXPECT_EQ(*fetched, kImageBytes);
    // Handed a grant it cannot open by a server that lets it through, the outsider's check of
    // the signed reader list refuses before anything is decrypted.
    auto refused = fetch(true, &outsider_);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::BAD_SIGNATURE) << refused.error().message;
    EXPECT_EQ(files_in(scratch_ / "work"), 0u);
}

TEST_F(LoadTrafficTest, LargeImagesStayInATemporaryFile) {
    const std::uint64_t large = kInMemoryImageBytes + 1;
    imgshare::testing::write_bytes(body_, imgshare::testing::png_bytes(large));
    auto prepared = prepare_post(body_, large, "ld-1-c0-2", author());
    ASSERT_TRUE(prepared) << prepared.error().message;
    ASSERT_TRUE(prepared->ciphertext.has_value());
    EXPECT_TRUE(prepared->chunks.empty());
    Bytes buffer;
    auto last = prepared->chunk(prepared->chunk_count - 1, buffer);
    ASSERT_TRUE(last);
    EXPECT_GT(last->size(), 0u);
    EXPECT_GT(prepared->ciphertext_bytes(), large);
}

}  // namespace
}  // namespace imgshare::client::load
