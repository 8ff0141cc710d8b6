// The CA's certificate log (registry.h, "The certificate log"; ca-service/log_requests.cpp):
// every certificate it issues and every revocation is an entry, written with it and kept
// across a restart; each certificate it answers with comes with a proof a reader accepts.
#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <memory>
#include <vector>

#include "common/renewal.h"
#include "common/transparency/log_check.h"
#include "common/transparency/log_entry.h"
#include "tests/ca-service/ca_test_support.h"

namespace imgshare::ca::testing {
namespace {

using transparency::check_certificate_logged;
using transparency::check_extends;
using transparency::decode_log_entry;
using transparency::LogEntryKind;

class CertificateLogTest : public CaTest {
  protected:
    // `certificate` as `proof` places it, checked as a reader checks it.
    Result<transparency::TreeHead> reader_check(ByteView certificate, const LogProof& proof) {
        return check_certificate_logged(certificate, proof.index, proof.tree_head,
                                        proof.inclusion, keys_->log.public_key);
    }
};

TEST_F(CertificateLogTest, EveryIssuedCertificateAndRevocationIsAnEntryInOrder) {
    auto alice = UserKeys{};
    auto bob = UserKeys{};
    auto alice_certificate = register_ok("alice", alice);
    auto bob_certificate = register_ok("bob", bob);
    ASSERT_TRUE(registry_->revoke("bob", clock_.now_seconds()));
    ASSERT_TRUE(registry_->revoke("bob", clock_.now_seconds() + 5));  // no second entry
    ASSERT_EQ(registry_->log_size(), 3u);
    auto entries = registry_->log_entries(0, 10).value();
    ASSERT_EQ(entries.size(), 3u);
    EXPECT_EQ(decode_log_entry(entries[0]).value().certificate, alice_certificate);
    EXPECT_EQ(decode_log_entry(entries[1]).value().certificate, bob_certificate);
    auto revocation = decode_log_entry(entries[2]).value();
    EXPECT_EQ(revocation.kind, LogEntryKind::revocation);
    EXPECT_EQ(revocation.username, "bob");
    EXPECT_EQ(revocation.serial, decode_certificate(bob_certificate).value().serial);
    EXPECT_EQ(registry_->log_index_of("bob", revocation.serial).value(), 1u);
}

TEST_F(CertificateLogTest, TheLogSurvivesARestartUnchanged) {
    register_ok("alice", UserKeys{});
    register_ok("bob", UserKeys{});
    const auto root = registry_->log_root(2);
    restart();
    ASSERT_EQ(registry_->log_size(), 2u);
    EXPECT_EQ(registry_->log_root(2), root);
    register_ok("carol", UserKeys{});
    EXPECT_EQ(registry_->log_size(), 3u);
    EXPECT_EQ(registry_->log_root(2), root);  // appended to, never changed
}

// A registry from before the log: its certificates and revocations become the log's first
// entries at its first open, and the CA proves them as any other.
TEST_F(CertificateLogTest, ARegistryFromBeforeTheLogGetsAnEntryForEverythingItHolds) {
    auto alice = register_ok("alice", UserKeys{});
    auto bob = register_ok("bob", UserKeys{});
    ASSERT_TRUE(registry_->revoke("bob", clock_.now_seconds()));
    ca_.reset();
    registry_.reset();
    {
        // What an older CA left: every column family but the log's entries.
        std::vector<rocksdb::ColumnFamilyDescriptor> families;
        std::vector<std::string> names;
        ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(),
                                                    registry_path(data_dir()).string(), &names)
                        .ok());
        for (const auto& name : names)
            families.emplace_back(name, rocksdb::ColumnFamilyOptions());
        std::vector<rocksdb::ColumnFamilyHandle*> handles;
        rocksdb::DB* raw = nullptr;
        ASSERT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), registry_path(data_dir()).string(),
                                      families, &handles, &raw)
                        .ok());
        std::unique_ptr<rocksdb::DB> db(raw);
        for (std::size_t i = 0; i < names.size(); ++i) {
            if (names[i] == "log") {
                ASSERT_TRUE(db->DropColumnFamily(handles[i]).ok());
            }
        }
        for (auto* handle : handles)
            ASSERT_TRUE(db->DestroyColumnFamilyHandle(handle).ok());
        ASSERT_TRUE(db->Close().ok());
    }
    open();
    ASSERT_EQ(registry_->log_size(), 3u);
    auto entries = registry_->log_entries(0, 3).value();
    EXPECT_EQ(decode_log_entry(entries[0]).value().certificate, alice);
    EXPECT_EQ(decode_log_entry(entries[1]).value().certificate, bob);
    EXPECT_EQ(decode_log_entry(entries[2]).value().kind, LogEntryKind::revocation);
    auto reply = ca_->get_cert(GetCertRequest{"alice", 0}, as_user("alice"));
    ASSERT_TRUE(reply) << reply.error().message;
    EXPECT_TRUE(reader_check(reply->certificate, reply->log));
    // Once: a restart finds the log there.
    restart();
    EXPECT_EQ(registry_->log_size(), 3u);
}

TEST_F(CertificateLogTest, GetCertProvesTheCertificateAndThatTheLogGrewFromWhatWasSeen) {
    auto alice = UserKeys{};
    auto registered = ca_->register_user(register_request("alice", alice), anonymous(alice));
    ASSERT_TRUE(registered) << registered.error().message;
    auto seen = reader_check(registered->certificate, registered->log);
    ASSERT_TRUE(seen) << seen.error().message;
    EXPECT_EQ(seen->size, 1u);

    register_ok("bob", UserKeys{});
    register_ok("carol", UserKeys{});
    GetCertRequest request{"bob", seen->size};
    auto reply = ca_->get_cert(request, as_user("alice"));
    ASSERT_TRUE(reply) << reply.error().message;
    auto now = reader_check(reply->certificate, reply->log);
    ASSERT_TRUE(now) << now.error().message;
    EXPECT_EQ(now->size, 3u);
    EXPECT_EQ(reply->log.index, 1u);
    EXPECT_TRUE(check_extends(*seen, *now, reply->log.consistency));
    // Signed with the log's key, not the CA's issuing key.
    EXPECT_FALSE(check_certificate_logged(reply->certificate, reply->log.index,
                                          reply->log.tree_head, reply->log.inclusion,
                                          keys_->signing.public_key));
}

TEST_F(CertificateLogTest, ARenewedCertificateIsProvedAsTheNewEntry) {
    auto alice = UserKeys{};
    auto current = decode_certificate(register_ok("alice", alice)).value();
    const auto now = clock_.now_seconds();
    RenewRequest request{"alice", current.serial, now,
                         make_renewal_proof(keys_->signing.public_key, current, now,
                                            alice.sign.secret_key),
                         1};
    auto renewed = ca_->renew(request, as_user("alice"));
    ASSERT_TRUE(renewed) << renewed.error().message;
    EXPECT_EQ(renewed->log.index, 1u);
    auto head = reader_check(renewed->certificate, renewed->log);
    ASSERT_TRUE(head) << head.error().message;
    EXPECT_EQ(head->size, 2u);
}

TEST_F(CertificateLogTest, TheLogsRequestsAnswerWithinTheirBounds) {
    for (int i = 0; i < 5; ++i)
        register_ok("user" + std::to_string(i), UserKeys{});
    auto head = ca_->log_head(LogHeadRequest{}, as_user("user0"));
    ASSERT_TRUE(head) << head.error().message;
    EXPECT_EQ(transparency::verify_tree_head(head->tree_head, keys_->log.public_key)->size, 5u);

    auto consistency = ca_->log_consistency(LogConsistencyRequest{2}, as_user("user0"));
    ASSERT_TRUE(consistency) << consistency.error().message;
    auto first = transparency::TreeHead{2, registry_->log_root(2), 0, {}};
    auto second = transparency::verify_tree_head(consistency->tree_head, keys_->log.public_key);
    EXPECT_TRUE(check_extends(first, *second, consistency->consistency));
    expect_error(ca_->log_consistency(LogConsistencyRequest{6}, as_user("user0")),
                 ErrorCode::BAD_REQUEST);

    auto entries = ca_->log_entries(LogEntriesRequest{3, 1000}, as_user("user0"));
    ASSERT_TRUE(entries) << entries.error().message;
    EXPECT_EQ(entries->entries.size(), 2u);
    EXPECT_TRUE(ca_->log_entries(LogEntriesRequest{5, 1}, as_user("user0"))->entries.empty());
    expect_error(ca_->log_entries(LogEntriesRequest{6, 1}, as_user("user0")),
                 ErrorCode::BAD_REQUEST);

    // As GET_CERT: registered users and the broker only.
    auto stranger = UserKeys{};
    expect_error(ca_->log_head(LogHeadRequest{}, anonymous(stranger)), ErrorCode::NOT_REGISTERED);
    expect_error(ca_->log_entries(LogEntriesRequest{0, 1}, from_service()), ErrorCode::FORBIDDEN);
    EXPECT_TRUE(ca_->log_head(LogHeadRequest{}, from_broker()));
}

}  // namespace
}  // namespace imgshare::ca::testing

namespace imgshare::ca::testing {
namespace {

// LOG_PROOF: the proof of any certificate the CA issued, such as a renewed owner's older one
// that a DOWNLOAD names; NOT_FOUND for one the log does not hold.
TEST_F(CertificateLogTest, LogProofProvesAnOlderCertificateOfARenewedUser) {
    auto alice = UserKeys{};
    const auto first = register_ok("alice", alice);
    auto current = decode_certificate(first).value();
    const auto now = clock_.now_seconds();
    RenewRequest renewal{"alice", current.serial, now,
                         make_renewal_proof(keys_->signing.public_key, current, now,
                                            alice.sign.secret_key),
                         1};
    ASSERT_TRUE(ca_->renew(renewal, as_user("alice")));
    register_ok("bob", UserKeys{});

    auto proved = ca_->log_proof_of(LogProofRequest{"alice", current.serial, 1}, as_user("bob"));
    ASSERT_TRUE(proved) << proved.error().message;
    EXPECT_EQ(proved->log.index, 0u);
    auto head = reader_check(first, proved->log);
    ASSERT_TRUE(head) << head.error().message;
    EXPECT_EQ(head->size, 3u);
    EXPECT_TRUE(check_extends(transparency::TreeHead{1, registry_->log_root(1), 0, {}}, *head,
                              proved->log.consistency));

    auto unknown = ca_->log_proof_of(LogProofRequest{"alice", 9, 0}, as_user("bob"));
    expect_error(unknown, ErrorCode::NOT_FOUND);
    EXPECT_EQ(unknown.error().message, "the certificate log holds no certificate #9 of alice");
    expect_error(ca_->log_proof_of(LogProofRequest{"nobody", 1, 0}, as_user("bob")),
                 ErrorCode::NOT_FOUND);
    expect_error(ca_->log_proof_of(LogProofRequest{"Not A Name", 1, 0}, as_user("bob")),
                 ErrorCode::BAD_REQUEST);
    auto stranger = UserKeys{};
    expect_error(ca_->log_proof_of(LogProofRequest{"alice", 1, 0}, anonymous(stranger)),
                 ErrorCode::NOT_REGISTERED);
}

}  // namespace
}  // namespace imgshare::ca::testing
