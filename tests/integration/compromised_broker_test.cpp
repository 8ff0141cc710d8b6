// A compromised broker: it holds the real broker key (so clients complete the
// handshake) and answers as it likes. It must not be able to make a client
// seal an image's content key to a key of its choosing: the escrow wrap key a
// client uses has to be vouched for by the pinned CA, whoever relays it; nor
// make a client trust a revoked user: GET_CERT's standing is the CA's signed,
// dated word (common/standing.h), which it can neither change nor pass off as
// new once it is stale.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

#include <zmq.hpp>

#include "common/clock.h"
#include "common/crypto/keys.h"
#include "common/crypto/sealed_box.h"
#include "common/file_io.h"
#include "common/net/multipart.h"
#include "common/net/socket_options.h"
#include "common/protocol/codec.h"
#include "common/server_keys.h"
#include "common/standing.h"
#include "common/transparency/tree_head.h"
#include "tests/integration/support/cluster_fixture.h"
#include "tests/integration/support/lying_broker.h"
#include "tests/integration/support/raw_client.h"
#include "tests/integration/support/signed_requests.h"

namespace imgshare::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

class CompromisedBrokerTest : public ClusterTest {};

TEST_F(CompromisedBrokerTest, AWrapKeyTheCaDidNotSignIsRefusedBeforeAnyKeyIsSealedToIt) {
    auto alice = cluster_.new_user("alice");
    auto image = cluster_.small_png("cat.png");
    // The real CA_INFO, with the CA's signature over the real wrap key.
    RawClient anyone(cluster_.client_endpoint(), cluster_.broker_public_key());
    auto real = decode_reply<CaInfoReply>(*anyone.call(encode(CaInfoRequest{}, 1)));
    ASSERT_TRUE(real.has_value()) << real.error().message;
    auto broker_keys = load_curve_key_files(cluster_.broker_dir(), "broker");
    ASSERT_TRUE(broker_keys.has_value()) << broker_keys.error().message;
    cluster_.stop_broker();

    auto attacker = generate_box_keys();
    for (const auto& signature : {Bytes{}, real->wrap_key_signature}) {
        // The pinned CA's key and the broker's own wrap key: unsigned, or under the CA's
        // signature of the real one.
        LyingBroker liar(cluster_.client_endpoint(), *broker_keys,
                         Lies{CaInfoReply{real->ca_verify_key, attacker.public_key, signature},
                              {},
                              std::nullopt});
        auto result = cluster_.imgshare(alice, {"post", image.string()});
        EXPECT_NE(result.exit_code, 0);
        EXPECT_NE(result.err.find("error: BAD_SIGNATURE"), std::string::npos) << result.err;
        // Nothing sealed to the attacker's key ever left the client.
        for (const auto& post : liar.posts()) {
            EXPECT_FALSE(unseal(post.wrapped_key, attacker).has_value())
                << "the content key was sealed to the broker's key";
        }
        EXPECT_TRUE(liar.posts().empty());
    }
}

// GET_CERT's answer, changed the ways a broker could: its standing stripped, its `revoked`
// flipped, or a statement older than the reader's bound passed off as new.
GetCertReply stripped(GetCertReply reply) {
    reply.standing.clear();
    return reply;
}

GetCertReply flipped(GetCertReply reply) {
    auto at = std::find(reply.standing.begin(), reply.standing.end(), std::uint8_t{0xc3});
    if (at == reply.standing.end()) throw std::logic_error("the standing says not revoked");
    *at = 0xc2;  // msgpack true → false; the CA's signature left as it was
    return reply;
}

GetCertReply stale(GetCertReply reply, const SecretBytes& ca_signing_key) {
    auto standing = decode_standing(reply.standing).value();
    reply.standing = make_standing(standing.username, standing.serial, false,
                                   SystemClock().now_seconds() - kStandingMaxAgeSeconds - 60,
                                   ca_signing_key);
    return reply;
}

TEST_F(CompromisedBrokerTest, ABrokerCanNeitherHideARevocationNorReplayAnOldStanding) {
    auto alice = cluster_.new_user("alice");
    auto bob = cluster_.new_user("bob");
    cluster_.new_user("carol");
    ASSERT_EQ(cluster_.imgshare(alice, {"post", cluster_.small_png("cat.png").string()}).exit_code,
              0);
    auto revoke = [&](const std::string& name) {
        auto done = run_command({executable("imgshare-ca"), "revoke", name, "--data-dir",
                                 cluster_.ca_dir().string()});
        ASSERT_EQ(done.exit_code, 0) << done.err;
    };
    revoke("alice");
    revoke("carol");
    // What the real cluster answers bob now: CA_INFO, the download of alice's image (the
    // storage node still serves it; readers refuse it), and the CA's word on alice and carol:
    // both revoked.
    RawClient as_bob(cluster_.client_endpoint(), cluster_.broker_public_key(),
                     load_user(bob).keys.curve);
    auto info = decode_reply<CaInfoReply>(*as_bob.call(encode(CaInfoRequest{}, 1)));
    auto download_frames = as_bob.call(encode(DownloadRequest{"cat"}, 2));
    ASSERT_TRUE(download_frames);
    auto download = decode_reply_message<DownloadReply>(*download_frames);
    // Asked as bob's client asks: from the certificate log's head he has seen.
    const auto seen =
        transparency::decode_tree_head(read_file(bob / "log_head", 1024).value()).value().size;
    auto alice_now =
        decode_reply<GetCertReply>(*as_bob.call(encode(GetCertRequest{"alice", seen}, 3)));
    auto carol_now =
        decode_reply<GetCertReply>(*as_bob.call(encode(GetCertRequest{"carol", seen}, 4)));
    ASSERT_TRUE(info && download && alice_now && carol_now);
    ASSERT_TRUE(decode_standing(alice_now->standing).value().revoked);
    auto ca_signing_key = load_secret_key(cluster_.ca_dir(), "ca_signing", 64);
    ASSERT_TRUE(ca_signing_key) << ca_signing_key.error().message;
    auto broker_keys = load_curve_key_files(cluster_.broker_dir(), "broker");
    ASSERT_TRUE(broker_keys) << broker_keys.error().message;
    cluster_.stop_broker();

    struct Case {
        std::string what;
        GetCertReply alice, carol;
        std::string code;
    };
    const std::vector<Case> cases{
        // The truth, relayed as it is: the liar's other answers are good enough to get there.
        {"relayed unchanged", *alice_now, *carol_now, "REVOKED"},
        {"standing stripped", stripped(*alice_now), stripped(*carol_now), "BAD_SIGNATURE"},
        {"revoked flipped", flipped(*alice_now), flipped(*carol_now), "BAD_SIGNATURE"},
        {"an old statement replayed", stale(*alice_now, *ca_signing_key),
         stale(*carol_now, *ca_signing_key), "STALE"},
    };
    const Bytes first_chunk(download->payload.begin(), download->payload.end());
    for (const auto& lie : cases) {
        SCOPED_TRACE(lie.what);
        LyingBroker liar(cluster_.client_endpoint(), *broker_keys,
                         Lies{*info,
                              {{"alice", lie.alice}, {"carol", lie.carol}},
                              std::pair{download->reply, first_chunk}});
        // A reader of a revoked owner's image: nothing written, no chunk asked for.
        const auto copy = cluster_.dir() / ("copy, " + lie.what);
        auto downloaded = cluster_.imgshare(bob, {"download", "cat", "-o", copy.string()});
        EXPECT_EQ(downloaded.exit_code, 1);
        EXPECT_TRUE(downloaded.err.starts_with("error: " + lie.code + ": ")) << downloaded.err;
        EXPECT_FALSE(fs::exists(copy));
        EXPECT_EQ(liar.chunk_requests(), 0);
        // A sender to a revoked recipient: nothing posted.
        auto posted = cluster_.imgshare(
            bob, {"post", cluster_.small_png("dog.png").string(), "--to", "carol"});
        EXPECT_EQ(posted.exit_code, 1);
        EXPECT_TRUE(posted.err.starts_with("error: " + lie.code + ": recipient carol: "))
            << posted.err;
        EXPECT_TRUE(liar.posts().empty());
        // whois shows the CA's word or nothing.
        auto whois = cluster_.imgshare(bob, {"whois", "carol"});
        if (lie.code == "REVOKED") {
            EXPECT_NE(whois.out.find("state: revoked"), std::string::npos) << whois.out;
        } else {
            EXPECT_TRUE(whois.err.starts_with("error: " + lie.code + ": ")) << whois.err;
        }
    }
}

}  // namespace
}  // namespace imgshare::testing
