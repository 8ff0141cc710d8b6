// Revocation, expiry, renewal and the per-user rate limit across the real
// processes: what a revoked or expired user can still do (nothing), what
// others see of them, and that one user's flood does not starve another.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/certificate.h"
#include "common/clock.h"
#include "common/keystore.h"
#include "tests/integration/support/cluster_fixture.h"
#include "tests/integration/support/raw_client.h"
#include "tests/integration/support/signed_requests.h"
#include "tests/integration/support/subscriber.h"
#include "tests/integration/support/wait.h"

namespace imgshare::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

bool starts_with(const std::string& text, const std::string& prefix) {
    return text.rfind(prefix, 0) == 0;
}

bool is_empty_directory(const fs::path& dir) {
    return fs::is_empty(dir);
}

CommandResult ca_command(const std::vector<std::string>& args) {
    std::vector<std::string> argv{executable("imgshare-ca")};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv);
}

// A connection that speaks as the user of `home`, with their own keys.
RawClient connection_of(Cluster& cluster, const fs::path& home) {
    return RawClient(cluster.client_endpoint(), cluster.broker_public_key(),
                     load_user(home).keys.curve);
}

// Sends LIST on `connection` (ids 2, 3, ...: it sent id 1 already) every 100 ms until the
// broker answers REVOKED, for up to 10 s.
::testing::AssertionResult refused_as_revoked(RawClient& connection) {
    std::uint64_t id = 2;
    return wait_until(
        [&] {
            auto reply = connection.call(encode(ListRequest{}, id++));
            return reply && error_code_of(*reply) == ErrorCode::REVOKED;
        },
        10s, "the broker to refuse the connection as REVOKED", 100ms);
}

std::int64_t not_after_of(const fs::path& home) {
    return Keystore(home).load_certificate().value().not_after;
}

// Certificates end by the clock, so these tests wait for the wall clock itself.
::testing::AssertionResult wait_until_past(std::int64_t unix_seconds) {
    auto seconds_left = std::max<std::int64_t>(0, unix_seconds - SystemClock().now_seconds());
    return wait_until([&] { return SystemClock().now_seconds() > unix_seconds; },
                      std::chrono::seconds(seconds_left + 5),
                      "the wall clock past " + std::to_string(unix_seconds), 100ms);
}

class RevocationTest : public ClusterTest {};

TEST_F(RevocationTest, ARevokedUserIsRefusedEverywhereAtOnce) {
    auto alice = cluster_.new_user("alice");
    auto bob = cluster_.new_user("bob");
    auto image = cluster_.small_png("cat.png");
    ASSERT_EQ(cluster_.imgshare(alice, {"post", image.string()}).exit_code, 0);
    // A connection alice opened before the revocation, already authenticated.
    auto open = connection_of(cluster_, alice);
    auto before = open.call(encode(ListRequest{}, 1));
    ASSERT_TRUE(before.has_value());
    ASSERT_FALSE(error_code_of(*before).has_value());

    auto revoked = ca_command({"revoke", "alice", "--data-dir", cluster_.ca_dir()});
    ASSERT_EQ(revoked.exit_code, 0) << revoked.err;
    EXPECT_TRUE(starts_with(revoked.out, "revoked alice at ")) << revoked.out;

    // The open connection: the broker was told, not after its 30 s cache.
    EXPECT_TRUE(refused_as_revoked(open));
    // A new connection: ZAP refuses the key; the client says why within seconds.
    auto listed = cluster_.imgshare(alice, {"list"}, 20s);
    EXPECT_EQ(listed.exit_code, 1);
    EXPECT_EQ(listed.err,
              "error: REVOKED: the broker refused this key; the certificate was revoked\n");
    auto renew = cluster_.imgshare(alice, {"renew"}, 20s);
    EXPECT_TRUE(starts_with(renew.err, "error: REVOKED: ")) << renew.err;

    // Others see it, and refuse her images.
    auto whois = cluster_.imgshare(bob, {"whois", "alice"});
    ASSERT_EQ(whois.exit_code, 0) << whois.err;
    EXPECT_NE(whois.out.find("state: revoked"), std::string::npos) << whois.out;
    auto inbox = cluster_.dir() / "bob-inbox";
    fs::create_directories(inbox);
    auto download = cluster_.imgshare(bob, {"download", "cat", "-o", inbox.string()});
    EXPECT_EQ(download.exit_code, 1);
    EXPECT_TRUE(starts_with(download.err, "error: REVOKED: ")) << download.err;
    EXPECT_TRUE(is_empty_directory(inbox));
    // Bob himself is untouched.
    EXPECT_EQ(cluster_.imgshare(bob, {"list"}).exit_code, 0);

    auto again = ca_command({"revoke", "alice", "--data-dir", cluster_.ca_dir()});
    EXPECT_EQ(again.exit_code, 0) << again.err;
    EXPECT_NE(again.out.find("already revoked"), std::string::npos) << again.out;
    auto nobody = ca_command({"revoke", "nobody", "--data-dir", cluster_.ca_dir()});
    EXPECT_EQ(nobody.exit_code, 1);
    EXPECT_TRUE(starts_with(nobody.err, "error: NOT_FOUND: ")) << nobody.err;
}

TEST_F(RevocationTest, ARevocationMadeWhileTheCaIsDownReachesTheBrokerWhenItStarts) {
    auto alice = cluster_.new_user("alice");
    auto open = connection_of(cluster_, alice);
    auto before = open.call(encode(ListRequest{}, 1));
    ASSERT_TRUE(before.has_value());
    ASSERT_FALSE(error_code_of(*before).has_value());

    cluster_.stop_ca();
    auto revoked = ca_command({"revoke", "alice", "--data-dir", cluster_.ca_dir()});
    ASSERT_EQ(revoked.exit_code, 0) << revoked.err;
    EXPECT_NE(revoked.out.find("no CA is running"), std::string::npos) << revoked.out;
    ASSERT_TRUE(cluster_.start_ca());

    EXPECT_TRUE(refused_as_revoked(open));
}

TEST_F(RevocationTest, ARevokedUsersOpenSubscriptionHearsNothingMoreWhileOthersDo) {
    auto alice = cluster_.new_user("alice");
    auto bob = cluster_.new_user("bob");
    Subscriber alice_sub(cluster_, load_user(alice).keys.curve, {"image"});
    Subscriber bob_sub(cluster_, load_user(bob).keys.curve, {"image"});
    auto bob_watch = cluster_.start_watcher(bob);
    auto image = cluster_.small_png("cat.png");
    auto post = [&](const std::string& name) {
        return cluster_.imgshare(bob, {"post", image.string(), "--name", name}).exit_code;
    };
    // Both subscriptions are live: each hears an escrow post.
    ASSERT_TRUE(alice_sub.wait_until_decided("alice"));
    ASSERT_TRUE(bob_sub.wait_until_decided("bob"));
    ASSERT_EQ(post("warmup"), 0);
    ASSERT_TRUE(alice_sub.next(15s)) << "alice's subscriber never heard a post";
    ASSERT_TRUE(bob_sub.next(15s)) << "bob's subscriber never heard a post";

    auto open = connection_of(cluster_, alice);
    ASSERT_TRUE(open.call(encode(ListRequest{}, 1)).has_value());
    auto revoked = ca_command({"revoke", "alice", "--data-dir", cluster_.ca_dir()});
    ASSERT_EQ(revoked.exit_code, 0) << revoked.err;
    // Once the broker refuses her requests, it has closed her subscription too.
    ASSERT_TRUE(refused_as_revoked(open));
    // Bob's subscriber reconnects by itself; keep posting until it hears again.
    bool bob_heard_after = false;
    for (int attempt = 0; attempt < 10 && !bob_heard_after; ++attempt) {
        ASSERT_EQ(post("after" + std::to_string(attempt)), 0);
        for (auto event = bob_sub.next(3s); event; event = bob_sub.next(1s)) {
            if (event->event.name.starts_with("after")) bob_heard_after = true;
        }
    }
    EXPECT_TRUE(bob_heard_after) << "bob's subscription did not come back";
    // Alice's socket, admitted before the revocation, hears nothing posted after it.
    for (auto event = alice_sub.next(3s); event; event = alice_sub.next(3s)) {
        EXPECT_TRUE(event->event.name.starts_with("warmup")) << event->event.name;
    }
    // Bob's watcher caught up with what was published while it reconnected.
    EXPECT_TRUE(bob_watch->wait_for_output("NEW_IMAGE after0 bob", 30s)) << bob_watch->err();
}

class ExpiryTest : public ::testing::Test {
  protected:
    // Certificates live 20 s: long enough to act before expiry on a loaded machine.
    Cluster cluster_{ClusterOptions{true, {}, {}, {"--validity", "20s"}}};
};

TEST_F(ExpiryTest, AnExpiredUserIsRefusedAndARenewedOneIsNot) {
    auto carol = cluster_.new_user("carol");
    auto image = cluster_.small_png("cat.png");
    Subscriber carol_sub(cluster_, load_user(carol).keys.curve, {"image"});
    ASSERT_TRUE(carol_sub.wait_until_decided("carol"));
    ASSERT_EQ(cluster_.imgshare(carol, {"post", image.string()}).exit_code, 0);
    auto heard = carol_sub.next(10s);
    ASSERT_TRUE(heard) << "carol's subscription never worked";
    EXPECT_EQ(heard->event.name, "cat");
    auto carol_open = connection_of(cluster_, carol);
    auto before = carol_open.call(encode(ListRequest{}, 1));
    ASSERT_TRUE(before.has_value());
    ASSERT_FALSE(error_code_of(*before).has_value());
    auto dave = cluster_.new_user("dave");

    // Dave renews some 8 s into his certificate's 20.
    const auto dave_first_end = not_after_of(dave);
    ASSERT_TRUE(wait_until_past(dave_first_end - 12));
    auto renewed = cluster_.imgshare(dave, {"renew"});
    ASSERT_EQ(renewed.exit_code, 0) << renewed.err;
    EXPECT_TRUE(starts_with(renewed.out, "renewed dave (serial ")) << renewed.out;
    EXPECT_GT(not_after_of(dave), dave_first_end);

    // Carol did not renew: her client says so.
    ASSERT_TRUE(wait_until_past(not_after_of(carol)));
    auto listed = cluster_.imgshare(carol, {"list"});
    EXPECT_EQ(listed.exit_code, 1);
    EXPECT_TRUE(starts_with(listed.err, "error: EXPIRED: ")) << listed.err;

    // Dave's first certificate has ended too, but his renewed one carries on.
    ASSERT_TRUE(wait_until_past(dave_first_end));
    auto dave_listed = cluster_.imgshare(dave, {"list"});
    EXPECT_EQ(dave_listed.exit_code, 0) << dave_listed.err;

    // The broker refuses carol too: on the connection she had open, and a new one never
    // completes its handshake.
    auto refused = carol_open.call(encode(ListRequest{}, 2));
    ASSERT_TRUE(refused.has_value());
    EXPECT_EQ(error_code_of(*refused), ErrorCode::EXPIRED);
    auto fresh = connection_of(cluster_, carol);
    EXPECT_FALSE(fresh.call(encode(ListRequest{}, 3), 3s).has_value());
    // Others see it, and her images are not trusted any more.
    auto bob = cluster_.new_user("bob");
    auto whois = cluster_.imgshare(bob, {"whois", "carol"});
    EXPECT_NE(whois.out.find("state: expired"), std::string::npos) << whois.out << whois.err;
    auto inbox = cluster_.dir() / "bob-inbox";
    fs::create_directories(inbox);
    auto download = cluster_.imgshare(bob, {"download", "cat", "-o", inbox.string()});
    EXPECT_TRUE(starts_with(download.err, "error: EXPIRED: ")) << download.err;
    EXPECT_TRUE(is_empty_directory(inbox));
    // Her event subscription, admitted before she expired, hears nothing posted after.
    auto late = cluster_.imgshare(bob, {"post", image.string(), "--name", "late"});
    ASSERT_EQ(late.exit_code, 0) << late.err;
    for (auto event = carol_sub.next(3s); event; event = carol_sub.next(3s))
        EXPECT_NE(event->event.name, "late");
}

TEST_F(ExpiryTest, ARenewedOwnerSharesAnImagePostedBeforeHerFirstCertificateEnded) {
    auto alice = cluster_.new_user("alice");
    auto bob = cluster_.new_user("bob");
    auto image = cluster_.small_png("cat.png");
    auto posted = cluster_.imgshare(alice, {"post", image.string(), "--to", "bob"});
    ASSERT_EQ(posted.exit_code, 0) << posted.err;

    // Alice renews some 12 s into her certificate's 20 (an expired one cannot be renewed),
    // and the reader she will add registers then, so that both last well past her first
    // certificate's end.
    const auto alice_first_end = not_after_of(alice);
    ASSERT_TRUE(wait_until_past(alice_first_end - 8));
    auto renewed = cluster_.imgshare(alice, {"renew"});
    ASSERT_EQ(renewed.exit_code, 0) << renewed.err;
    ASSERT_LT(SystemClock().now_seconds(), alice_first_end) << "renewed too late to show this";
    auto carol = cluster_.new_user("carol");

    // The certificate the image was posted with (and its envelope names) has ended: her
    // renewal vouches for its key, to her own client and to the storage node.
    ASSERT_TRUE(wait_until_past(alice_first_end));
    auto shared = cluster_.imgshare(alice, {"share", "cat", "--with", "carol"});
    ASSERT_EQ(shared.exit_code, 0) << shared.err;
    EXPECT_TRUE(starts_with(shared.out, "shared cat with carol (readers alice,bob,carol; "))
        << shared.out;
    // The new reader opens it: the envelope still names the first certificate.
    EXPECT_TRUE(cluster_.download_matches(carol, "cat", image));
}

// Whether the CA's protocol log (its default file in `ca_dir`) has a line holding every one of
// `parts`, waiting up to 10 s: the running CA writes its log out between bursts.
::testing::AssertionResult ca_logged(const fs::path& ca_dir, const std::vector<std::string>& parts) {
    return wait_until(
        [&] {
            std::ifstream log(ca_dir / "protocol.log");
            for (std::string line; std::getline(log, line);) {
                bool all = true;
                for (const auto& part : parts)
                    all = all && line.find(part) != std::string::npos;
                if (all) return true;
            }
            return false;
        },
        10s, "the CA's protocol log to record the reissue", 100ms);
}

TEST_F(ExpiryTest, AnOperatorReissuesAnExpiredCertificateAndTheUserCarriesOn) {
    auto carol = cluster_.new_user("carol");
    auto image = cluster_.small_png("cat.png");
    // The broker looks her key up for this post and trusts the answer for 30 s.
    const auto cached_until = SystemClock().now_seconds() + 30;
    ASSERT_EQ(cluster_.imgshare(carol, {"post", image.string()}).exit_code, 0);

    ASSERT_TRUE(wait_until_past(not_after_of(carol)));
    auto listed = cluster_.imgshare(carol, {"list"});
    EXPECT_EQ(listed.exit_code, 1);
    EXPECT_TRUE(starts_with(listed.err, "error: EXPIRED: ")) << listed.err;
    EXPECT_NE(listed.err.find("imgshare-ca reissue carol"), std::string::npos) << listed.err;
    auto nobody = ca_command({"reissue", "nobody", "--data-dir", cluster_.ca_dir()});
    EXPECT_EQ(nobody.exit_code, 1);
    EXPECT_TRUE(starts_with(nobody.err, "error: NOT_FOUND: ")) << nobody.err;

    // The operator reissues through the running CA; carol picks the certificate up at once,
    // not once the broker's cache of her old end has run out.
    auto reissued =
        ca_command({"reissue", "carol", "--data-dir", cluster_.ca_dir(), "--validity", "1h"});
    ASSERT_EQ(reissued.exit_code, 0) << reissued.err;
    EXPECT_TRUE(starts_with(reissued.out, "reissued carol: certificate #")) << reissued.out;
    auto renewed = cluster_.imgshare(carol, {"renew"});
    ASSERT_EQ(renewed.exit_code, 0) << renewed.err;
    EXPECT_TRUE(starts_with(renewed.out, "renewed carol (serial ")) << renewed.out;
    EXPECT_NE(renewed.out.find("; reissued by the CA's operator)"), std::string::npos)
        << renewed.out;
    ASSERT_LT(SystemClock().now_seconds(), cached_until) << "too slow to show the cache";
    EXPECT_GT(not_after_of(carol), SystemClock().now_seconds() + 3000);

    // She carries on: posts, and downloads what she posted before and after.
    auto dog = cluster_.small_png("dog.png");
    auto posted = cluster_.imgshare(carol, {"post", dog.string(), "--name", "dog"});
    ASSERT_EQ(posted.exit_code, 0) << posted.err;
    EXPECT_TRUE(cluster_.download_matches(carol, "cat", image));
    EXPECT_TRUE(cluster_.download_matches(carol, "dog", dog));

    // In the CA's protocol log; and a certificate still valid is the user's to renew.
    EXPECT_TRUE(ca_logged(cluster_.ca_dir(), {"\"peer\":\"admin\"", "\"type\":\"REISSUE\"",
                                              "\"username\":\"carol\""}));
    auto again = ca_command({"reissue", "carol", "--data-dir", cluster_.ca_dir()});
    EXPECT_EQ(again.exit_code, 1);
    EXPECT_EQ(again.err, "error: BAD_REQUEST: certificate of carol is still valid; the user runs "
                         "`imgshare renew`\n");
}

class RateLimitTest : public ::testing::Test {
  protected:
    Cluster cluster_{ClusterOptions{true, {}, {"--rate-limit", "20/s", "--rate-burst", "20"}, {}}};
};

// Sends `count` requests at once on `client`, then reads every reply: none may be missing.
struct FloodResult {
    int ok = 0;
    int rate_limited = 0;
    int other = 0;
    bool every_refusal_has_a_hint = true;
};

FloodResult flood(RawClient& client, int count) {
    for (int i = 0; i < count; ++i)
        client.send(encode(ListRequest{}, static_cast<std::uint64_t>(i + 1)));
    FloodResult result;
    for (int i = 0; i < count; ++i) {
        auto reply = client.receive(20s);
        if (!reply) break;
        auto code = error_code_of(*reply);
        if (!code) {
            ++result.ok;
        } else if (*code == ErrorCode::RATE_LIMITED) {
            ++result.rate_limited;
            auto body = decode_body<ErrorReply>((*reply)[1]);
            result.every_refusal_has_a_hint =
                result.every_refusal_has_a_hint && body && body->retry_after_ms.value_or(0) > 0;
        } else {
            ++result.other;
        }
    }
    return result;
}

TEST_F(RateLimitTest, AFloodIsRefusedWithAHintWhileAnotherUserIsServed) {
    auto mallory = cluster_.new_user("mallory");
    auto bob = cluster_.new_user("bob");
    auto flooder = connection_of(cluster_, mallory);
    auto result = flood(flooder, 200);
    // Every request is answered: refused ones with RATE_LIMITED, never dropped.
    EXPECT_EQ(result.ok + result.rate_limited, 200) << result.other << " other errors";
    EXPECT_GE(result.ok, 20);
    EXPECT_GT(result.rate_limited, 100);
    EXPECT_TRUE(result.every_refusal_has_a_hint);
    // Bob, right after, is served (his own bucket); the client also waits out a hint.
    auto listed = cluster_.imgshare(bob, {"list"});
    EXPECT_EQ(listed.exit_code, 0) << listed.err;

    // Unregistered peers are limited per connection key.
    RawClient stranger(cluster_.client_endpoint(), cluster_.broker_public_key());
    for (int i = 0; i < 60; ++i)
        stranger.send(encode(CaInfoRequest{}, static_cast<std::uint64_t>(i + 1)));
    int limited = 0;
    for (int i = 0; i < 60; ++i) {
        auto reply = stranger.receive(20s);
        ASSERT_TRUE(reply.has_value());
        limited += error_code_of(*reply) == ErrorCode::RATE_LIMITED ? 1 : 0;
    }
    EXPECT_GT(limited, 0);
    RawClient other(cluster_.client_endpoint(), cluster_.broker_public_key());
    auto info = other.call(encode(CaInfoRequest{}, 1));
    ASSERT_TRUE(info.has_value());
    EXPECT_FALSE(error_code_of(*info).has_value());
}

TEST_F(RateLimitTest, ANormalPostIsNeverRefusedByTheLimit) {
    // 4 MiB in 256 KiB chunks, posted then downloaded: some 40 requests within a second or
    // two, twice the burst. The client waits out the hints instead of failing.
    auto alice = cluster_.new_user("alice");
    auto image = cluster_.dir() / "big.png";
    write_large_image(image, 4 << 20);
    auto posted = cluster_.imgshare(alice, {"post", image.string()});
    ASSERT_EQ(posted.exit_code, 0) << posted.err;
    EXPECT_TRUE(cluster_.download_matches(alice, "big", image));
}

}  // namespace
}  // namespace imgshare::testing
