// Attacks on the certificate log (issue #22; docs/TRANSPARENCY.md), against the real
// cluster's answers relayed by a compromised broker that holds the broker's key — and, where
// the attack is the CA's own, the log's signing key taken from the CA's directory:
//   - a certificate without an inclusion proof, with the proof of another entry, or under a
//     head the log's key did not sign is refused (NOT_LOGGED, BAD_SIGNATURE) before it is
//     used: nothing is sealed to it, whois shows nothing;
//   - a certificate the CA issued for alice's name with keys of its choosing (written to its
//     registry as a compromised CA would) is in the log for everyone — and alice's `audit`
//     finds it: IMPERSONATION, naming the entry;
//   - a log that changed an entry it had shown (here: alice's certificate swapped for one
//     with other keys, the way a CA hiding an impersonation would) is caught by a reader
//     who saw the earlier head: LOG_INCONSISTENT, with both signed heads written as evidence.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "ca-service/registry.h"
#include "common/certificate.h"
#include "common/clock.h"
#include "common/file_io.h"
#include "common/keys_file.h"
#include "common/server_keys.h"
#include "common/transparency/log_check.h"
#include "common/transparency/log_entry.h"
#include "common/transparency/tree_head.h"
#include "tests/integration/support/cluster_fixture.h"
#include "tests/integration/support/impostor.h"
#include "tests/integration/support/lying_broker.h"
#include "tests/integration/support/process.h"
#include "tests/integration/support/raw_client.h"
#include "tests/integration/support/signed_requests.h"

namespace imgshare::testing {
namespace {

namespace fs = std::filesystem;

class CertificateLogAttackTest : public ClusterTest {
  protected:
    void SetUp() override {
        ClusterTest::SetUp();
        alice_ = cluster_.new_user("alice");
        bob_ = cluster_.new_user("bob");
        carol_ = cluster_.new_user("carol");
        // bob has seen the log with all three (his whois of alice).
        auto whois = cluster_.imgshare(bob_, {"whois", "alice"});
        ASSERT_EQ(whois.exit_code, 0) << whois.err;
        RawClient as_bob(cluster_.client_endpoint(), cluster_.broker_public_key(),
                         load_user(bob_).keys.curve);
        auto info = decode_reply<CaInfoReply>(*as_bob.call(encode(CaInfoRequest{}, 1)));
        auto carol = decode_reply<GetCertReply>(*as_bob.call(encode(GetCertRequest{"carol", 3}, 2)));
        auto alice = decode_reply<GetCertReply>(*as_bob.call(encode(GetCertRequest{"alice", 3}, 3)));
        auto entries = decode_reply<LogEntriesReply>(*as_bob.call(encode(LogEntriesRequest{0, 10}, 4)));
        ASSERT_TRUE(info && carol && alice && entries);
        info_ = *info;
        carol_reply_ = *carol;
        alice_reply_ = *alice;
        entries_ = entries->entries;
        ASSERT_EQ(entries_.size(), 3u);
        auto broker_keys = load_curve_key_files(cluster_.broker_dir(), "broker");
        ASSERT_TRUE(broker_keys) << broker_keys.error().message;
        broker_keys_.emplace(std::move(*broker_keys));
        cluster_.stop_broker();
    }

    // What bob's commands say while the liar answers GET_CERT carol with `reply`.
    struct Seen {
        CommandResult whois, post;
        std::vector<PostBeginRequest> posts;
    };
    Seen as_bob_with(const GetCertReply& reply) {
        LyingBroker liar(cluster_.client_endpoint(), *broker_keys_,
                         Lies{info_, {{"carol", reply}}, std::nullopt});
        Seen seen;
        seen.whois = cluster_.imgshare(bob_, {"whois", "carol"});
        seen.post = cluster_.imgshare(
            bob_, {"post", cluster_.small_png("dog.png").string(), "--to", "carol"});
        seen.posts = liar.posts();
        return seen;
    }

    fs::path alice_, bob_, carol_;
    CaInfoReply info_;
    GetCertReply carol_reply_, alice_reply_;
    std::vector<Bytes> entries_;
    std::optional<CurveKeyPair> broker_keys_;
};

TEST_F(CertificateLogAttackTest, ACertificateWithoutAValidProofIsRefusedBeforeUse) {
    struct Case {
        std::string what;
        GetCertReply reply;
        std::string code;
    };
    GetCertReply no_proof = carol_reply_;
    no_proof.log = LogProof{};
    GetCertReply anothers_proof = carol_reply_;
    anothers_proof.log = alice_reply_.log;  // alice's entry, proved honestly
    GetCertReply moved = carol_reply_;
    moved.log.index = alice_reply_.log.index;
    GetCertReply foreign_head = carol_reply_;
    auto head = transparency::decode_tree_head(carol_reply_.log.tree_head).value();
    foreign_head.log.tree_head = transparency::make_tree_head(
        head.size, head.root, head.timestamp, generate_signing_keys().secret_key);
    for (const auto& lie : std::vector<Case>{{"no proof", no_proof, "NOT_LOGGED"},
                                             {"another entry's proof", anothers_proof, "NOT_LOGGED"},
                                             {"another index", moved, "NOT_LOGGED"},
                                             {"a head the log did not sign", foreign_head,
                                              "BAD_SIGNATURE"}}) {
        SCOPED_TRACE(lie.what);
        auto seen = as_bob_with(lie.reply);
        EXPECT_EQ(seen.whois.exit_code, 1);
        EXPECT_TRUE(seen.whois.err.starts_with("error: " + lie.code + ": ")) << seen.whois.err;
        EXPECT_EQ(seen.whois.out, "");
        EXPECT_EQ(seen.post.exit_code, 1);
        EXPECT_TRUE(seen.post.err.starts_with("error: " + lie.code + ": recipient carol: "))
            << seen.post.err;
        EXPECT_TRUE(seen.posts.empty());  // nothing was sealed to carol's key
    }
    // The honest answer, relayed as it is, is accepted.
    auto honest = as_bob_with(carol_reply_);
    EXPECT_EQ(honest.whois.exit_code, 0) << honest.whois.err;
}

TEST_F(CertificateLogAttackTest, ALogThatChangedAnEntryItShowedIsCaughtWithEvidence) {
    // The log's own key, as a compromised CA holds it.
    auto log_key = load_secret_key(cluster_.ca_dir(), "log_signing", 64);
    ASSERT_TRUE(log_key) << log_key.error().message;
    auto signing_key = load_secret_key(cluster_.ca_dir(), "ca_signing", 64);
    ASSERT_TRUE(signing_key) << signing_key.error().message;
    // alice's entry swapped for a certificate of "alice" with keys the CA chose.
    auto real_alice = decode_certificate(
        transparency::decode_log_entry(entries_[0]).value().certificate).value();
    Certificate impostor = real_alice;
    auto keys = generate_user_keys();
    impostor.sign_pk = keys.sign.public_key;
    impostor.box_pk = keys.box.public_key;
    impostor.curve_pk = keys.curve.public_key;
    impostor = issue_certificate(impostor, *signing_key);
    const auto carol_certificate = carol_reply_.certificate;

    for (std::uint64_t extra : {0, 1}) {
        SCOPED_TRACE(extra == 0 ? "the same size, another root" : "grown by one, another past");
        transparency::MerkleTree forked;
        forked.append(transparency::encode_certificate_entry(encode_certificate(impostor)));
        forked.append(entries_[1]);
        forked.append(entries_[2]);
        if (extra == 1) forked.append(transparency::encode_revocation_entry("bob", 9, 1));
        const auto size = forked.size();
        GetCertReply lie = carol_reply_;
        lie.log.index = 2;
        lie.log.tree_head = transparency::make_tree_head(size, forked.root(),
                                                         SystemClock().now_seconds(), *log_key);
        lie.log.inclusion = transparency::wire_hashes(forked.inclusion_proof(2, size));
        lie.log.consistency = extra == 0 ? std::vector<Bytes>{}
                                         : transparency::wire_hashes(forked.consistency_proof(3, size));
        const auto kept = read_file(bob_ / "log_head", 1024).value();
        auto seen = as_bob_with(lie);
        EXPECT_EQ(seen.whois.exit_code, 1);
        EXPECT_TRUE(seen.whois.err.starts_with("error: LOG_INCONSISTENT: ")) << seen.whois.err;
        EXPECT_TRUE(seen.posts.empty());
        // bob keeps the head he had, and the evidence holds both signed heads.
        EXPECT_EQ(read_file(bob_ / "log_head", 1024).value(), kept);
        const auto at = seen.whois.err.find("evidence in ");
        ASSERT_NE(at, std::string::npos) << seen.whois.err;
        auto path = seen.whois.err.substr(at + 12);
        path = path.substr(0, path.find_first_of("\n "));
        auto evidence = read_file(path, 64 * 1024);
        ASSERT_TRUE(evidence) << path;
        const std::string text(as_string(*evidence));
        EXPECT_NE(text.find("seen_tree_head = " + to_hex(kept)), std::string::npos);
        EXPECT_NE(text.find("new_tree_head = " + to_hex(lie.log.tree_head)), std::string::npos);
    }
}

// Attack 1 of issue #22: the CA issues "alice" a certificate with its own keys. It can no
// longer do it out of sight: bob accepts it only with its proof in the log, and alice's audit
// of the log names it.
class CertificateLogImpersonationTest : public ClusterTest {};

TEST_F(CertificateLogImpersonationTest, AnImpostorCertificateIsOnTheRecordAndAuditFindsIt) {
    auto& cluster = cluster_;
    auto alice = cluster.new_user("alice");
    auto bob = cluster.new_user("bob");
    // alice's watcher looks at the log every second.
    Process watcher({executable("imgshare").string(), "--home", alice.string(), "watch",
                     "--log-check", "1"},
                    cluster.dir() / "alice-watch", cluster.client_env());
    auto clean = cluster.imgshare(alice, {"audit"});
    ASSERT_EQ(clean.exit_code, 0) << clean.err;
    EXPECT_TRUE(clean.out.starts_with("audit: the certificate log of 2 entries checks out"))
        << clean.out;
    EXPECT_NE(clean.out.find("1 certificate(s) for alice, each with this home's keys"),
              std::string::npos)
        << clean.out;

    // The compromised CA: its issuing key, and its registry written directly.
    Certificate impostor;
    ASSERT_TRUE(issue_impostor(cluster, "alice", impostor));

    // bob takes the CA's word — the impostor certificate, with its place in the log.
    auto whois = cluster.imgshare(bob, {"whois", "alice"});
    ASSERT_EQ(whois.exit_code, 0) << whois.err;
    EXPECT_NE(whois.out.find("serial: 3"), std::string::npos) << whois.out;
    // alice's watcher reports it within its interval, and her audit finds it.
    EXPECT_TRUE(watcher.wait_for_err("error: IMPERSONATION: the certificate log holds certificate "
                                     "#3 for alice (entry 2)",
                                     std::chrono::seconds(15)));
    EXPECT_TRUE(watcher.running());  // it goes on watching
    auto audit = cluster.imgshare(alice, {"audit"});
    EXPECT_EQ(audit.exit_code, 1);
    EXPECT_TRUE(audit.err.starts_with("error: IMPERSONATION: the certificate log holds 1 "
                                      "certificate(s) for alice with keys that are not this "
                                      "home's"))
        << audit.err;
    EXPECT_NE(audit.err.find("entry 2: certificate #3"), std::string::npos) << audit.err;
    auto json = cluster.imgshare(alice, {"--json", "audit"});
    EXPECT_EQ(json.exit_code, 1);
    EXPECT_NE(json.out.find("\"impersonations\":[{\"entry\":2"), std::string::npos) << json.out;
}

}  // namespace
}  // namespace imgshare::testing
