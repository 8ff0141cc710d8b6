// The client's view of the certificate log (client/certificate_log.h): it keeps the newest
// head it accepted, refuses a certificate without a proof and a head that does not extend the
// one kept (writing the evidence), and never keeps what it refused.
#include "client/certificate_log.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "common/file_io.h"
#include "common/transparency/log_check.h"
#include "common/transparency/log_entry.h"
#include "tests/client/sealing_support.h"
#include "tests/common/scratch_dir.h"

namespace imgshare::client {
namespace {

namespace fs = std::filesystem;
using imgshare::testing::TestCa;

class CertificateLogTest : public ::testing::Test {
  protected:
    Bytes issue(const std::string& name) {
        return encode_certificate(ca_.user(name).certificate);
    }

    imgshare::testing::ScratchDir scratch_;
    TestCa ca_;
    CertificateLog log_{scratch_.path(), ca_.log_verify_key()};
};

TEST_F(CertificateLogTest, KeepsTheNewestHeadItAccepted) {
    auto alice = issue("alice");
    EXPECT_EQ(log_.size_seen().value(), 0u);
    EXPECT_EQ(log_.accept(alice, ca_.log->proof(alice), 0, 1).value(), Accepted::yes);
    EXPECT_EQ(log_.size_seen().value(), 1u);
    auto bob = issue("bob");
    issue("carol");
    EXPECT_EQ(log_.accept(bob, ca_.log->proof(bob, 1), 1, 1).value(), Accepted::yes);
    EXPECT_EQ(log_.size_seen().value(), 3u);
    EXPECT_EQ(fs::status(log_.head_path()).permissions() & fs::perms::all,
              fs::perms::owner_read | fs::perms::owner_write);
}

TEST_F(CertificateLogTest, ACertificateWithoutAProofOfItsOwnIsNotLogged) {
    auto alice = issue("alice");
    auto bob = issue("bob");
    auto refused = log_.accept(alice, LogProof{}, 0, 1);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::NOT_LOGGED);
    refused = log_.accept(alice, ca_.log->proof(bob), 0, 1);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::NOT_LOGGED);
    EXPECT_FALSE(fs::exists(log_.head_path()));
}

TEST_F(CertificateLogTest, AHeadThatDoesNotExtendTheKeptOneIsRefusedWithEvidence) {
    auto alice = issue("alice");
    issue("bob");
    ASSERT_EQ(log_.accept(alice, ca_.log->proof(alice), 0, 1).value(), Accepted::yes);
    const auto kept = read_file(log_.head_path(), 1024).value();

    // The same log key over a log whose entry 0 was changed, and one more entry.
    imgshare::testing::TestLog forked;
    forked.keys = SigningKeyPair{ca_.log->keys.public_key,
                                 SecretBytes::copy_of(ca_.log->keys.secret_key.view())};
    forked.index_of(issue("mallory"));
    forked.index_of(issue("bob"));
    auto carol = issue("carol");
    auto proof = forked.proof(carol, 2);
    auto refused = log_.accept(carol, proof, 2, 1'750'000'000);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::LOG_INCONSISTENT) << refused.error().message;
    EXPECT_EQ(read_file(log_.head_path(), 1024).value(), kept);

    // The evidence names both signed heads, for anyone to check with the log's key.
    const auto evidence = log_.evidence_dir() / "log-inconsistent-1750000000.txt";
    EXPECT_NE(refused.error().message.find(evidence.string()), std::string::npos);
    auto text = read_file(evidence, 64 * 1024);
    ASSERT_TRUE(text) << text.error().message;
    const std::string contents(as_string(*text));
    EXPECT_NE(contents.find("seen_tree_head = " + to_hex(kept)), std::string::npos);
    EXPECT_NE(contents.find("new_tree_head = " + to_hex(proof.tree_head)), std::string::npos);
}

// Two lookups out at once (the gallery's threads, imgshare-load's users): the one answered
// second was proved from a head no longer kept, so it is asked again, not refused or kept.
TEST_F(CertificateLogTest, AnAnswerToAHeadNoLongerKeptIsAskedAgain) {
    auto alice = issue("alice");
    ASSERT_EQ(log_.accept(alice, ca_.log->proof(alice), 0, 1).value(), Accepted::yes);
    auto bob = issue("bob");
    auto first = ca_.log->proof(bob, 1);
    auto carol = issue("carol");
    auto second = ca_.log->proof(carol, 1);
    ASSERT_EQ(log_.accept(carol, second, 1, 1).value(), Accepted::yes);
    const auto kept = read_file(log_.head_path(), 1024).value();
    EXPECT_EQ(log_.accept(bob, first, 1, 1).value(), Accepted::moved);
    EXPECT_EQ(read_file(log_.head_path(), 1024).value(), kept);
    EXPECT_FALSE(fs::exists(log_.evidence_dir()));
    EXPECT_EQ(log_.accept(bob, ca_.log->proof(bob, 3), 3, 1).value(), Accepted::yes);
}

TEST_F(CertificateLogTest, AKeptHeadTheLogDidNotSignIsAConfigError) {
    ASSERT_TRUE(write_file_atomically(log_.head_path(), Bytes{1, 2, 3},
                                      fs::perms::owner_read | fs::perms::owner_write));
    auto size = log_.size_seen();
    ASSERT_FALSE(size);
    EXPECT_EQ(size.error().code, ErrorCode::CONFIG);
}

TEST_F(CertificateLogTest, WithoutAHomeTheHeadIsKeptInMemory) {
    CertificateLog in_memory(fs::path(), ca_.log_verify_key());
    auto alice = issue("alice");
    ASSERT_EQ(in_memory.accept(alice, ca_.log->proof(alice), 0, 1).value(), Accepted::yes);
    EXPECT_EQ(in_memory.size_seen().value(), 1u);
    EXPECT_FALSE(fs::exists(in_memory.head_path()));
}

}  // namespace
}  // namespace imgshare::client

namespace imgshare::client {
namespace {

// With witnesses in the trust file, a head counts only with its quorum of their cosignatures.
class WitnessedCertificateLogTest : public ::testing::Test {
  protected:
    Bytes issue(const std::string& name) {
        return encode_certificate(ca_.user(name).certificate);
    }
    // `proof` with a cosignature of its head by each of `witnesses`.
    LogProof cosigned(LogProof proof, std::initializer_list<const SigningKeyPair*> witnesses) {
        auto head = transparency::decode_tree_head(proof.tree_head).value();
        for (const auto* witness : witnesses) {
            proof.cosignatures.push_back(transparency::make_cosignature(
                ca_.log_verify_key(), head, 1'750'000'000, witness->public_key,
                witness->secret_key));
        }
        return proof;
    }

    imgshare::testing::ScratchDir scratch_;
    TestCa ca_;
    SigningKeyPair a_ = generate_signing_keys(), b_ = generate_signing_keys();
    CertificateLog log_{scratch_.path(), ca_.log_verify_key(),
                        transparency::WitnessPolicy{{a_.public_key, b_.public_key}, 2}};
};

TEST_F(WitnessedCertificateLogTest, AHeadWithoutItsQuorumIsNotWitnessedAndNotKept) {
    auto alice = issue("alice");
    auto stranger = generate_signing_keys();
    for (const auto& proof : {ca_.log->proof(alice), cosigned(ca_.log->proof(alice), {&a_}),
                              cosigned(ca_.log->proof(alice), {&a_, &a_}),
                              cosigned(ca_.log->proof(alice), {&a_, &stranger})}) {
        auto refused = log_.accept(alice, proof, 0, 1);
        ASSERT_FALSE(refused);
        EXPECT_EQ(refused.error().code, ErrorCode::NOT_WITNESSED) << refused.error().message;
    }
    auto head_alone = ca_.log->proof(alice);
    auto refused = log_.accept_head(head_alone.tree_head, {}, {}, 0, 1);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::NOT_WITNESSED);
    EXPECT_FALSE(fs::exists(log_.head_path()));

    EXPECT_EQ(log_.accept(alice, cosigned(ca_.log->proof(alice), {&a_, &b_}), 0, 1).value(),
              Accepted::yes);
    EXPECT_EQ(log_.size_seen().value(), 1u);
}

TEST_F(WitnessedCertificateLogTest, CosignaturesOfAnotherHeadDoNotCount) {
    auto alice = issue("alice");
    auto old = cosigned(ca_.log->proof(alice), {&a_, &b_});
    auto bob = issue("bob");
    auto fresh = ca_.log->proof(bob);
    fresh.cosignatures = old.cosignatures;  // the witnesses cosigned the log at 1 entry, not 2
    auto refused = log_.accept(bob, fresh, 0, 1);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::NOT_WITNESSED);
}

}  // namespace
}  // namespace imgshare::client
