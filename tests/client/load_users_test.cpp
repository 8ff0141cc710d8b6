// imgshare-load's users: registered once through REGISTER with the CA's answer held to what
// was sent, cached, reused; a cached certificate from another CA or for other keys is refused.
#include "client/load/load_users.h"

#include <gtest/gtest.h>

#include <stdlib.h>

#include <map>
#include <mutex>

#include "client/certificate_log.h"
#include "common/clock.h"
#include "common/keystore.h"
#include "tests/client/fake_broker.h"
#include "tests/client/sealing_support.h"
#include "tests/common/scratch_dir.h"

namespace imgshare::client::load {
namespace {

using imgshare::testing::FakeBroker;

constexpr const char* kPassphrase = "load users passphrase";

class LoadUsersTest : public ::testing::Test {
  protected:
    void SetUp() override {
        ::setenv("IMGSHARE_PASSPHRASE", kPassphrase, 1);
        ::setenv("IMGSHARE_TEST_FAST_KDF", "1", 1);
    }
    void TearDown() override {
        ::unsetenv("IMGSHARE_PASSPHRASE");
        ::unsetenv("IMGSHARE_TEST_FAST_KDF");
    }

    Certificate certify(const std::string& username, const Bytes& sign_pk, const Bytes& box_pk,
                        const Bytes& curve_pk, const SecretBytes& ca_key) {
        Certificate fields;
        fields.serial = 42;
        fields.username = username;
        fields.sign_pk = sign_pk;
        fields.box_pk = box_pk;
        fields.curve_pk = curve_pk;
        fields.not_before = SystemClock().now_seconds() - 60;
        fields.not_after = SystemClock().now_seconds() + 86400;
        fields.issuer = "fake-ca";
        return issue_certificate(fields, ca_key);
    }

    // The fake CA behind the broker: certifies every REGISTER (or, when `swap_box_key_`,
    // certifies another box key than the one sent), and answers GET_CERT with what it issued.
    std::vector<Frames> serve(const Frames& request) {
        if (request.empty()) return {};
        auto decoded = decode_request(request);
        if (!decoded) return {encode_error(decoded.error(), 0)};
        std::lock_guard lock(mutex_);
        if (auto* get = std::get_if<GetCertRequest>(&decoded->request)) {
            auto found = issued_.find(get->username);
            if (found == issued_.end()) {
                return {encode_error(Error{ErrorCode::NOT_FOUND, "no"}, decoded->header.id)};
            }
            return {encode_ok(ca_.standing_reply(found->second, false, std::nullopt,
                                                 get->log_size_seen),
                              decoded->header.id)};
        }
        auto* registering = std::get_if<RegisterRequest>(&decoded->request);
        if (!registering) return {encode_error(Error{ErrorCode::BAD_REQUEST, "no"}, 0)};
        ++registrations_;
        Bytes box_pk = swap_box_key_ ? generate_box_keys().public_key : registering->box_pk;
        auto certificate = certify(registering->username, registering->sign_pk, box_pk,
                                   registering->curve_pk, ca_.keys.secret_key);
        issued_[registering->username] = certificate;
        return {encode_ok(RegisterReply{encode_certificate(certificate),
                                        ca_.logged(certificate, registering->log_size_seen)},
                          decoded->header.id)};
    }

    Result<std::vector<LoadUser>> prepare(std::size_t count) {
        ConnectionSettings settings;
        settings.endpoint = broker_.endpoint();
        settings.broker_public_key = broker_.public_key();
        TrustAnchors trust{ca_.keys.public_key, broker_.public_key(), std::nullopt,
                           ca_.log_verify_key()};
        settings.certificate_log =
            std::make_shared<CertificateLog>(std::filesystem::path(), ca_.log_verify_key());
        LoadNetwork network{settings, "tcp://127.0.0.1:1", trust, log_, stop_};
        report_ = {};
        return prepare_load_users(users_dir_, count, network, report_);
    }

    // A keystore for load-000 holding keys certified by `ca_key` (for `certified` keys).
    void cache_user(const UserKeys& keys, const UserKeys& certified, const SecretBytes& ca_key) {
        Keystore keystore(users_dir_ / "load-000");
        ASSERT_TRUE(keystore.create(keys, kPassphrase, KdfStrength::TestOnlyMinimum));
        ASSERT_TRUE(keystore.save_certificate(certify("load-000", certified.sign.public_key,
                                                      certified.box.public_key,
                                                      certified.curve.public_key, ca_key)));
    }

    imgshare::testing::ScratchDir scratch_;
    std::filesystem::path users_dir_ = scratch_ / "home" / "users";
    imgshare::testing::TestCa ca_;
    ProtocolLog log_ = ProtocolLog::disabled();
    std::atomic<bool> stop_{false};
    std::mutex mutex_;
    int registrations_ = 0;
    std::map<std::string, Certificate> issued_;
    bool swap_box_key_ = false;
    UserSetupReport report_;
    FakeBroker broker_{[this](const Frames& request) { return serve(request); }};
};

TEST_F(LoadUsersTest, NamesArePaddedToThreeDigits) {
    EXPECT_EQ(load_username(0), "load-000");
    EXPECT_EQ(load_username(42), "load-042");
    EXPECT_EQ(load_username(1234), "load-1234");
}

TEST_F(LoadUsersTest, RegistersOnceThenReusesTheCachedUsers) {
    auto first = prepare(3);
    ASSERT_TRUE(first) << first.error().message;
    ASSERT_EQ(first->size(), 3u);
    EXPECT_EQ(report_.registered, 3u);
    EXPECT_EQ((*first)[2].username, "load-002");
    EXPECT_EQ((*first)[2].certificate.curve_pk, (*first)[2].keys.curve.public_key);

    auto second = prepare(3);
    ASSERT_TRUE(second) << second.error().message;
    EXPECT_EQ(report_.registered, 0u);
    EXPECT_EQ(report_.reused, 3u);
    EXPECT_EQ(registrations_, 3);
    EXPECT_EQ((*second)[1].keys.sign.public_key, (*first)[1].keys.sign.public_key);
}

TEST_F(LoadUsersTest, ACertificateForOtherKeysThanSentIsRefused) {
    swap_box_key_ = true;
    auto users = prepare(1);
    ASSERT_FALSE(users);
    EXPECT_EQ(users.error().code, ErrorCode::BAD_SIGNATURE) << users.error().message;
}

TEST_F(LoadUsersTest, ACachedCertificateFromAnotherCaIsRefusedWithAdvice) {
    imgshare::testing::TestCa other_ca;
    UserKeys keys = generate_user_keys();
    cache_user(keys, keys, other_ca.keys.secret_key);
    auto users = prepare(1);
    ASSERT_FALSE(users);
    EXPECT_EQ(users.error().code, ErrorCode::BAD_SIGNATURE);
    EXPECT_NE(users.error().message.find("fresh --home"), std::string::npos)
        << users.error().message;
    EXPECT_EQ(registrations_, 0);
}

TEST_F(LoadUsersTest, ACachedCertificateForOtherKeysIsRefused) {
    UserKeys keys = generate_user_keys();
    UserKeys others = generate_user_keys();
    cache_user(keys, others, ca_.keys.secret_key);
    auto users = prepare(1);
    ASSERT_FALSE(users);
    EXPECT_EQ(users.error().code, ErrorCode::INTEGRITY);
}

TEST_F(LoadUsersTest, AWrongPassphraseForCachedUsersIsBadPassphrase) {
    UserKeys keys = generate_user_keys();
    cache_user(keys, keys, ca_.keys.secret_key);
    ::setenv("IMGSHARE_PASSPHRASE", "not it", 1);
    auto users = prepare(1);
    ASSERT_FALSE(users);
    EXPECT_EQ(users.error().code, ErrorCode::BAD_PASSPHRASE);
}

}  // namespace
}  // namespace imgshare::client::load
