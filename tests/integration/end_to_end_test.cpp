// End-to-end mode across the real processes (issue 5): only the recipients
// an owner chose can fetch, decrypt or even hear of an image, offline
// recipients catch up exactly once, and only the owner adds readers.
// The server-cannot-decrypt and tampering tests are in end_to_end_storage_test.cpp.
#include <gtest/gtest.h>

#include <filesystem>

#include "common/crypto/sealed_box.h"
#include "common/envelope.h"
#include "tests/integration/end_to_end_support.h"
#include "tests/integration/support/raw_client.h"
#include "tests/integration/support/subscriber.h"

namespace imgshare::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// The next event `subscriber` hears that is not of a warm-up post; nullopt after 15 s.
std::optional<DecodedEvent> next_after_warmups(Subscriber& subscriber) {
    auto event = subscriber.next(15s);
    while (event && event->event.name.starts_with("warmup"))
        event = subscriber.next(15s);
    return event;
}

class EndToEndTest : public EndToEndUsersTest {
  protected:
    EndToEndTest() : EndToEndUsersTest(300'000, 5) {}

    void SetUp() override {
        EndToEndUsersTest::SetUp();
        escrow_image_ = cluster_.small_png("public.png");
    }

    CommandResult post_escrow(const std::string& name) {
        return cluster_.imgshare(alice_, {"post", escrow_image_.string(), "--name", name});
    }

    // The error reply `user` gets for `request`, as [code, message].
    template <class Request>
    std::pair<std::optional<ErrorCode>, std::string> raw_error(const fs::path& home,
                                                               const Request& request) {
        auto user = load_user(home);
        RawClient client(cluster_.client_endpoint(), cluster_.broker_public_key(), user.keys.curve);
        auto reply = client.call(encode(request, 1), 15s);
        if (!reply || reply->size() < 2) return {std::nullopt, "no reply"};
        auto body = decode_body<ErrorReply>((*reply)[1]);
        return {error_code_of(*reply), body ? body->message : "not an error"};
    }

    fs::path escrow_image_;
};

TEST_F(EndToEndTest, RecipientReadsTheImageAndAnOutsiderIsToldItDoesNotExist) {
    auto posted = post_to("cat", "bob");
    ASSERT_EQ(posted.exit_code, 0) << posted.err;
    EXPECT_NE(posted.out.find("posted cat (seq 1) end-to-end for alice,bob"), std::string::npos)
        << posted.out;

    EXPECT_TRUE(cluster_.download_matches(bob_, "cat", image_));

    // Carol: the very answer a missing name gets, through the CLI and raw requests alike.
    auto target = (cluster_.dir() / "carol-copy.png").string();
    auto hidden = cluster_.imgshare(carol_, {"download", "cat", "-o", target});
    auto missing = cluster_.imgshare(carol_, {"download", "dog", "-o", target});
    EXPECT_TRUE(has_error(hidden, "NOT_FOUND")) << hidden.err;
    EXPECT_EQ(hidden.err.substr(0, hidden.err.find('\n')),
              missing.err.substr(0, missing.err.find('\n')));
    EXPECT_EQ(raw_error(carol_, GetChunkRequest{"cat", 0}),
              raw_error(carol_, GetChunkRequest{"dog", 0}));
    EXPECT_EQ(raw_error(carol_, DownloadRequest{"cat"}).first, ErrorCode::NOT_FOUND);
    EXPECT_EQ(raw_error(carol_, DownloadRequest{"cat"}), raw_error(carol_, DownloadRequest{"dog"}));

    auto carol_list = cluster_.imgshare(carol_, {"list"});
    ASSERT_EQ(carol_list.exit_code, 0) << carol_list.err;
    EXPECT_EQ(carol_list.out, "");
    auto bob_list = cluster_.imgshare(bob_, {"list"});
    ASSERT_EQ(bob_list.exit_code, 0) << bob_list.err;
    EXPECT_NE(bob_list.out.find(" cat alice "), std::string::npos) << bob_list.out;
    EXPECT_NE(bob_list.out.find(" e2e alice,bob\n"), std::string::npos) << bob_list.out;
}

TEST_F(EndToEndTest, OnlyTheRecipientHearsOfTheImageOnAnyTopic) {
    auto carol_keys = load_user(carol_).keys;
    auto bob_keys = load_user(bob_).keys;
    // Carol asks for bob's topic in every spelling, then for escrow images; bob for his own.
    Subscriber carol_sub(cluster_, carol_keys.curve,
                         {"user.bob/", "user.bob", "user.", "user", "", "image"});
    Subscriber bob_sub(cluster_, bob_keys.curve, {"user.bob/", "image"});
    auto bob_watch = cluster_.start_watcher(bob_);
    auto carol_watch = cluster_.start_watcher(carol_);

    // Every topic asked for is decided; an escrow post everybody hears shows that every
    // socket and watcher is listening.
    ASSERT_TRUE(carol_sub.wait_until_decided("carol"));
    ASSERT_TRUE(bob_sub.wait_until_decided("bob"));
    ASSERT_EQ(post_escrow("warmup").exit_code, 0);
    ASSERT_TRUE(carol_sub.next(15s)) << "carol's subscriber never heard an escrow post";
    ASSERT_TRUE(bob_sub.next(15s)) << "bob's subscriber never heard an escrow post";
    ASSERT_TRUE(carol_watch->wait_for_output("NEW_IMAGE warmup", 30s)) << carol_watch->err();
    ASSERT_TRUE(bob_watch->wait_for_output("NEW_IMAGE warmup", 30s)) << bob_watch->err();

    ASSERT_EQ(post_to("cat", "bob").exit_code, 0);
    ASSERT_EQ(post_escrow("after").exit_code, 0);

    // Bob: cat on his own topic, then the escrow post.
    auto event = next_after_warmups(bob_sub);
    ASSERT_TRUE(event) << "bob heard nothing about cat";
    EXPECT_EQ(event->topic, "user.bob/");
    EXPECT_EQ(event->event.name, "cat");
    EXPECT_EQ(event->event.mode, "e2e");
    EXPECT_EQ(event->event.recipients, (std::vector<std::string>{"alice", "bob"}));
    event = bob_sub.next(15s);
    ASSERT_TRUE(event);
    EXPECT_EQ(event->event.name, "after");

    // Carol: one connection, events in order; what follows the warm-up is "after", not cat.
    event = next_after_warmups(carol_sub);
    ASSERT_TRUE(event) << "carol heard nothing at all";
    EXPECT_EQ(event->topic, "image");
    EXPECT_EQ(event->event.name, "after");

    ASSERT_TRUE(bob_watch->wait_for_output("NEW_IMAGE cat alice", 30s)) << bob_watch->err();
    ASSERT_TRUE(carol_watch->wait_for_output("NEW_IMAGE after alice", 30s)) << carol_watch->err();
    EXPECT_EQ(carol_watch->out().find("NEW_IMAGE cat"), std::string::npos) << carol_watch->out();
}

TEST_F(EndToEndTest, OfflineRecipientCatchesUpOnceAndARestartRepeatsNothing) {
    // Bob is offline: nobody listens for him when alice posts.
    ASSERT_EQ(post_to("cat", "bob").exit_code, 0);
    ASSERT_EQ(post_to("private", "carol").exit_code, 0);  // not bob's: a feed entry he skips

    auto inbox = cluster_.dir() / "bob-inbox";
    fs::create_directories(inbox);
    auto first = cluster_.start_watcher(bob_, {"--download", inbox.string()});
    ASSERT_TRUE(first->wait_for_output("downloaded cat from alice", 30s)) << first->err();
    EXPECT_TRUE(files_equal(inbox / "cat.png", image_));
    // Something later, heard live, marks how far the watcher has got.
    ASSERT_EQ(post_to("second", "bob").exit_code, 0);
    ASSERT_TRUE(first->wait_for_output("downloaded second from alice", 30s)) << first->err();
    EXPECT_EQ(count_lines_with(first->out(), "NEW_IMAGE cat alice"), 1u) << first->out();
    EXPECT_EQ(count_lines_with(first->out(), "NEW_IMAGE second alice"), 1u) << first->out();
    EXPECT_EQ(first->out().find("private"), std::string::npos) << first->out();
    first->stop();

    auto second = cluster_.start_watcher(bob_, {"--download", inbox.string()});
    ASSERT_EQ(post_to("third", "bob").exit_code, 0);
    ASSERT_TRUE(second->wait_for_output("NEW_IMAGE third alice", 30s)) << second->err();
    EXPECT_EQ(second->out().find("NEW_IMAGE cat"), std::string::npos) << second->out();
    EXPECT_EQ(second->out().find("NEW_IMAGE second"), std::string::npos) << second->out();
}

TEST_F(EndToEndTest, OwnerSharesWithDaveWhoIsNotifiedAndReadsTheSameBytes) {
    auto dave = cluster_.new_user("dave");
    ASSERT_EQ(post_to("cat", "bob").exit_code, 0);
    auto inbox = cluster_.dir() / "dave-inbox";
    fs::create_directories(inbox);
    auto dave_watch = cluster_.start_watcher(dave, {"--download", inbox.string()});
    auto bob_watch = cluster_.start_watcher(bob_);
    // Both are listening once they report an escrow post.
    ASSERT_EQ(post_escrow("warmup").exit_code, 0);
    ASSERT_TRUE(dave_watch->wait_for_output("downloaded warmup", 30s)) << dave_watch->err();
    ASSERT_TRUE(bob_watch->wait_for_output("NEW_IMAGE warmup", 30s)) << bob_watch->err();
    EXPECT_EQ(dave_watch->out().find("NEW_IMAGE cat"), std::string::npos);

    auto shared = cluster_.imgshare(alice_, {"share", "cat", "--with", "dave"});
    ASSERT_EQ(shared.exit_code, 0) << shared.err;
    EXPECT_NE(shared.out.find("shared cat with dave (readers alice,bob,dave;"), std::string::npos)
        << shared.out;

    ASSERT_TRUE(dave_watch->wait_for_output("downloaded cat from alice", 30s))
        << dave_watch->out() << dave_watch->err();
    EXPECT_TRUE(files_equal(inbox / "cat.png", image_));
    EXPECT_TRUE(cluster_.download_matches(dave, "cat", image_));

    // Bob, a reader already, is not told again; carol still cannot read it.
    ASSERT_EQ(post_escrow("later").exit_code, 0);
    ASSERT_TRUE(bob_watch->wait_for_output("NEW_IMAGE later", 30s)) << bob_watch->err();
    EXPECT_EQ(count_lines_with(bob_watch->out(), "NEW_IMAGE cat"), 1u) << bob_watch->out();
    EXPECT_TRUE(has_error(cluster_.imgshare(carol_, {"download", "cat"}), "NOT_FOUND"));
    auto listed = cluster_.imgshare(alice_, {"list"});
    EXPECT_NE(listed.out.find(" e2e alice,bob,dave\n"), std::string::npos) << listed.out;
}

TEST_F(EndToEndTest, OnlyTheOwnerMayShare) {
    ASSERT_EQ(post_to("cat", "bob").exit_code, 0);
    auto by_bob = cluster_.imgshare(bob_, {"share", "cat", "--with", "carol"});
    EXPECT_TRUE(has_error(by_bob, "FORBIDDEN")) << by_bob.err;

    // The storage node refuses it too, for a request bob builds and signs himself.
    auto bob = load_user(bob_);
    auto carol = load_user(carol_);
    RawClient bob_client(cluster_.client_endpoint(), cluster_.broker_public_key(), bob.keys.curve);
    auto reply = bob_client.call(encode(DownloadRequest{"cat"}, 1), 15s);
    ASSERT_TRUE(reply);
    auto record = decode_reply<DownloadReply>(*reply);
    ASSERT_TRUE(record) << record.error().message;
    auto key = unseal(record->wrapped_key, bob.keys.box);
    ASSERT_TRUE(key);
    auto envelope = decode_envelope(record->envelope).value();
    envelope.recipients = {"alice", "bob", "carol"};
    ShareRequest forged{
        "cat", encode_envelope(envelope), {}, {}, encode_certificate(bob.certificate)};
    forged.signature = sign_envelope(forged.envelope, bob.keys.sign.secret_key);
    forged.grants = {Grant{"carol", seal(key->view(), carol.certificate.box_pk)}};
    EXPECT_EQ(raw_error(bob_, forged).first, ErrorCode::FORBIDDEN);
    // Carol, who may not see it, learns no more than for a missing name.
    auto hidden = raw_error(carol_, forged);
    forged.name = "dog";
    EXPECT_EQ(hidden.first, ErrorCode::NOT_FOUND);
    EXPECT_EQ(hidden, raw_error(carol_, forged));
    EXPECT_TRUE(has_error(cluster_.imgshare(carol_, {"download", "cat"}), "NOT_FOUND"));
}

TEST_F(EndToEndTest, UnknownRecipientStopsThePostBeforeAnyUpload) {
    auto refused = post_to("cat", "bob,nobody");
    EXPECT_TRUE(has_error(refused, "NOT_FOUND")) << refused.err;
    EXPECT_EQ(cluster_.imgshare(alice_, {"list"}).out, "");
    // Nothing was begun either: the same name posts at once.
    auto posted = post_to("cat", "bob");
    ASSERT_EQ(posted.exit_code, 0) << posted.err;
    EXPECT_NE(posted.out.find("posted cat (seq 1)"), std::string::npos) << posted.out;
}

TEST_F(EndToEndTest, ARevokedRecipientStopsAPostAndAShareBeforeAnythingIsSealedToThem) {
    ASSERT_EQ(post_to("cat", "bob").exit_code, 0);
    auto revoked = run_command({executable("imgshare-ca").string(), "revoke", "carol", "--data-dir",
                                cluster_.ca_dir().string()});
    ASSERT_EQ(revoked.exit_code, 0) << revoked.err;

    auto post = post_to("dog", "bob,carol");
    EXPECT_TRUE(has_error(post, "REVOKED")) << post.err;
    auto share = cluster_.imgshare(alice_, {"share", "cat", "--with", "carol"});
    EXPECT_TRUE(has_error(share, "REVOKED")) << share.err;
    // Neither reached the storage node: only cat exists, still for alice and bob alone.
    auto listed = cluster_.imgshare(alice_, {"list"});
    ASSERT_EQ(listed.exit_code, 0) << listed.err;
    EXPECT_NE(listed.out.find("cat"), std::string::npos) << listed.out;
    EXPECT_EQ(listed.out.find("dog"), std::string::npos) << listed.out;
    EXPECT_EQ(listed.out.find("carol"), std::string::npos) << listed.out;
}

}  // namespace
}  // namespace imgshare::testing
