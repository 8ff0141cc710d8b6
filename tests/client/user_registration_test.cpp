// Registering keys with the CA: the answer is kept only when the pinned CA signed exactly the
// name and keys sent; a resumed registration recognises its own earlier attempt, and nothing
// else, behind NAME_TAKEN.
#include "client/user_registration.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <vector>

#include "client/certificate_log.h"
#include "common/clock.h"
#include "common/protocol/codec.h"
#include "tests/client/fake_broker.h"
#include "tests/client/sealing_support.h"

namespace imgshare::client {
namespace {

using imgshare::testing::FakeBroker;
using imgshare::testing::kNow;
using imgshare::testing::TestCa;

Certificate certificate_of(const std::string& username, const UserKeys& keys,
                           const SecretBytes& ca_key, std::int64_t now) {
    Certificate fields;
    fields.serial = 3;
    fields.username = username;
    fields.sign_pk = keys.sign.public_key;
    fields.box_pk = keys.box.public_key;
    fields.curve_pk = keys.curve.public_key;
    fields.not_before = now - 60;
    fields.not_after = now + 86400;
    fields.issuer = "test-ca";
    return issue_certificate(fields, ca_key);
}

class AcceptCertificateTest : public ::testing::Test {
  protected:
    Result<Certificate> accept(const Certificate& certificate, std::int64_t now = kNow) {
        return accept_certificate(encode_certificate(certificate), "alice", keys_, trust_, now);
    }

    TestCa ca_;
    UserKeys keys_ = generate_user_keys();
    TrustAnchors trust_{ca_.keys.public_key, generate_curve_keys().public_key, std::nullopt,
                        ca_.log_verify_key()};
};

TEST_F(AcceptCertificateTest, AcceptsTheCasCertificateOfExactlyTheNameAndKeysSent) {
    const Certificate issued = certificate_of("alice", keys_, ca_.keys.secret_key, kNow);
    EXPECT_TRUE(certifies(issued, "alice", keys_));
    auto accepted = accept(issued);
    ASSERT_TRUE(accepted) << accepted.error().message;
    EXPECT_EQ(*accepted, issued);
}

TEST_F(AcceptCertificateTest, RefusesAnotherNameOrAnyOtherKey) {
    const UserKeys others = generate_user_keys();
    std::vector<Certificate> wrong;
    wrong.push_back(certificate_of("alicia", keys_, ca_.keys.secret_key, kNow));
    for (int field = 0; field < 3; ++field) {
        Certificate fields = certificate_of("alice", keys_, ca_.keys.secret_key, kNow);
        Bytes& key = field == 0 ? fields.sign_pk : field == 1 ? fields.box_pk : fields.curve_pk;
        key = field == 0   ? others.sign.public_key
              : field == 1 ? others.box.public_key
                           : others.curve.public_key;
        wrong.push_back(issue_certificate(fields, ca_.keys.secret_key));
    }
    for (const auto& certificate : wrong) {
        EXPECT_FALSE(certifies(certificate, "alice", keys_));
        auto accepted = accept(certificate);
        ASSERT_FALSE(accepted);
        EXPECT_EQ(accepted.error().code, ErrorCode::BAD_SIGNATURE);
        EXPECT_NE(accepted.error().message.find("not storing it"), std::string::npos)
            << accepted.error().message;
    }
}

TEST_F(AcceptCertificateTest, RefusesAnotherCaAnEndedCertificateAndGarbage) {
    TestCa other;
    auto rogue = accept(certificate_of("alice", keys_, other.keys.secret_key, kNow));
    ASSERT_FALSE(rogue);
    EXPECT_EQ(rogue.error().code, ErrorCode::BAD_SIGNATURE);

    auto ended =
        accept(certificate_of("alice", keys_, ca_.keys.secret_key, kNow), kNow + 2 * 86400);
    ASSERT_FALSE(ended);
    EXPECT_EQ(ended.error().code, ErrorCode::EXPIRED);

    auto garbage = accept_certificate(Bytes{0x93, 0x01}, "alice", keys_, trust_, kNow);
    ASSERT_FALSE(garbage);
    EXPECT_EQ(garbage.error().code, ErrorCode::BAD_REQUEST);
}

// A CA behind a fake broker whose REGISTER always answers NAME_TAKEN, and whose GET_CERT
// answers with `stored_` (the certificate the name holds).
class ResumedRegistrationTest : public ::testing::Test {
  protected:
    std::vector<Frames> serve(const Frames& request) {
        auto decoded = decode_request(request);
        if (!decoded) return {encode_error(decoded.error(), 0)};
        std::lock_guard lock(mutex_);
        const std::uint64_t id = decoded->header.id;
        if (std::holds_alternative<RegisterRequest>(decoded->request)) {
            ++registers_;
            return {encode_error(Error{ErrorCode::NAME_TAKEN, "alice is taken"}, id)};
        }
        if (auto* get = std::get_if<GetCertRequest>(&decoded->request)) {
            ++lookups_;
            // Registration reads only the certificate (and its place in the log), never the
            // standing.
            return {encode_ok(GetCertReply{encode_certificate(stored_), {},
                                           ca_.logged(stored_, get->log_size_seen)},
                              id)};
        }
        return {encode_error(Error{ErrorCode::BAD_REQUEST, "unexpected"}, id)};
    }

    Result<Certificate> register_as(RegistrationAttempt attempt) {
        ConnectionSettings settings;
        settings.endpoint = broker_.endpoint();
        settings.broker_public_key = broker_.public_key();
        TrustAnchors trust{ca_.keys.public_key, broker_.public_key(), std::nullopt,
                           ca_.log_verify_key()};
        settings.certificate_log =
            std::make_shared<CertificateLog>(std::filesystem::path(), ca_.log_verify_key());
        auto connect = [&] {
            return std::make_unique<BrokerConnection>(settings, keys_.curve, log_, stop_);
        };
        return register_keys(connect, "alice", keys_, attempt, trust);
    }

    void TearDown() override { broker_.stop(); }

    TestCa ca_;
    UserKeys keys_ = generate_user_keys();
    Certificate stored_;
    ProtocolLog log_ = ProtocolLog::disabled();
    std::atomic<bool> stop_{false};
    std::mutex mutex_;
    int registers_ = 0;
    int lookups_ = 0;
    FakeBroker broker_{[this](const Frames& request) { return serve(request); }};
};

TEST_F(ResumedRegistrationTest, FindsItsOwnEarlierRegistrationBehindNameTaken) {
    stored_ = certificate_of("alice", keys_, ca_.keys.secret_key, SystemClock().now_seconds());
    auto certificate = register_as(RegistrationAttempt::Resumed);
    ASSERT_TRUE(certificate) << certificate.error().message;
    EXPECT_EQ(*certificate, stored_);
    EXPECT_EQ(lookups_, 1);
}

TEST_F(ResumedRegistrationTest, ANameTakenBySomeoneElseStaysNameTaken) {
    stored_ = certificate_of("alice", generate_user_keys(), ca_.keys.secret_key,
                             SystemClock().now_seconds());
    auto certificate = register_as(RegistrationAttempt::Resumed);
    ASSERT_FALSE(certificate);
    EXPECT_EQ(certificate.error().code, ErrorCode::NAME_TAKEN);
}

TEST_F(ResumedRegistrationTest, AFirstAttemptDoesNotLookTheNameUp) {
    stored_ = certificate_of("alice", keys_, ca_.keys.secret_key, SystemClock().now_seconds());
    auto certificate = register_as(RegistrationAttempt::First);
    ASSERT_FALSE(certificate);
    EXPECT_EQ(certificate.error().code, ErrorCode::NAME_TAKEN);
    EXPECT_EQ(registers_, 1);
    EXPECT_EQ(lookups_, 0);
}

}  // namespace
}  // namespace imgshare::client
