// post --to and share --with through the command line against a fake broker
// playing an honest or lying CA and storage node: grants go only to verified
// readers, an unknown, revoked or expired reader stops everything before a byte
// is sent, and only the owner shares.
#include <gtest/gtest.h>

#include <mutex>
#include <optional>

#include "client/image_sealer.h"
#include "common/clock.h"
#include "common/keystore.h"
#include "tests/client/command_fixture.h"

namespace imgshare::client {
namespace {

namespace fs = std::filesystem;
using namespace imgshare::testing;

class EndToEndCommandsTest : public FakeBrokerCommandTest {
  protected:
    void SetUp() override {
        FakeBrokerCommandTest::SetUp();
        alice_home_ = registered_home("alice");
        alice_ = load_user(alice_home_);
        // Downloads ask the CA for the owner's standing (GET_CERT alice).
        certificates_["alice"] = ca_.standing_reply(alice_.certificate, false);
        for (const auto* name : {"bob", "carol", "dave"}) {
            others_.emplace(name, ca_.user(name, 50, SystemClock().now_seconds()));
            certificates_[name] = ca_.standing_reply(others_.at(name).certificate, false);
        }
    }

    std::vector<Frames> serve(const Frames& request) override {
        if (request.empty()) return {};
        auto decoded = decode_request(request);
        if (!decoded) return {encode_error(decoded.error(), 0)};
        auto id = decoded->header.id;
        std::lock_guard lock(mutex_);
        types_.push_back(decoded->header.type);
        if (auto* r = std::get_if<RegisterRequest>(&decoded->request)) {
            Certificate fields{kCertificateVersion,
                               42,
                               r->username,
                               r->sign_pk,
                               r->box_pk,
                               r->curve_pk,
                               SystemClock().now_seconds() - 60,
                               SystemClock().now_seconds() + 86400,
                               "fake-ca",
                               {}};
            auto issued = issue_certificate(fields, ca_.keys.secret_key);
            return {encode_ok(
                RegisterReply{encode_certificate(issued), ca_.logged(issued, r->log_size_seen)},
                id)};
        }
        if (auto* get = std::get_if<GetCertRequest>(&decoded->request)) {
            auto found = certificates_.find(get->username);
            if (found == certificates_.end()) {
                return {encode_error(Error{ErrorCode::NOT_FOUND, "no such user"}, id)};
            }
            // Proved against the log as it is now, as a CA answers.
            auto reply = found->second;
            if (reply) reply->log = ca_.log->proof(reply->certificate, get->log_size_seen);
            return {answer(reply, id)};
        }
        if (auto* begin = std::get_if<PostBeginRequest>(&decoded->request)) {
            posted_ = *begin;
            return {encode_ok(PostBeginReply{"u1", 0}, id)};
        }
        if (auto* image = std::get_if<PostImageRequest>(&decoded->request)) {
            posted_ = *image;
            auto envelope = decode_envelope(posted_->envelope).value();
            return {encode_ok(
                PostCommitReply{"cat", "alice", 9, 1, 0, envelope.mode, envelope.recipients}, id)};
        }
        if (auto* chunk = std::get_if<PostChunkRequest>(&decoded->request)) {
            return {encode_ok(PostChunkReply{chunk->index}, id)};
        }
        if (std::holds_alternative<PostCommitRequest>(decoded->request)) {
            auto envelope = decode_envelope(posted_->envelope).value();
            return {encode_ok(
                PostCommitReply{"cat", "alice", 9, 1, 0, envelope.mode, envelope.recipients}, id)};
        }
        if (std::holds_alternative<DownloadRequest>(decoded->request)) {
            return {answer(download_, id, chunks_.empty() ? Bytes{} : chunks_[0])};
        }
        if (auto* get = std::get_if<GetChunkRequest>(&decoded->request)) {
            if (get->index >= chunks_.size()) {
                return {encode_error(Error{ErrorCode::NOT_FOUND, "no such chunk"}, id)};
            }
            return {encode_ok(GetChunkReply{get->index}, id, chunks_[get->index])};
        }
        if (std::holds_alternative<ListRequest>(decoded->request)) {
            return {encode_ok(list_, id)};
        }
        if (auto* share = std::get_if<ShareRequest>(&decoded->request)) {
            shared_ = *share;
            if (share_reply_) return {answer(*share_reply_, id)};
            auto envelope = decode_envelope(share->envelope).value();
            std::vector<std::string> added;
            for (const auto& grant : share->grants)
                added.push_back(grant.recipient);
            // Readers of the served envelope the new one leaves out: a revoke.
            std::vector<std::string> removed;
            for (const auto& reader : envelope_.recipients) {
                if (!std::ranges::binary_search(envelope.recipients, reader)) {
                    removed.push_back(reader);
                }
            }
            return {encode_ok(ShareReply{envelope.recipients, added, share->name, "alice", 12, 1,
                                         0, "e2e", removed},
                              id)};
        }
        return {encode_error(Error{ErrorCode::BAD_REQUEST, "not faked"}, id)};
    }

    static TestUser load_user(const fs::path& home) {
        Keystore keystore(home);
        return TestUser{keystore.load(kPassphrase).value(), keystore.load_certificate().value()};
    }

    bool sent(std::string_view type) {
        std::lock_guard lock(mutex_);
        return std::find(types_.begin(), types_.end(), type) != types_.end();
    }

    // Alice's e2e image "cat" for `readers` (alice added), as storage would serve it to
    // `requester`: with the requester's own grant. Posted with `posted_with_` if set (an
    // earlier certificate for her keys), else with her certificate now.
    void serve_e2e_image(std::vector<std::string> readers, const TestUser& requester,
                         std::string mode = std::string(kEndToEndMode)) {
        const Certificate& owner = posted_with_ ? *posted_with_ : alice_.certificate;
        readers.push_back("alice");
        std::sort(readers.begin(), readers.end());
        write_bytes(scratch_ / "input.png", image_);
        SealParameters parameters{"cat",
                                  owner,
                                  alice_.keys.sign.secret_key,
                                  "image/png",
                                  mode,
                                  mode == kEndToEndMode ? readers : std::vector<std::string>{},
                                  SystemClock().now_seconds(),
                                  4096};
        auto sealed = seal_image(scratch_ / "input.png", parameters);
        ASSERT_TRUE(sealed) << sealed.error().message;
        content_key_ = SecretBytes::copy_of(sealed->content_key.view());
        chunks_ = sealed_chunks(*sealed);
        envelope_ = sealed->envelope;
        download_ =
            DownloadReply{encode_certificate(owner), sealed->encoded_envelope, sealed->signature,
                          seal(sealed->content_key.view(), requester.keys.box.public_key), mode};
    }

    // A certificate the CA issued alice before the one she holds: serial 41, ended a day ago,
    // for her signing key unless another is given.
    Certificate alices_expired_certificate(std::optional<Bytes> sign_pk = std::nullopt) const {
        Certificate fields = alice_.certificate;
        fields.serial = 41;
        if (sign_pk) fields.sign_pk = *sign_pk;
        fields.not_before = SystemClock().now_seconds() - 3 * 86400;
        fields.not_after = SystemClock().now_seconds() - 86400;
        return issue_certificate(fields, ca_.keys.secret_key);
    }

    std::mutex mutex_;
    std::map<std::string, Result<GetCertReply>> certificates_;
    std::vector<std::string> types_;
    std::optional<PostBeginRequest> posted_;
    Result<DownloadReply> download_ = fail(ErrorCode::NOT_FOUND, "no such image");
    std::optional<ShareRequest> shared_;
    std::optional<Result<ShareReply>> share_reply_;
    std::optional<Certificate> posted_with_;
    SecretBytes content_key_;
    Envelope envelope_;
    Bytes image_ = png_bytes(20'000);
    std::vector<Bytes> chunks_;
    ListReply list_;
    fs::path alice_home_;
    TestUser alice_;
    std::map<std::string, TestUser> others_;
};

// ---- post --to ----

TEST_F(EndToEndCommandsTest, PostToSealsOneGrantPerReaderAndNothingForAnyServer) {
    write_bytes(scratch_ / "cat.png", png_bytes(300'000));
    auto run =
        imgshare(alice_home_, {"post", (scratch_ / "cat.png").string(), "--to", "bob,carol"});
    ASSERT_EQ(run.status, 0) << run.err;
    EXPECT_EQ(run.out, "posted cat (seq 9) end-to-end for alice,bob,carol\n");
    ASSERT_TRUE(posted_);
    auto envelope = verify_envelope(posted_->envelope, posted_->signature, alice_.certificate);
    ASSERT_TRUE(envelope) << envelope.error().message;
    EXPECT_EQ(envelope->mode, kEndToEndMode);
    EXPECT_EQ(envelope->recipients, (std::vector<std::string>{"alice", "bob", "carol"}));
    // No key for the server, and the CA's wrap key was never even asked for.
    EXPECT_TRUE(posted_->wrapped_key.empty());
    EXPECT_FALSE(sent(CaInfoRequest::kType));
    ASSERT_EQ(posted_->grants.size(), 3u);
    for (const auto& grant : posted_->grants) {
        const BoxKeyPair& keys =
            grant.recipient == "alice" ? alice_.keys.box : others_.at(grant.recipient).keys.box;
        auto key = unseal(grant.sealed_key, keys);
        ASSERT_TRUE(key) << grant.recipient;
        EXPECT_TRUE(check_key_commitment(*key, envelope->key_commitment)) << grant.recipient;
        // ...and it opens for nobody else.
        const BoxKeyPair& other =
            grant.recipient == "bob" ? others_.at("carol").keys.box : others_.at("bob").keys.box;
        EXPECT_FALSE(unseal(grant.sealed_key, other)) << grant.recipient;
    }
}

TEST_F(EndToEndCommandsTest, PostToAnUnacceptableRecipientStopsBeforeAnythingIsSent) {
    write_bytes(scratch_ / "cat.png", png_bytes(1000));
    auto post_to = [&](const std::string& to) {
        return imgshare(alice_home_, {"post", (scratch_ / "cat.png").string(), "--to", to});
    };
    expect_error(post_to("bob,nobody"), "NOT_FOUND");

    certificates_["bob"] = ca_.standing_reply(others_.at("bob").certificate, true);
    expect_error(post_to("bob"), "REVOKED");

    TestUser stale = ca_.user("carol", 51, 1'000'000);  // valid around 1970
    certificates_["carol"] = ca_.standing_reply(stale.certificate, false);
    expect_error(post_to("carol"), "EXPIRED");

    TestCa rogue_ca;
    TestUser forged = rogue_ca.user("dave", 52, SystemClock().now_seconds());
    certificates_["dave"] = rogue_ca.standing_reply(forged.certificate, false);
    expect_error(post_to("dave"), "BAD_SIGNATURE");

    certificates_["erin"] = ca_.standing_reply(others_.at("bob").certificate, false);
    expect_error(post_to("erin"), "BAD_SIGNATURE");  // the CA answered with bob's

    expect_error(post_to("Bob"), "BAD_REQUEST");  // refused before connecting
    expect_error(post_to("bob,,carol"), "BAD_REQUEST");
    expect_error(post_to(""), "BAD_REQUEST");  // never an escrow post by mistake
    EXPECT_FALSE(posted_);
    EXPECT_FALSE(sent(PostBeginRequest::kType));
    EXPECT_FALSE(sent(PostImageRequest::kType));
}

// ---- share --with ----

TEST_F(EndToEndCommandsTest, OwnerSharesBySealingHerOwnKeyToTheNewReader) {
    serve_e2e_image({"bob"}, alice_);
    auto run = imgshare(alice_home_, {"share", "cat", "--with", "dave,bob"});
    ASSERT_EQ(run.status, 0) << run.err;
    EXPECT_EQ(run.out, "shared cat with dave (readers alice,bob,dave; seq 12)\n");
    ASSERT_TRUE(shared_);
    EXPECT_EQ(shared_->name, "cat");
    auto envelope = verify_envelope(shared_->envelope, shared_->signature, alice_.certificate);
    ASSERT_TRUE(envelope) << envelope.error().message;
    Envelope expected = envelope_;
    expected.recipients = {"alice", "bob", "dave"};
    expected.revision = 1;  // the next revision, which makes it a v3 envelope
    expected.v = kEnvelopeWithControlsVersion;
    EXPECT_EQ(*envelope, expected);  // only the recipient list and the revision changed
    ASSERT_EQ(shared_->grants.size(), 1u);
    EXPECT_EQ(shared_->grants[0].recipient, "dave");
    auto key = unseal(shared_->grants[0].sealed_key, others_.at("dave").keys.box);
    ASSERT_TRUE(key);
    EXPECT_TRUE(key->equals(content_key_));
    EXPECT_EQ(shared_->certificate, encode_certificate(alice_.certificate));
}

TEST_F(EndToEndCommandsTest, ARenewedOwnerSharesAnImagePostedUnderHerExpiredCertificate) {
    posted_with_ = alices_expired_certificate();
    serve_e2e_image({"bob"}, alice_);
    auto run = imgshare(alice_home_, {"share", "cat", "--with", "dave"});
    ASSERT_EQ(run.status, 0) << run.err;
    ASSERT_TRUE(shared_);
    // Still signed for the certificate the envelope names, and sent with the one she holds
    // now, which the storage node needs to accept it.
    auto envelope = verify_envelope(shared_->envelope, shared_->signature, *posted_with_);
    ASSERT_TRUE(envelope) << envelope.error().message;
    EXPECT_EQ(envelope->owner_serial, 41u);
    EXPECT_EQ(envelope->recipients, (std::vector<std::string>{"alice", "bob", "dave"}));
    EXPECT_EQ(shared_->certificate, encode_certificate(alice_.certificate));
}

TEST_F(EndToEndCommandsTest, AnImagePostedUnderAnExpiredCertificateForOtherKeysIsNotShared) {
    // An expired certificate her current one does not renew (another signing key), which
    // signed the envelope: the owner's own check refuses it before anything is sealed.
    SigningKeyPair other = generate_signing_keys();
    posted_with_ = alices_expired_certificate(other.public_key);
    serve_e2e_image({"bob"}, alice_);
    expect_error(imgshare(alice_home_, {"share", "cat", "--with", "dave"}), "EXPIRED");
    EXPECT_FALSE(shared_);
}

TEST_F(EndToEndCommandsTest, TheOwnerRevokesAReaderUnderTheNextRevisionSealingNothing) {
    serve_e2e_image({"bob", "carol"}, alice_);
    auto run = imgshare(alice_home_, {"share", "cat", "--revoke", "bob,erin"});
    ASSERT_EQ(run.status, 0) << run.err;
    EXPECT_EQ(run.out,
              "revoked bob from cat (readers alice,carol; seq 12)\n"
              "note: copies they downloaded before cannot be recalled; they can no longer "
              "download it\n");
    ASSERT_TRUE(shared_);
    EXPECT_TRUE(shared_->grants.empty());  // nobody's key is sealed for a revoke
    auto envelope = verify_envelope(shared_->envelope, shared_->signature, alice_.certificate);
    ASSERT_TRUE(envelope) << envelope.error().message;
    Envelope expected = envelope_;
    expected.recipients = {"alice", "carol"};
    expected.revision = 1;
    expected.v = kEnvelopeWithControlsVersion;
    EXPECT_EQ(*envelope, expected);
}

TEST_F(EndToEndCommandsTest, ARevokeOfNoReaderOrOfTheOwnerSendsNothing) {
    serve_e2e_image({"bob"}, alice_);
    auto none = imgshare(alice_home_, {"share", "cat", "--revoke", "erin"});
    ASSERT_EQ(none.status, 0) << none.err;
    EXPECT_EQ(none.out, "none of them reads cat (readers alice,bob)\n");
    expect_error(imgshare(alice_home_, {"share", "cat", "--revoke", "alice"}), "BAD_REQUEST");
    expect_error(imgshare(alice_home_, {"share", "cat"}), "BAD_REQUEST");
    EXPECT_FALSE(shared_);
}

TEST_F(EndToEndCommandsTest, ShareWithReadersAlreadyListedSendsNothing) {
    serve_e2e_image({"bob"}, alice_);
    auto run = imgshare(alice_home_, {"share", "cat", "--with", "bob"});
    ASSERT_EQ(run.status, 0) << run.err;
    EXPECT_EQ(run.out, "cat is already shared with all of them (readers alice,bob)\n");
    EXPECT_FALSE(shared_);
}

TEST_F(EndToEndCommandsTest, OnlyTheOwnerSharesAndOnlyEndToEndImages) {
    auto bob_home = registered_home("bob");
    auto bob = load_user(bob_home);
    serve_e2e_image({"bob"}, bob);
    expect_error(imgshare(bob_home, {"share", "cat", "--with", "carol"}), "FORBIDDEN");
    EXPECT_FALSE(shared_);

    serve_e2e_image({}, alice_, std::string(kEscrowMode));
    expect_error(imgshare(alice_home_, {"share", "cat", "--with", "carol"}), "BAD_REQUEST");
    EXPECT_FALSE(shared_);
}

TEST_F(EndToEndCommandsTest, ShareToAnUnacceptableReaderSendsNothing) {
    serve_e2e_image({"bob"}, alice_);
    certificates_["dave"] = ca_.standing_reply(others_.at("dave").certificate, true);
    expect_error(imgshare(alice_home_, {"share", "cat", "--with", "dave"}), "REVOKED");
    expect_error(imgshare(alice_home_, {"share", "cat", "--with", "nobody"}), "NOT_FOUND");
    EXPECT_FALSE(shared_);
}

TEST_F(EndToEndCommandsTest, ShareRefusesAGrantThatIsNotHersOrAServerThatMisreports) {
    serve_e2e_image({"bob"}, others_.at("bob"));  // bob's grant served to alice
    expect_error(imgshare(alice_home_, {"share", "cat", "--with", "dave"}), "INTEGRITY");
    EXPECT_FALSE(shared_);

    serve_e2e_image({"bob"}, alice_);
    share_reply_ = Result<ShareReply>(
        ShareReply{{"alice", "bob", "dave", "mallory"}, {"dave"}, "cat", "alice", 12, 1, 0, "e2e"});
    expect_error(imgshare(alice_home_, {"share", "cat", "--with", "dave"}), "INTEGRITY");
}

// ---- download and list ----

TEST_F(EndToEndCommandsTest, RecipientDownloadsWithTheirOwnGrantOthersCannot) {
    auto bob_home = registered_home("bob");
    auto bob = load_user(bob_home);
    serve_e2e_image({"bob"}, bob);
    auto copy = scratch_ / "copy.png";
    auto run = imgshare(bob_home, {"download", "cat", "-o", copy.string()});
    ASSERT_EQ(run.status, 0) << run.err;
    EXPECT_EQ(read_bytes(copy), image_);

    // Carol is not in the signed list: even handed a grant that opens for her, she refuses.
    auto carol_home = registered_home("carol");
    serve_e2e_image({"bob"}, load_user(carol_home));
    auto refused = scratch_ / "refused.png";
    expect_error(imgshare(carol_home, {"download", "cat", "-o", refused.string()}),
                 "BAD_SIGNATURE");
    EXPECT_FALSE(fs::exists(refused));
}

TEST_F(EndToEndCommandsTest, ListShowsTheModeAndTheReadersOfEndToEndImages) {
    list_.items = {
        ImageSummary{"sunset", "carol", 3, 4096, 0, "escrow"},
        ImageSummary{"cat", "alice", 4, 4096, 0, "e2e", std::vector<std::string>{"alice", "bob"}}};
    list_.last_seq = 4;
    auto run = imgshare(alice_home_, {"list"});
    ASSERT_EQ(run.status, 0) << run.err;
    EXPECT_EQ(run.out,
              "3 sunset carol 4096 1970-01-01T00:00:00Z escrow\n"
              "4 cat alice 4096 1970-01-01T00:00:00Z e2e alice,bob\n");
    auto json = imgshare(alice_home_, {"--json", "list"});
    ASSERT_EQ(json.status, 0) << json.err;
    EXPECT_NE(json.out.find(R"("recipients":["alice","bob"])"), std::string::npos) << json.out;
}

}  // namespace
}  // namespace imgshare::client
