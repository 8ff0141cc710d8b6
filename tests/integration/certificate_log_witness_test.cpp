// The certificate log's witness (issue #22, attack 3; docs/TRANSPARENCY.md, "Witnesses"),
// with the real imgshare-witness beside the real CA, and clients whose trust file requires
// its cosignature:
//   - a split view — the CA showing a reader a log of the same size with another entry (an
//     impostor carol) — is refused by the witness (LOG_INCONSISTENT), and a reader who has
//     seen no head yet refuses it for want of the cosignature (NOT_WITNESSED), where a reader
//     whose trust file names no witness takes the impostor's keys;
//   - a witness that is down makes readers refuse the heads it has not cosigned, and once it
//     is back (its state kept across the restart) the CA has them cosigned within seconds.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "common/certificate.h"
#include "common/clock.h"
#include "common/keys_file.h"
#include "common/server_keys.h"
#include "common/transparency/cosignature.h"
#include "common/transparency/log_check.h"
#include "common/transparency/log_entry.h"
#include "common/transparency/tree_head.h"
#include "common/trust_file.h"
#include "tests/integration/support/cluster.h"
#include "tests/integration/support/lying_broker.h"
#include "tests/integration/support/process.h"
#include "tests/integration/support/raw_client.h"
#include "tests/integration/support/signed_requests.h"
#include "tests/integration/support/wait.h"

namespace imgshare::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class CertificateLogWitnessTest : public ::testing::Test {
  protected:
    Cluster cluster_{ClusterOptions{.witness = true}};
};

// A copy of `home` that has seen no head of the log (a reader new to it), with a trust file
// that lists the witness or not.
fs::path fresh_reader(const Cluster& cluster, const fs::path& home, const std::string& label,
                      bool with_witness) {
    auto copy = cluster.dir() / label;
    fs::copy(home, copy, fs::copy_options::recursive);
    fs::remove(copy / "log_head");
    if (!with_witness) {
        auto trust = load_trust_file(copy / "trust").value();
        trust.witnesses = {};
        std::ofstream(copy / "trust", std::ios::trunc) << format_trust(trust);
    }
    return copy;
}

TEST_F(CertificateLogWitnessTest, ASplitViewIsRefusedByTheWitnessAndByReadersWhoRequireIt) {
    auto alice = cluster_.new_user("alice");  // each registration passed the witness check
    auto bob = cluster_.new_user("bob");
    auto carol = cluster_.new_user("carol");
    auto whois = cluster_.imgshare(bob, {"whois", "carol"});
    ASSERT_EQ(whois.exit_code, 0) << whois.err;

    RawClient as_bob(cluster_.client_endpoint(), cluster_.broker_public_key(),
                     load_user(bob).keys.curve);
    auto info = decode_reply<CaInfoReply>(*as_bob.call(encode(CaInfoRequest{}, 1)));
    auto real = decode_reply<GetCertReply>(*as_bob.call(encode(GetCertRequest{"carol", 0}, 2)));
    auto entries =
        decode_reply<LogEntriesReply>(*as_bob.call(encode(LogEntriesRequest{0, 10}, 3)));
    ASSERT_TRUE(info && real && entries);
    ASSERT_EQ(entries->entries.size(), 3u);
    // The honest answer comes cosigned by the witness.
    auto real_head = transparency::decode_tree_head(real->log.tree_head).value();
    EXPECT_EQ(real_head.size, 3u);
    EXPECT_EQ(transparency::count_witnesses(real->log.cosignatures, cluster_.log_verify_key(),
                                            real_head,
                                            transparency::WitnessPolicy{{cluster_.witness_key()}, 1}),
              1u);

    // The compromised CA's view for someone else: carol's entry holds a certificate with
    // keys it chose, in a log of the same size, signed with the log's own key.
    auto log_key = load_secret_key(cluster_.ca_dir(), "log_signing", 64).value();
    auto signing_key = load_secret_key(cluster_.ca_dir(), "ca_signing", 64).value();
    Certificate impostor = decode_certificate(real->certificate).value();
    auto keys = generate_user_keys();
    impostor.sign_pk = keys.sign.public_key;
    impostor.box_pk = keys.box.public_key;
    impostor.curve_pk = keys.curve.public_key;
    impostor = issue_certificate(impostor, signing_key);
    transparency::MerkleTree forked;
    forked.append(entries->entries[0]);
    forked.append(entries->entries[1]);
    forked.append(transparency::encode_certificate_entry(encode_certificate(impostor)));
    GetCertReply lie = *real;
    lie.certificate = encode_certificate(impostor);
    lie.log.index = 2;
    lie.log.tree_head =
        transparency::make_tree_head(3, forked.root(), SystemClock().now_seconds(), log_key);
    lie.log.inclusion = transparency::wire_hashes(forked.inclusion_proof(2, 3));
    lie.log.consistency = {};

    // 1. The witness, asked to cosign that view as the CA would ask it, refuses.
    RawClient to_witness(cluster_.witness_endpoint(), cluster_.witness_public_key());
    auto state = decode_reply<WitnessStateReply>(*to_witness.call(encode(WitnessStateRequest{}, 1)));
    ASSERT_TRUE(state) << state.error().message;
    EXPECT_EQ(state->size, 3u);
    auto refused = decode_reply<AddCheckpointReply>(
        *to_witness.call(encode(AddCheckpointRequest{3, {}, lie.log.tree_head}, 2)));
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::LOG_INCONSISTENT) << refused.error().message;
    // ... and it still holds the honest head.
    state = decode_reply<WitnessStateReply>(*to_witness.call(encode(WitnessStateRequest{}, 3)));
    ASSERT_TRUE(state);
    EXPECT_EQ(state->tree_head, real->log.tree_head);

    // 2. A reader new to the log is shown that view by a broker the CA works with: without
    // the witness's cosignature, or with its cosignature of the honest head, it is refused.
    auto broker_keys = load_curve_key_files(cluster_.broker_dir(), "broker").value();
    cluster_.stop_broker();
    auto newcomer = fresh_reader(cluster_, bob, "bob-new-device", true);
    auto unwitnessed = fresh_reader(cluster_, bob, "bob-without-witness", false);
    for (const auto& cosignatures : {std::vector<Bytes>{}, real->log.cosignatures}) {
        lie.log.cosignatures = cosignatures;
        LyingBroker liar(cluster_.client_endpoint(), broker_keys,
                         Lies{*info, {{"carol", lie}}, std::nullopt});
        auto seen = cluster_.imgshare(newcomer, {"whois", "carol"});
        EXPECT_EQ(seen.exit_code, 1);
        EXPECT_TRUE(seen.err.starts_with("error: NOT_WITNESSED: ")) << seen.err;
        EXPECT_EQ(seen.out, "");
        auto posted = cluster_.imgshare(
            newcomer, {"post", cluster_.small_png("dog.png").string(), "--to", "carol"});
        EXPECT_EQ(posted.exit_code, 1);
        EXPECT_TRUE(posted.err.starts_with("error: NOT_WITNESSED: recipient carol: "))
            << posted.err;
        EXPECT_TRUE(liar.posts().empty());  // nothing was sealed to the impostor's keys
        EXPECT_FALSE(fs::exists(newcomer / "log_head"));

        // 3. What the witness is there for: a reader who does not require it takes the lie.
        auto fooled = cluster_.imgshare(unwitnessed, {"whois", "carol"});
        EXPECT_EQ(fooled.exit_code, 0) << fooled.err;
        EXPECT_NE(fooled.out.find(to_hex(keys.sign.public_key)), std::string::npos)
            << fooled.out;
        fs::remove(unwitnessed / "log_head");
    }
    // Every message between the CA and the witness is in both protocol logs (the witness's
    // is flushed at its stop).
    cluster_.stop_witness();
    const auto witness_log = read_text(cluster_.witness_dir() / "protocol.log");
    for (const auto* type : {"\"type\":\"WITNESS_STATE\"", "\"type\":\"ADD_CHECKPOINT\""}) {
        EXPECT_NE(witness_log.find(type), std::string::npos) << type;
    }
    EXPECT_NE(witness_log.find("\"direction\":\"sent\""), std::string::npos);
    EXPECT_NE(read_text(cluster_.ca_dir() / "protocol.log").find("\"peer\":\"witness:tcp://"),
              std::string::npos);
    (void)alice;
    (void)carol;
}

TEST_F(CertificateLogWitnessTest, ReadersRefuseWhatTheWitnessHasNotCosignedUntilItIsBack) {
    auto alice = cluster_.new_user("alice");
    cluster_.stop_witness();

    // bob registers while the witness is down: the CA stores him, but the head that holds
    // him is not cosigned, so neither he nor alice accepts it.
    auto bob = cluster_.new_home("bob");
    auto registered = cluster_.imgshare(bob, {"register", "bob"});
    EXPECT_EQ(registered.exit_code, 1);
    EXPECT_TRUE(registered.err.starts_with("error: NOT_WITNESSED: ")) << registered.err;
    auto whois = cluster_.imgshare(alice, {"whois", "bob"});
    EXPECT_EQ(whois.exit_code, 1);
    EXPECT_TRUE(whois.err.starts_with("error: NOT_WITNESSED: ")) << whois.err;

    // The witness comes back with what it cosigned (1 entry) and is proved the 2 entries'
    // head from there on the CA's next try.
    ASSERT_TRUE(cluster_.start_witness());
    CommandResult last;
    EXPECT_TRUE(wait_until(
        [&] {
            last = cluster_.imgshare(alice, {"whois", "bob"});
            return last.exit_code == 0;
        },
        20s, "alice's whois bob to be served cosigned", 500ms))
        << last.err;
    auto again = cluster_.imgshare(bob, {"register", "bob"});
    EXPECT_EQ(again.exit_code, 0) << again.err;
    auto listed = cluster_.imgshare(bob, {"list"});
    EXPECT_EQ(listed.exit_code, 0) << listed.err;
}

}  // namespace
}  // namespace imgshare::testing
