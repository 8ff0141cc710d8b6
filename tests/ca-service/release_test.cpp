// imgshare-ca release: a revoked name freed for a new registration with new
// keys, its revoked certificate retired and its keys refused for good; the
// refusals, each with its code; the notices the running CA sends the broker.
#include "ca-service/release.h"

#include <gtest/gtest.h>

#include <fstream>
#include <future>

#include "ca-service/revocation.h"
#include "common/renewal.h"
#include "tests/ca-service/worker_test_support.h"

namespace imgshare::ca::testing {
namespace {

namespace fs = std::filesystem;

class ReleaseTest : public CaTest {
  protected:
    // Registers `username` with `keys`, then revokes them; their certificate.
    Certificate revoked_user(const std::string& username, const UserKeys& keys) {
        auto certificate = decode_certificate(register_ok(username, keys)).value();
        EXPECT_TRUE(revoke_user(*registry_, username, clock_.now_seconds()));
        return certificate;
    }
};

TEST_F(ReleaseTest, ARevokedNameIsFreedAndItsOldKeysStayRevoked) {
    UserKeys old_keys;
    auto old_certificate = revoked_user("alice", old_keys);
    auto released = release_name(*registry_, "alice", clock_.now_seconds());
    ASSERT_TRUE(released) << error_of(released).message;
    EXPECT_EQ(released->retired_serial, old_certificate.serial);
    EXPECT_EQ(released->retired_curve_key, old_keys.curve.public_key);
    EXPECT_EQ(describe(*released),
              "released alice: certificate #1 retired, its keys stay revoked; the name is free");
    restart();  // all of it on disk
    EXPECT_FALSE(registry_->certificate_of("alice").value().has_value());
    EXPECT_FALSE(registry_->is_revoked("alice").value());
    EXPECT_EQ(registry_->released_names().value(), std::vector<std::string>{"alice"});
    EXPECT_EQ(registry_->retired_certificates("alice").value(),
              std::vector<Bytes>{encode_certificate(old_certificate)});

    // The old keys: LOOKUP, REGISTER under the name or any other, RENEW of the old serial.
    expect_error(ca_->lookup_curve_key(LookupCurveKeyRequest{old_keys.curve.public_key},
                                       from_broker()),
                 ErrorCode::REVOKED);
    expect_error(ca_->register_user(register_request("alice", old_keys), anonymous(old_keys)),
                 ErrorCode::REVOKED);
    expect_error(ca_->register_user(register_request("alice2", old_keys), anonymous(old_keys)),
                 ErrorCode::REVOKED);
    // New keys but one old one (each of the three): refused too.
    for (int shared = 0; shared < 3; ++shared) {
        UserKeys mixed;
        if (shared == 0) {
            mixed.sign = SigningKeyPair{old_keys.sign.public_key,
                                        SecretBytes::copy_of(old_keys.sign.secret_key.view())};
        } else if (shared == 1) {
            mixed.box = BoxKeyPair{old_keys.box.public_key,
                                   SecretBytes::copy_of(old_keys.box.secret_key.view())};
        } else {
            mixed.curve = CurveKeyPair{old_keys.curve.public_key,
                                       SecretBytes::copy_of(old_keys.curve.secret_key.view())};
        }
        expect_error(ca_->register_user(register_request("alice", mixed), anonymous(mixed)),
                     ErrorCode::REVOKED);
    }

    // Alice registers again with new keys; the old serial still cannot be renewed.
    UserKeys new_keys;
    auto fresh = decode_certificate(register_ok("alice", new_keys)).value();
    EXPECT_NE(fresh.serial, old_certificate.serial);
    auto lookup =
        ca_->lookup_curve_key(LookupCurveKeyRequest{new_keys.curve.public_key}, from_broker());
    ASSERT_TRUE(lookup) << error_of(lookup).message;
    EXPECT_EQ(lookup->username, "alice");
    EXPECT_FALSE(lookup->revoked);
    expect_error(ca_->lookup_curve_key(LookupCurveKeyRequest{old_keys.curve.public_key},
                                       from_broker()),
                 ErrorCode::REVOKED);
    const auto now = clock_.now_seconds();
    RenewRequest old_renewal{"alice", old_certificate.serial, now,
                             make_renewal_proof(keys_->signing.public_key, old_certificate, now,
                                                old_keys.sign.secret_key)};
    expect_error(ca_->renew(old_renewal, as_user("alice")), ErrorCode::REVOKED);
}

TEST_F(ReleaseTest, ANameThatIsNotRevokedIsABadRequestAndAnUnknownOneNotFound) {
    auto encoded = register_ok("alice", UserKeys{});
    auto refused = release_name(*registry_, "alice", clock_.now_seconds());
    expect_error(refused, ErrorCode::BAD_REQUEST);
    EXPECT_EQ(error_of(refused).message, "alice is not revoked: only a revoked name is released");
    EXPECT_EQ(registry_->certificate_of("alice").value(), encoded);
    expect_error(release_name(*registry_, "nobody", clock_.now_seconds()), ErrorCode::NOT_FOUND);
    expect_error(release_name(*registry_, "../alice", clock_.now_seconds()),
                 ErrorCode::BAD_REQUEST);
    EXPECT_TRUE(registry_->released_names().value().empty());

    // Released once, the name is free: releasing again finds no one.
    revoked_user("bob", UserKeys{});
    ASSERT_TRUE(release_name(*registry_, "bob", clock_.now_seconds()));
    expect_error(release_name(*registry_, "bob", clock_.now_seconds()), ErrorCode::NOT_FOUND);
}

TEST_F(ReleaseTest, WithoutARunningCaTheCommandReleasesInTheRegistryAndLogsIt) {
    revoked_user("alice", UserKeys{});
    ca_.reset();
    registry_.reset();  // no CA holds the lock now
    auto done = release_command(data_dir(), "alice", clock_);
    ASSERT_TRUE(done) << error_of(done).message;
    EXPECT_EQ(*done, "released alice: certificate #1 retired, its keys stay revoked; the name "
                     "is free (no CA is running; the broker is told when it starts)");
    expect_error(release_command(scratch_.path() / "elsewhere", "alice", clock_),
                 ErrorCode::CONFIG);
    open();
    EXPECT_FALSE(registry_->certificate_of("alice").value().has_value());
    std::ifstream log(data_dir() / "protocol.log");
    std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
    EXPECT_NE(text.find("\"type\":\"RELEASE\""), std::string::npos) << text;
    EXPECT_NE(text.find("released alice"), std::string::npos) << text;
}

// A running CA serving the admin socket; alice revoked, bob released before it started.
class RunningCaReleaseTest : public WorkerTest {
  protected:
    void install(service::ServiceWorker& worker) override {
        register_ok("alice", alice_keys_);
        ASSERT_TRUE(registry_->revoke("alice", clock_.now_seconds()));
        register_ok("bob", bob_keys_);
        ASSERT_TRUE(registry_->revoke("bob", clock_.now_seconds()));
        ASSERT_TRUE(release_name(*registry_, "bob", clock_.now_seconds()));
        auto admin = AdminServer::bind(data_dir());
        ASSERT_TRUE(admin) << error_of(admin).message;
        admin_ = std::move(*admin);
        install_handlers(worker, *ca_);
        serve_admin_commands(RunningCa{worker, *registry_, *ca_, clock_}, *admin_, log_);
    }

    // The next message from the worker: its type and body frame.
    std::pair<std::string, Bytes> next_message() {
        auto frames = receive();
        if (frames.size() < 3) return {};
        return {decode_header(frames[1]).value().type, frames[2]};
    }

    UserKeys alice_keys_;
    UserKeys bob_keys_;
    std::unique_ptr<AdminServer> admin_;
};

TEST_F(RunningCaReleaseTest, TheBrokerIsToldTheNameIsFreeAndTheOldKeyRetired) {
    // At start, after READY: alice is revoked, bob's name free with his old key retired.
    auto revoked = next_message();
    EXPECT_EQ(revoked.first, "USER_REVOKED");
    EXPECT_EQ(decode_body<UserRevokedMessage>(revoked.second).value().username, "alice");
    auto bob_released = next_message();
    ASSERT_EQ(bob_released.first, "USER_RELEASED");
    EXPECT_EQ(decode_body<UserReleasedMessage>(bob_released.second).value(),
              (UserReleasedMessage{"bob", bob_keys_.curve.public_key}));

    auto done = std::async(std::launch::async, [&] {
                    return release_command(data_dir(), "alice", clock_);
                }).get();
    ASSERT_TRUE(done) << error_of(done).message;
    EXPECT_EQ(*done,
              "released alice: certificate #1 retired, its keys stay revoked; the name is free");
    auto alice_released = next_message();
    ASSERT_EQ(alice_released.first, "USER_RELEASED");
    EXPECT_EQ(decode_body<UserReleasedMessage>(alice_released.second).value(),
              (UserReleasedMessage{"alice", alice_keys_.curve.public_key}));
    expect_error(std::async(std::launch::async,
                            [&] { return release_command(data_dir(), "carol", clock_); })
                     .get(),
                 ErrorCode::NOT_FOUND);
}

}  // namespace
}  // namespace imgshare::ca::testing
