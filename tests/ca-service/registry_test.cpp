// The registry on real RocksDB: bindings, refusals, the serial counter, and
// that everything survives closing and reopening the database.
#include "ca-service/registry.h"

#include <gtest/gtest.h>

#include <optional>

#include "tests/ca-service/ca_test_support.h"
#include "tests/common/scratch_dir.h"

namespace imgshare::ca::testing {
namespace {

class RegistryTest : public ::testing::Test {
  protected:
    void SetUp() override { open(); }
    void open() {
        auto opened = Registry::open(dir_.path() / "registry");
        ASSERT_TRUE(opened) << error_of(opened).message;
        registry_.emplace(std::move(*opened));
    }
    void reopen() {
        registry_.reset();
        open();
    }

    imgshare::testing::ScratchDir dir_;
    std::optional<Registry> registry_;
    const Bytes alice_key_ = Bytes(32, 0xa1);
    const Bytes bob_key_ = Bytes(32, 0xb0);
};

TEST_F(RegistryTest, AFreshRegistryIsEmptyAndStartsAtSerialOne) {
    EXPECT_FALSE(registry_->certificate_of("alice").value());
    EXPECT_FALSE(registry_->user_of_curve_key(alice_key_).value());
    EXPECT_FALSE(registry_->is_revoked("alice").value());
    EXPECT_EQ(registry_->next_serial().value(), 1u);
}

TEST_F(RegistryTest, AddUserBindsNameKeyAndSerialTogether) {
    ASSERT_TRUE(registry_->add_user("alice", alice_key_, 1, to_bytes("cert-a")));
    EXPECT_EQ(registry_->certificate_of("alice").value(), to_bytes("cert-a"));
    EXPECT_EQ(registry_->user_of_curve_key(alice_key_).value(), "alice");
    EXPECT_EQ(registry_->next_serial().value(), 2u);
}

TEST_F(RegistryTest, NothingIsOverwritten) {
    ASSERT_TRUE(registry_->add_user("alice", alice_key_, 1, to_bytes("cert-a")));
    expect_error(registry_->add_user("alice", bob_key_, 2, to_bytes("cert-x")),
                 ErrorCode::NAME_TAKEN);
    expect_error(registry_->add_user("bob", alice_key_, 2, to_bytes("cert-x")),
                 ErrorCode::BAD_REQUEST);
    EXPECT_EQ(registry_->certificate_of("alice").value(), to_bytes("cert-a"));
    EXPECT_EQ(registry_->user_of_curve_key(alice_key_).value(), "alice");
    EXPECT_FALSE(registry_->certificate_of("bob").value());
    EXPECT_FALSE(registry_->user_of_curve_key(bob_key_).value());
    EXPECT_EQ(registry_->next_serial().value(), 2u);
}

TEST_F(RegistryTest, TheSerialCounterNeverMovesBack) {
    ASSERT_TRUE(registry_->add_user("alice", alice_key_, 5, to_bytes("a")));
    ASSERT_TRUE(registry_->add_user("bob", bob_key_, 2, to_bytes("b")));
    EXPECT_EQ(registry_->next_serial().value(), 6u);
}

TEST_F(RegistryTest, RevocationIsRecordedOnceAndNeedsAUser) {
    expect_error(registry_->revoke("alice", 100), ErrorCode::NOT_FOUND);
    ASSERT_TRUE(registry_->add_user("alice", alice_key_, 1, to_bytes("a")));
    ASSERT_TRUE(registry_->revoke("alice", 100));
    ASSERT_TRUE(registry_->revoke("alice", 200));
    EXPECT_TRUE(registry_->is_revoked("alice").value());
    EXPECT_FALSE(registry_->is_revoked("bob").value());
}

TEST_F(RegistryTest, TheFirstRevocationTimeIsKeptAndRevokedUsersAreListed) {
    ASSERT_TRUE(registry_->add_user("alice", alice_key_, 1, to_bytes("a")));
    ASSERT_TRUE(registry_->add_user("bob", bob_key_, 2, to_bytes("b")));
    EXPECT_FALSE(registry_->revoked_at("alice").value().has_value());
    EXPECT_TRUE(registry_->revoked_users().value().empty());
    ASSERT_TRUE(registry_->revoke("bob", 100));
    ASSERT_TRUE(registry_->revoke("alice", 150));
    ASSERT_TRUE(registry_->revoke("bob", 200));
    EXPECT_EQ(registry_->revoked_at("bob").value(), 100);
    EXPECT_EQ(registry_->revoked_at("alice").value(), 150);
    EXPECT_EQ(registry_->revoked_users().value(), (std::vector<std::string>{"alice", "bob"}));
}

TEST_F(RegistryTest, RenewReplacesTheCertificateAndKeepsTheKeyBinding) {
    expect_error(registry_->renew("alice", 2, to_bytes("cert-a2"), to_bytes("proof")),
                 ErrorCode::NOT_FOUND);
    ASSERT_TRUE(registry_->add_user("alice", alice_key_, 1, to_bytes("cert-a1")));
    EXPECT_FALSE(registry_->last_renewal_proof("alice").value().has_value());
    ASSERT_TRUE(registry_->renew("alice", 1, to_bytes("cert-a2"), to_bytes("proof-2")));
    EXPECT_EQ(registry_->certificate_of("alice").value(), to_bytes("cert-a2"));
    EXPECT_EQ(registry_->user_of_curve_key(alice_key_).value(), "alice");
    EXPECT_EQ(registry_->last_renewal_proof("alice").value(), to_bytes("proof-2"));
    EXPECT_EQ(registry_->next_serial().value(), 2u);
    ASSERT_TRUE(registry_->renew("alice", 7, to_bytes("cert-a7"), to_bytes("proof-7")));
    EXPECT_EQ(registry_->next_serial().value(), 8u);
    reopen();
    EXPECT_EQ(registry_->certificate_of("alice").value(), to_bytes("cert-a7"));
    EXPECT_EQ(registry_->last_renewal_proof("alice").value(), to_bytes("proof-7"));
    EXPECT_EQ(registry_->next_serial().value(), 8u);
}

TEST_F(RegistryTest, ARevokedUserCannotBeRenewed) {
    ASSERT_TRUE(registry_->add_user("alice", alice_key_, 1, to_bytes("cert-a1")));
    ASSERT_TRUE(registry_->revoke("alice", 100));
    expect_error(registry_->renew("alice", 2, to_bytes("cert-a2"), to_bytes("proof")),
                 ErrorCode::REVOKED);
    EXPECT_EQ(registry_->certificate_of("alice").value(), to_bytes("cert-a1"));
    EXPECT_EQ(registry_->next_serial().value(), 2u);
}

TEST_F(RegistryTest, AReissueReplacesOnlyTheCertificateItWasAskedTo) {
    expect_error(registry_->reissue("alice", to_bytes("cert-a1"), 2, to_bytes("cert-a2")),
                 ErrorCode::NOT_FOUND);
    ASSERT_TRUE(registry_->add_user("alice", alice_key_, 1, to_bytes("cert-a1")));
    ASSERT_TRUE(registry_->renew("alice", 2, to_bytes("cert-a2"), to_bytes("proof-2")));
    // Not the current certificate any more (a renewal came first): nothing is written.
    expect_error(registry_->reissue("alice", to_bytes("cert-a1"), 3, to_bytes("cert-a3")),
                 ErrorCode::BAD_REQUEST);
    EXPECT_EQ(registry_->certificate_of("alice").value(), to_bytes("cert-a2"));
    EXPECT_EQ(registry_->next_serial().value(), 3u);

    ASSERT_TRUE(registry_->reissue("alice", to_bytes("cert-a2"), 3, to_bytes("cert-a3")));
    reopen();
    EXPECT_EQ(registry_->certificate_of("alice").value(), to_bytes("cert-a3"));
    EXPECT_EQ(registry_->user_of_curve_key(alice_key_).value(), "alice");
    EXPECT_FALSE(registry_->last_renewal_proof("alice").value().has_value());
    EXPECT_EQ(registry_->next_serial().value(), 4u);

    ASSERT_TRUE(registry_->revoke("alice", 100));
    expect_error(registry_->reissue("alice", to_bytes("cert-a3"), 4, to_bytes("cert-a4")),
                 ErrorCode::REVOKED);
    EXPECT_EQ(registry_->certificate_of("alice").value(), to_bytes("cert-a3"));
}

TEST_F(RegistryTest, AReleaseNeedsARevokedUserAndKeepsItsCertificateRetired) {
    const Bytes sign_key(32, 0x51), box_key(32, 0x52);
    const RetiredKeys keys{sign_key, box_key, alice_key_};
    expect_error(registry_->release("alice", to_bytes("cert-a1"), keys, 1, 100),
                 ErrorCode::NOT_FOUND);
    ASSERT_TRUE(registry_->add_user("alice", alice_key_, 1, to_bytes("cert-a1")));
    expect_error(registry_->release("alice", to_bytes("cert-a1"), keys, 1, 100),
                 ErrorCode::BAD_REQUEST);
    ASSERT_TRUE(registry_->revoke("alice", 100));
    expect_error(registry_->release("alice", to_bytes("cert-other"), keys, 1, 200),
                 ErrorCode::BAD_REQUEST);
    EXPECT_EQ(registry_->certificate_of("alice").value(), to_bytes("cert-a1"));

    ASSERT_TRUE(registry_->release("alice", to_bytes("cert-a1"), keys, 1, 200));
    reopen();
    EXPECT_FALSE(registry_->certificate_of("alice").value().has_value());
    EXPECT_FALSE(registry_->user_of_curve_key(alice_key_).value().has_value());
    EXPECT_FALSE(registry_->is_revoked("alice").value());
    EXPECT_TRUE(registry_->revoked_users().value().empty());
    for (const Bytes& key : {sign_key, box_key, alice_key_})
        EXPECT_EQ(registry_->retired_holder_of(key).value(), "alice");
    EXPECT_FALSE(registry_->retired_holder_of(bob_key_).value().has_value());
    EXPECT_TRUE(registry_->is_retired("alice", 1).value());
    EXPECT_FALSE(registry_->is_retired("alice", 2).value());
    EXPECT_EQ(registry_->retired_certificates("alice").value(),
              std::vector<Bytes>{to_bytes("cert-a1")});
    EXPECT_EQ(registry_->released_names().value(), std::vector<std::string>{"alice"});
    // The name is free; the serial counter never goes back.
    ASSERT_TRUE(registry_->add_user("alice", bob_key_, 2, to_bytes("cert-a2")));
    EXPECT_EQ(registry_->next_serial().value(), 3u);
}

TEST_F(RegistryTest, EverythingSurvivesAReopen) {
    ASSERT_TRUE(registry_->add_user("alice", alice_key_, 1, to_bytes("cert-a")));
    ASSERT_TRUE(registry_->add_user("bob", bob_key_, 2, to_bytes("cert-b")));
    ASSERT_TRUE(registry_->revoke("bob", 100));
    reopen();
    EXPECT_EQ(registry_->certificate_of("alice").value(), to_bytes("cert-a"));
    EXPECT_EQ(registry_->certificate_of("bob").value(), to_bytes("cert-b"));
    EXPECT_EQ(registry_->user_of_curve_key(bob_key_).value(), "bob");
    EXPECT_TRUE(registry_->is_revoked("bob").value());
    EXPECT_FALSE(registry_->is_revoked("alice").value());
    EXPECT_EQ(registry_->next_serial().value(), 3u);
}

TEST_F(RegistryTest, ASecondOpenOfTheSameDirectoryFails) {
    expect_error(Registry::open(dir_.path() / "registry"), ErrorCode::IO_ERROR);
}

TEST_F(RegistryTest, TheRegistryDirectoryIsPrivate) {
    auto perms = std::filesystem::status(dir_.path() / "registry").permissions();
    EXPECT_EQ(perms & std::filesystem::perms::all, std::filesystem::perms::owner_all);
}

// The CA on top of the registry keeps working after a restart.
using CaRestartTest = CaTest;

TEST_F(CaRestartTest, CertificatesBindingsAndTheCounterSurviveARestart) {
    UserKeys alice, bob;
    auto alice_cert = register_ok("alice", alice);
    auto bob_cert = register_ok("bob", bob);
    restart();

    auto got = ca_->get_cert(GetCertRequest{"alice"}, as_user("bob"));
    ASSERT_TRUE(got);
    EXPECT_EQ(got->certificate, alice_cert);
    auto lookup = ca_->lookup_curve_key(LookupCurveKeyRequest{bob.curve.public_key}, from_broker());
    ASSERT_TRUE(lookup);
    EXPECT_EQ(lookup->username, "bob");
    // A replay after the restart still answers as the first time did.
    auto replay = ca_->register_user(register_request("bob", bob), anonymous(bob));
    ASSERT_TRUE(replay);
    EXPECT_EQ(replay->certificate, bob_cert);
    // The name stays taken, and the next certificate continues the serials.
    expect_error(ca_->register_user(register_request("alice", bob), anonymous(bob)),
                 ErrorCode::NAME_TAKEN);
    EXPECT_EQ(decode_certificate(register_ok("carol", UserKeys{})).value().serial, 3u);
}

}  // namespace
}  // namespace imgshare::ca::testing
