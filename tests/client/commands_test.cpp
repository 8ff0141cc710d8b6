// register, renew and post through the command line against a fake broker
// that plays an honest or a lying CA and storage node: what the client
// accepts, what it refuses (with the exact code), and what it leaves behind.
// Download and whois: download_command_test.cpp.
#include <gtest/gtest.h>

#include "client/output.h"
#include "common/crypto/sha256.h"
#include "common/envelope.h"
#include "common/keystore.h"
#include "common/renewal.h"
#include "tests/client/command_fixture.h"

namespace imgshare::client {
namespace {

namespace fs = std::filesystem;
using namespace imgshare::testing;

// ---- register ----

TEST_F(CommandsTest, RegisterStoresTheVerifiedCertificate) {
    auto home = new_home("alice");
    auto run = imgshare(home, {"register", "alice"});
    ASSERT_EQ(run.status, 0) << run.err;
    EXPECT_EQ(run.out.rfind("registered alice (serial 42, valid until ", 0), 0u) << run.out;
    auto certificate = Keystore(home).load_certificate();
    ASSERT_TRUE(certificate);
    EXPECT_EQ(certificate->username, "alice");
    auto keys = Keystore(home).load(kPassphrase);
    ASSERT_TRUE(keys);
    EXPECT_EQ(certificate->sign_pk, keys->sign.public_key);
}

TEST_F(CommandsTest, RegisterRefusesACertificateThatIsNotExactlyWhatWasAsked) {
    using Forge = std::function<Certificate(const RegisterRequest&)>;
    SigningKeyPair rogue = generate_signing_keys();
    std::vector<std::pair<Forge, ErrorCode>> forgeries{
        {[&](const RegisterRequest& r) {
             auto other = r;
             other.username = "mallory";
             return certify(other);
         },
         ErrorCode::BAD_SIGNATURE},
        {[&](const RegisterRequest& r) {
             auto other = r;
             other.box_pk = generate_box_keys().public_key;  // a key the server could open
             return certify(other);
         },
         ErrorCode::BAD_SIGNATURE},
        {[&](const RegisterRequest& r) {
             auto other = r;
             other.curve_pk = generate_curve_keys().public_key;
             return certify(other);
         },
         ErrorCode::BAD_SIGNATURE},
        {[&](const RegisterRequest& r) { return certify(r, &rogue.secret_key); },
         ErrorCode::BAD_SIGNATURE},
        {[&](const RegisterRequest& r) {
             Certificate fields = certify(r);
             fields.not_before = 1000;
             fields.not_after = 2000;
             return issue_certificate(fields, ca_.keys.secret_key);
         },
         ErrorCode::EXPIRED},
    };
    int n = 0;
    for (auto& [forge, code] : forgeries) {
        behaviour_.on_register = [&, forge =
                                         forge](const RegisterRequest& r) -> Result<RegisterReply> {
            auto forged = forge(r);
            return RegisterReply{encode_certificate(forged), ca_.logged(forged, r.log_size_seen)};
        };
        auto home = new_home("user" + std::to_string(n++));
        expect_error(imgshare(home, {"register", "alice"}), to_string(code));
        EXPECT_FALSE(fs::exists(home / "certificate")) << n;
    }
}

TEST_F(CommandsTest, RegisterAfterARefusalRetriesWithTheStoredKeys) {
    behaviour_.on_register = [](const RegisterRequest&) -> Result<RegisterReply> {
        return fail(ErrorCode::NAME_TAKEN, "alice is taken");
    };
    auto home = new_home("alice");
    expect_error(imgshare(home, {"register", "alice"}), "NAME_TAKEN");
    EXPECT_TRUE(fs::exists(home / "keys.sealed"));
    behaviour_.on_register = [this](const RegisterRequest& request) -> Result<RegisterReply> {
        auto issued = certify(request);
        return RegisterReply{encode_certificate(issued), ca_.logged(issued, request.log_size_seen)};
    };
    auto run = imgshare(home, {"register", "alice2"});
    ASSERT_EQ(run.status, 0) << run.err;
    ASSERT_EQ(registered_sign_keys_.size(), 2u);
    EXPECT_EQ(registered_sign_keys_[0], registered_sign_keys_[1]);
}

// ---- renew ----

TEST_F(CommandsTest, RenewSendsAProofAndStoresTheVerifiedNewCertificate) {
    auto home = registered_home("alice");
    auto before = Keystore(home).load_certificate().value();
    behaviour_.on_renew = [&](const RenewRequest& request) -> Result<RenewReply> {
        Certificate fields = before;
        fields.serial = 43;
        fields.not_after = before.not_after + 86400;
        auto renewed = issue_certificate(fields, ca_.keys.secret_key);
        return RenewReply{encode_certificate(renewed), ca_.logged(renewed, request.log_size_seen)};
    };
    auto run = imgshare(home, {"renew"});
    ASSERT_EQ(run.status, 0) << run.err;
    EXPECT_EQ(run.out.rfind("renewed alice (serial 43, valid until ", 0), 0u) << run.out;
    auto after = Keystore(home).load_certificate().value();
    EXPECT_EQ(after.serial, 43u);
    EXPECT_EQ(after.sign_pk, before.sign_pk);
    // The request named the renewed certificate and proved the signing key.
    ASSERT_EQ(renewals_.size(), 1u);
    EXPECT_EQ(renewals_[0].username, "alice");
    EXPECT_EQ(renewals_[0].serial, before.serial);
    EXPECT_TRUE(check_renewal_proof(ca_.keys.public_key, before, renewals_[0].requested_at,
                                    renewals_[0].proof, SystemClock().now_seconds()));
}

TEST_F(CommandsTest, RenewRefusesACertificateThatIsNotForExactlyItsKeys) {
    auto home = registered_home("alice");
    auto before = Keystore(home).load_certificate().value();
    SigningKeyPair rogue = generate_signing_keys();
    std::vector<std::pair<std::function<Certificate()>, std::string>> lies{
        {[&] {
             Certificate fields = before;
             fields.box_pk = generate_box_keys().public_key;  // a key the server could open
             return issue_certificate(fields, ca_.keys.secret_key);
         },
         "BAD_SIGNATURE"},
        {[&] {
             Certificate fields = before;
             fields.username = "mallory";
             return issue_certificate(fields, ca_.keys.secret_key);
         },
         "BAD_SIGNATURE"},
        {[&] { return issue_certificate(before, rogue.secret_key); }, "BAD_SIGNATURE"},
        {[&] {
             Certificate fields = before;
             fields.not_after = SystemClock().now_seconds() - 1;
             return issue_certificate(fields, ca_.keys.secret_key);
         },
         "EXPIRED"},
    };
    for (const auto& [lie, code] : lies) {
        behaviour_.on_renew = [&, lie = lie](const RenewRequest& request) -> Result<RenewReply> {
            auto told = lie();
            return RenewReply{encode_certificate(told), ca_.logged(told, request.log_size_seen)};
        };
        expect_error(imgshare(home, {"renew"}), code);
        EXPECT_EQ(Keystore(home).load_certificate().value(), before);
    }
    behaviour_.on_renew = [](const RenewRequest&) -> Result<RenewReply> {
        return fail(ErrorCode::REVOKED, "the certificate of alice is revoked");
    };
    expect_error(imgshare(home, {"renew"}), "REVOKED");
    EXPECT_EQ(Keystore(home).load_certificate().value(), before);
}

// Alice's stored certificate, as it would be once its dates have passed: the same keys,
// ended 10 s ago.
Certificate end_certificate_of(const fs::path& home, const SecretBytes& ca_secret_key) {
    Certificate fields = Keystore(home).load_certificate().value();
    fields.not_before = SystemClock().now_seconds() - 1000;
    fields.not_after = SystemClock().now_seconds() - 10;
    auto ended = issue_certificate(fields, ca_secret_key);
    EXPECT_TRUE(Keystore(home).save_certificate(ended, /*replace=*/true));
    return ended;
}

TEST_F(CommandsTest, RenewAfterExpiryPicksUpTheCertificateTheOperatorReissued) {
    auto home = registered_home("alice");
    auto ended = end_certificate_of(home, ca_.keys.secret_key);
    Certificate reissued = ended;
    reissued.serial = 50;
    reissued.not_before = SystemClock().now_seconds() - 60;
    reissued.not_after = SystemClock().now_seconds() + 86400;
    reissued = issue_certificate(reissued, ca_.keys.secret_key);
    behaviour_.on_get_cert = [&](const GetCertRequest& request) -> Result<GetCertReply> {
        EXPECT_EQ(request.username, "alice");
        return ca_.standing_reply(reissued, false, std::nullopt, request.log_size_seen);
    };
    auto run = imgshare(home, {"renew"});
    ASSERT_EQ(run.status, 0) << run.err;
    EXPECT_EQ(run.out, "renewed alice (serial 50, valid until " + format_utc(reissued.not_after) +
                           "; reissued by the CA's operator)\n");
    EXPECT_EQ(Keystore(home).load_certificate().value(), reissued);
    // An ended certificate cannot be renewed: no RENEW was sent.
    EXPECT_TRUE(renewals_.empty());
}

TEST_F(CommandsTest, RenewAfterExpiryRefusesWhatIsNotANewCertificateForItsKeys) {
    auto home = registered_home("alice");
    auto ended = end_certificate_of(home, ca_.keys.secret_key);
    auto valid_copy = [&](auto change) {
        Certificate fields = ended;
        fields.serial = 50;
        fields.not_after = SystemClock().now_seconds() + 86400;
        change(fields);
        return issue_certificate(fields, ca_.keys.secret_key);
    };
    struct Answer {
        Certificate certificate;
        bool revoked;
        std::string code;
    };
    std::vector<Answer> answers{
        // Not reissued: the CA's current certificate is the one that ended.
        {ended, false, "EXPIRED"},
        {valid_copy([](Certificate&) {}), true, "REVOKED"},
        {valid_copy([](Certificate& fields) { fields.box_pk = generate_box_keys().public_key; }),
         false, "BAD_SIGNATURE"},
        {valid_copy([](Certificate& fields) { fields.not_after = fields.not_before + 1; }), false,
         "EXPIRED"},
    };
    for (const auto& [certificate, revoked, code] : answers) {
        behaviour_.on_get_cert = [&](const GetCertRequest& request) -> Result<GetCertReply> {
            return ca_.standing_reply(certificate, revoked, std::nullopt, request.log_size_seen);
        };
        expect_error(imgshare(home, {"renew"}), code);
        EXPECT_EQ(Keystore(home).load_certificate().value(), ended) << code;
    }
}

// ---- post ----

TEST_F(CommandsTest, PostUploadsWhatTheServerCanCheckAndReadersCanOpen) {
    behaviour_.on_post_begin = [](const PostBeginRequest&) -> Result<PostBeginReply> {
        return PostBeginReply{"u1", 0};
    };
    auto home = registered_home("alice");
    Bytes image = png_bytes(600'000);
    write_bytes(scratch_ / "cat.png", image);
    auto run = imgshare(home, {"post", (scratch_ / "cat.png").string()});
    ASSERT_EQ(run.status, 0) << run.err;
    EXPECT_EQ(run.out, "posted cat (seq 9)\n");
    EXPECT_EQ(commits_, 1);
    ASSERT_TRUE(posted_);
    // The server sees a valid owner signature over the envelope...
    auto owner = decode_certificate(posted_->certificate);
    ASSERT_TRUE(owner);
    auto envelope = verify_envelope(posted_->envelope, posted_->signature, *owner);
    ASSERT_TRUE(envelope) << envelope.error().message;
    EXPECT_EQ(envelope->name, "cat");
    EXPECT_EQ(envelope->content_type, "image/png");
    EXPECT_EQ(uploaded_.size(), envelope->chunk_count);
    // ...and the key it holds in escrow opens what was uploaded (the CA would re-wrap it).
    auto key = unseal(posted_->wrapped_key, wrap_keys_);
    ASSERT_TRUE(key);
    EXPECT_TRUE(check_key_commitment(*key, envelope->key_commitment));
    // No temporary ciphertext is left in the home.
    for (const auto& entry : fs::directory_iterator(home)) {
        EXPECT_EQ(entry.path().filename().string().find(".imgshare-post-"), std::string::npos);
    }
}

TEST_F(CommandsTest, AnImageOfOneChunkIsPostedInOneRequestALargerOneInThree) {
    auto home = registered_home("alice");
    write_bytes(scratch_ / "cat.png", png_bytes(100'000));
    auto run = imgshare(home, {"post", (scratch_ / "cat.png").string()});
    ASSERT_EQ(run.status, 0) << run.err;
    EXPECT_EQ(image_posts_, 1);
    EXPECT_EQ(begins_, 0);
    ASSERT_EQ(uploaded_.size(), 1u);
    ASSERT_TRUE(posted_);
    auto envelope = decode_envelope(posted_->envelope).value();
    EXPECT_EQ(envelope.chunk_count, 1u);
    EXPECT_EQ(sha256(uploaded_[0]), envelope.ciphertext_sha256);

    behaviour_.on_post_begin = [](const PostBeginRequest&) -> Result<PostBeginReply> {
        return PostBeginReply{"u1", 0};
    };
    write_bytes(scratch_ / "cat.png", png_bytes(600'000));
    run = imgshare(home, {"post", (scratch_ / "cat.png").string()});
    ASSERT_EQ(run.status, 0) << run.err;
    EXPECT_EQ(image_posts_, 1);
    EXPECT_EQ(begins_, 1);
}

TEST_F(CommandsTest, PostResumesFromTheServersNextIndex) {
    behaviour_.on_post_begin = [](const PostBeginRequest&) -> Result<PostBeginReply> {
        return PostBeginReply{"u1", 2};
    };
    auto home = registered_home("alice");
    write_bytes(scratch_ / "cat.png", png_bytes(1'000'000));
    auto run = imgshare(home, {"post", (scratch_ / "cat.png").string()});
    ASSERT_EQ(run.status, 0) << run.err;
    ASSERT_FALSE(uploaded_.empty());
    EXPECT_EQ(uploaded_.begin()->first, 2u);
    EXPECT_EQ(uploaded_.rbegin()->first + 1, uploaded_.size() + 2);
}

TEST_F(CommandsTest, PostRefusesACaOtherThanThePinnedOneAndABadWrapKey) {
    auto home = registered_home("alice");
    write_bytes(scratch_ / "cat.png", png_bytes(1000));
    behaviour_.on_ca_info = [this]() -> Result<CaInfoReply> {
        return CaInfoReply{generate_signing_keys().public_key, wrap_keys_.public_key, {}};
    };
    expect_error(imgshare(home, {"post", (scratch_ / "cat.png").string()}), "BAD_SIGNATURE");
    behaviour_.on_ca_info = [this]() -> Result<CaInfoReply> {
        return CaInfoReply{ca_.keys.public_key, Bytes(32, 0), {}};  // would make the key public
    };
    expect_error(imgshare(home, {"post", (scratch_ / "cat.png").string()}), "BAD_REQUEST");
    // A broker's own wrap key: unsigned, or with the CA's signature over the real key.
    auto broker_wrap_key = generate_box_keys().public_key;
    behaviour_.on_ca_info = [this, broker_wrap_key]() -> Result<CaInfoReply> {
        return CaInfoReply{ca_.keys.public_key, broker_wrap_key, {}};
    };
    expect_error(imgshare(home, {"post", (scratch_ / "cat.png").string()}), "BAD_SIGNATURE");
    behaviour_.on_ca_info = [this, broker_wrap_key]() -> Result<CaInfoReply> {
        return CaInfoReply{ca_.keys.public_key, broker_wrap_key,
                           sign_wrap_key(wrap_keys_.public_key, ca_.keys.secret_key)};
    };
    expect_error(imgshare(home, {"post", (scratch_ / "cat.png").string()}), "BAD_SIGNATURE");
    EXPECT_FALSE(posted_);
}

TEST_F(CommandsTest, PostRefusedByTheServerLeavesNoTemporaryFile) {
    behaviour_.on_post_begin = [](const PostBeginRequest&) -> Result<PostBeginReply> {
        return fail(ErrorCode::NAME_TAKEN, "cat exists");
    };
    auto home = registered_home("alice");
    write_bytes(scratch_ / "cat.png", png_bytes(1000));
    expect_error(imgshare(home, {"post", (scratch_ / "cat.png").string()}), "NAME_TAKEN");
    for (const auto& entry : fs::directory_iterator(home)) {
        EXPECT_EQ(entry.path().filename().string().find(".imgshare-post-"), std::string::npos);
    }
}

TEST_F(CommandsTest, APostOverTheQuotaShowsTheNodesFiguresSendsNoChunkAndKeepsNothing) {
    const std::string figures =
        "you use 9000 of your 10000 bytes; this image needs 1048576 more (delete an image or "
        "abandon an upload to make room)";
    behaviour_.on_post_begin = [&](const PostBeginRequest&) -> Result<PostBeginReply> {
        return fail(ErrorCode::QUOTA_EXCEEDED, figures);
    };
    auto home = registered_home("alice");
    write_bytes(scratch_ / "cat.png", png_bytes(1'000'000));
    auto run = imgshare(home, {"post", (scratch_ / "cat.png").string()});
    EXPECT_EQ(run.status, 1);
    EXPECT_EQ(run.err, "error: QUOTA_EXCEEDED: " + figures + "\n");
    EXPECT_TRUE(uploaded_.empty()) << "a chunk was sent";
    EXPECT_EQ(commits_, 0);
    // Nothing is pending on the node: no post is kept to resume.
    for (const auto& entry : fs::directory_iterator(home / "uploads"))
        ADD_FAILURE() << "kept: " << entry.path();
}

TEST_F(CommandsTest, UsageShowsThePaddedBytesImagesPendingUploadsAndQuota) {
    auto home = registered_home("alice");
    UsageReply usage{12'897'485, 7, 2 * 1024 * 1024, 1, 100 * 1024 * 1024};
    behaviour_.on_usage = [&]() -> Result<UsageReply> { return usage; };
    auto run = imgshare(home, {"usage"});
    ASSERT_EQ(run.status, 0) << run.err;
    EXPECT_EQ(run.out, "used 12.3 MiB in 7 images (+ 2 MiB in 1 pending upload) of 100 MiB quota\n");
    auto json = imgshare(home, {"--json", "usage"});
    ASSERT_EQ(json.status, 0) << json.err;
    EXPECT_EQ(json.out,
              "{\"images\":7,\"pending_bytes\":2097152,\"pending_uploads\":1,"
              "\"quota_bytes\":104857600,\"used_bytes\":12897485}\n");
    usage = UsageReply{1, 1, 3000, 2, 0};
    EXPECT_EQ(imgshare(home, {"usage"}).out,
              "used 1 B in 1 image (+ 2.9 KiB in 2 pending uploads), no quota\n");
    usage = UsageReply{};
    EXPECT_EQ(imgshare(home, {"usage"}).out, "used 0 B in 0 images, no quota\n");
}

}  // namespace
}  // namespace imgshare::client
