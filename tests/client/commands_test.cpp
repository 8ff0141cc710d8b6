// register, post and download through the command line against a fake broker
// that plays an honest or a lying CA and storage node: what the client
// accepts, what it refuses (with the exact code), and what it leaves behind.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <mutex>
#include <sstream>

#include "client/command_table.h"
#include "client/image_sealer.h"
#include "common/clock.h"
#include "common/keystore.h"
#include "common/renewal.h"
#include "common/wrap_key.h"
#include "tests/client/fake_broker.h"
#include "tests/client/sealing_support.h"
#include "tests/common/scratch_dir.h"

namespace imgshare::client {
namespace {

namespace fs = std::filesystem;
using namespace imgshare::testing;

constexpr const char* kPassphrase = "commands test passphrase";

struct CommandRun {
    int status;
    std::string out;
    std::string err;
};

// What the fake broker does with each request type; a test replaces what it needs.
struct Behaviour {
    std::function<Result<RegisterReply>(const RegisterRequest&)> on_register;
    std::function<Result<CaInfoReply>()> on_ca_info;
    std::function<Result<PostBeginReply>(const PostBeginRequest&)> on_post_begin;
    std::function<Result<DownloadReply>(const DownloadRequest&)> on_download;
    std::function<Result<GetCertReply>(const GetCertRequest&)> on_get_cert;
    std::function<Result<RenewReply>(const RenewRequest&)> on_renew;
    // The chunk to send for an index (and the index to claim), or an error.
    std::function<Result<std::pair<std::uint32_t, Bytes>>(std::uint32_t)> on_get_chunk;
};

template <class Reply>
Frames answer(const Result<Reply>& reply, std::uint64_t id, ByteView payload = {}) {
    if (!reply) return encode_error(reply.error(), id);
    return encode_ok(*reply, id, payload);
}

class CommandsTest : public ::testing::Test {
  protected:
    void SetUp() override {
        ::setenv("IMGSHARE_PASSPHRASE", kPassphrase, 1);
        ::setenv("IMGSHARE_TEST_FAST_KDF", "1", 1);
        std::ofstream(scratch_ / "trust") << format_trust(
            TrustAnchors{ca_.keys.public_key, broker_keys_.public_key, std::nullopt});
        behaviour_.on_register = [this](const RegisterRequest& request) -> Result<RegisterReply> {
            return RegisterReply{encode_certificate(certify(request))};
        };
        behaviour_.on_ca_info = [this]() -> Result<CaInfoReply> {
            return CaInfoReply{ca_.keys.public_key, wrap_keys_.public_key,
                               sign_wrap_key(wrap_keys_.public_key, ca_.keys.secret_key)};
        };
    }
    void TearDown() override {
        broker_.stop();  // its handler reads members of derived fixtures
        ::unsetenv("IMGSHARE_PASSPHRASE");
        ::unsetenv("IMGSHARE_TEST_FAST_KDF");
    }

    // What an honest CA issues for a REGISTER.
    Certificate certify(const RegisterRequest& request, const SecretBytes* signer = nullptr) {
        Certificate fields;
        fields.serial = 42;
        fields.username = request.username;
        fields.sign_pk = request.sign_pk;
        fields.box_pk = request.box_pk;
        fields.curve_pk = request.curve_pk;
        fields.not_before = SystemClock().now_seconds() - 60;
        fields.not_after = SystemClock().now_seconds() + 86400;
        fields.issuer = "fake-ca";
        return issue_certificate(fields, signer ? *signer : ca_.keys.secret_key);
    }

    std::vector<Frames> serve(const Frames& request) {
        if (request.empty()) return {};
        auto decoded = decode_request(request);
        if (!decoded) return {encode_error(decoded.error(), 0)};
        auto id = decoded->header.id;
        std::lock_guard lock(mutex_);
        if (auto* r = std::get_if<RegisterRequest>(&decoded->request)) {
            registered_sign_keys_.push_back(r->sign_pk);
            return {answer(behaviour_.on_register(*r), id)};
        }
        if (std::holds_alternative<CaInfoRequest>(decoded->request)) {
            return {answer(behaviour_.on_ca_info(), id)};
        }
        if (auto* begin = std::get_if<PostBeginRequest>(&decoded->request)) {
            posted_ = *begin;
            return {answer(behaviour_.on_post_begin(*begin), id)};
        }
        if (auto* chunk = std::get_if<PostChunkRequest>(&decoded->request)) {
            uploaded_[chunk->index] = Bytes(decoded->payload.begin(), decoded->payload.end());
            return {encode_ok(PostChunkReply{chunk->index}, id)};
        }
        if (std::holds_alternative<PostCommitRequest>(decoded->request)) {
            ++commits_;
            return {encode_ok(PostCommitReply{"cat", "alice", 9, 1, 0, "escrow", {}}, id)};
        }
        if (auto* download = std::get_if<DownloadRequest>(&decoded->request)) {
            return {answer(behaviour_.on_download(*download), id)};
        }
        if (auto* renew = std::get_if<RenewRequest>(&decoded->request)) {
            renewals_.push_back(*renew);
            return {answer(behaviour_.on_renew(*renew), id)};
        }
        if (auto* get_cert = std::get_if<GetCertRequest>(&decoded->request)) {
            if (!behaviour_.on_get_cert)
                return {encode_error(Error{ErrorCode::NOT_FOUND, "-"}, id)};
            return {answer(behaviour_.on_get_cert(*get_cert), id)};
        }
        if (auto* get = std::get_if<GetChunkRequest>(&decoded->request)) {
            auto chunk = behaviour_.on_get_chunk(get->index);
            if (!chunk) return {encode_error(chunk.error(), id)};
            return {encode_ok(GetChunkReply{chunk->first}, id, chunk->second)};
        }
        return {encode_error(Error{ErrorCode::BAD_REQUEST, "not faked"}, id)};
    }

    CommandRun imgshare(const fs::path& home, std::vector<std::string> args) {
        args.insert(args.begin(), {"imgshare", "--home", home.string()});
        std::vector<const char*> argv;
        for (const auto& arg : args)
            argv.push_back(arg.c_str());
        std::ostringstream out, err;
        int status = run_imgshare(static_cast<int>(argv.size()), argv.data(), out, err, stop_);
        return {status, out.str(), err.str()};
    }

    fs::path new_home(const std::string& name) {
        auto home = scratch_ / name;
        auto run = imgshare(home, {"init", "--broker", broker_.endpoint(), "--trust",
                                   (scratch_ / "trust").string()});
        EXPECT_EQ(run.status, 0) << run.err;
        return home;
    }

    fs::path registered_home(const std::string& name) {
        auto home = new_home(name);
        auto run = imgshare(home, {"register", name});
        EXPECT_EQ(run.status, 0) << run.err;
        return home;
    }

    static void expect_error(const CommandRun& run, std::string_view code) {
        EXPECT_EQ(run.status, 1) << run.err;
        EXPECT_EQ(run.err.rfind("error: " + std::string(code) + ": ", 0), 0u) << run.err;
    }

    ScratchDir scratch_;
    TestCa ca_;
    BoxKeyPair wrap_keys_ = generate_box_keys();
    CurveKeyPair broker_keys_ = generate_curve_keys();
    std::mutex mutex_;
    Behaviour behaviour_;
    std::vector<Bytes> registered_sign_keys_;
    std::optional<PostBeginRequest> posted_;
    std::map<std::uint32_t, Bytes> uploaded_;
    std::vector<RenewRequest> renewals_;
    int commits_ = 0;
    FakeBroker broker_{[this](const Frames& request) { return serve(request); },
                       CurveKeyPair{broker_keys_.public_key,
                                    SecretBytes::copy_of(broker_keys_.secret_key.view())}};
    std::atomic<bool> stop_{false};
};

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
            return RegisterReply{encode_certificate(forge(r))};
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
        return RegisterReply{encode_certificate(certify(request))};
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
    behaviour_.on_renew = [&](const RenewRequest&) -> Result<RenewReply> {
        Certificate fields = before;
        fields.serial = 43;
        fields.not_after = before.not_after + 86400;
        return RenewReply{encode_certificate(issue_certificate(fields, ca_.keys.secret_key))};
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
        behaviour_.on_renew = [&, lie = lie](const RenewRequest&) -> Result<RenewReply> {
            return RenewReply{encode_certificate(lie())};
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
            return GetCertReply{encode_certificate(alice_now_), alice_revoked_};
        };
    }

    // `owner` posts "cat" (escrow, key re-wrapped for bob); the CA says the same of them now.
    void post_as(TestUser owner) {
        alice_ = std::move(owner);
        alice_now_ = alice_.certificate;
        write_bytes(scratch_ / "input.png", image_);
        SealParameters parameters{"cat",
                                  alice_.certificate,
                                  alice_.keys.sign.secret_key,
                                  "image/png",
                                  std::string(kEscrowMode),
                                  {},
                                  SystemClock().now_seconds(),
                                  4096};
        auto sealed = seal_image(scratch_ / "input.png", parameters, scratch_.path());
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
