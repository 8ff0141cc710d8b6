// SHARE: the owner of an e2e image adds recipients or takes them back; nobody
// else can, nothing but the recipient list can change, every share signs the next
// revision (so an older list cannot be replayed), and each reader meets the image
// once in the feed.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <optional>

#include "common/crypto/sealed_box.h"
#include "common/crypto/thumbnail_box.h"
#include "storage-node/share_validation.h"
#include "tests/storage-node/storage_test_support.h"

namespace imgshare::storage::testing {
namespace {

class SharingTest : public StorageTest {
  protected:
    void SetUp() override {
        StorageTest::SetUp();
        secret_ = image(alice_, shared_with("secret", {&bob_}));
        post(alice_, secret_);
        stored_ = secret_.envelope;
        current_ = alice_.encoded_certificate;
    }

    // SHARE of the stored envelope adding `added`, signed by `signer` (default: the owner),
    // after `change` had its way with the envelope, carrying `current_` as the owner's
    // current certificate.
    ShareRequest grown(std::vector<const TestUser*> added, const TestUser* signer = nullptr,
                       const std::function<void(Envelope&)>& change = {},
                       std::vector<const TestUser*> removed = {}) {
        Envelope envelope = stored_;
        ShareRequest request;
        request.name = envelope.name;
        for (const auto* reader : added) {
            envelope.recipients.push_back(reader->name);
            request.grants.push_back(
                Grant{reader->name, seal(secret_.content_key.view(), reader->box.public_key)});
        }
        for (const auto* reader : removed)
            std::erase(envelope.recipients, reader->name);
        std::sort(envelope.recipients.begin(), envelope.recipients.end());
        ++envelope.revision;
        if (change) change(envelope);
        envelope.v = envelope_version_for(envelope);
        request.envelope = encode_envelope(envelope);
        request.signature =
            sign_envelope(request.envelope, (signer ? signer : &alice_)->sign.secret_key);
        request.certificate = current_;
        return request;
    }

    std::vector<std::pair<std::string, std::uint64_t>> listed(const std::string& user,
                                                              std::uint64_t after = 0) {
        auto page = service().list(ListRequest{after, 100}, as_user(user));
        EXPECT_TRUE(page.has_value()) << describe(page.error());
        std::vector<std::pair<std::string, std::uint64_t>> items;
        if (page) {
            for (const auto& item : page->items)
                items.emplace_back(item.name, item.seq);
        }
        return items;
    }

    using Listed = std::vector<std::pair<std::string, std::uint64_t>>;

    // SHARE taking `removed` back, signed by the owner.
    ShareRequest revoked(std::vector<const TestUser*> removed) {
        return grown({}, nullptr, {}, std::move(removed));
    }
    // Shares `request` as alice, which must succeed, and makes its envelope the stored one.
    ShareReply shared(const ShareRequest& request) {
        auto reply = service().share(request, as_user("alice"));
        EXPECT_TRUE(reply.has_value()) << describe(reply.error());
        stored_ = decode_envelope(request.envelope).value();
        return reply.value_or(ShareReply{});
    }

    // A second node over the same store (RADOS: one RocksDB store has one node), with its
    // own feed head and record cache, that has cached `secret` as bob read it; then a post
    // here, so that this node's next notify waits its spacing (rados_feed_notifier.h): a
    // share made next cannot reach the other node's head before a test asks it.
    struct OtherNode {
        OpenedBackend store;
        std::optional<StorageService> service;
    };
    std::unique_ptr<OtherNode> other_node_that_cached_the_secret() {
        auto other = std::make_unique<OtherNode>();
        other->store = backend_under_test_.open(dir_.path());
        if (!other->store.backend) return nullptr;
        auto service = StorageService::open(*other->store.backend, clock_, config_);
        EXPECT_TRUE(service.has_value()) << describe(service.error());
        if (!service) return nullptr;
        other->service.emplace(std::move(*service));
        auto cached = other->service->download(DownloadRequest{"secret"}, as_user("bob"));
        EXPECT_TRUE(cached.has_value()) << describe(cached.error());
        post(alice_, image(alice_, named("first")));
        return other;
    }

    TestUser alice_ = user("alice");
    TestUser bob_ = user("bob");
    TestUser carol_ = user("carol");
    TestUser dave_ = user("dave");
    TestImage secret_;
    Envelope stored_;  // the envelope storage holds now
    Bytes current_;    // the certificate SHARE sends as the owner's current one
};

TEST_P(SharingTest, OwnerAddsAReaderWhoGetsTheirOwnGrantAndTheNewEnvelope) {
    auto request = grown({&carol_});
    auto shared = service().share(request, as_user("alice"));
    ASSERT_TRUE(shared.has_value()) << describe(shared.error());
    EXPECT_EQ(*shared, (ShareReply{{"alice", "bob", "carol"},
                                   {"carol"},
                                   "secret",
                                   "alice",
                                   2,
                                   secret_.envelope.padded_size,
                                   secret_.envelope.created_at,
                                   std::string(kEndToEndMode)}));

    auto download = service().download(DownloadRequest{"secret"}, as_user("carol"));
    ASSERT_TRUE(download.has_value()) << describe(download.error());
    EXPECT_EQ(download->envelope, request.envelope);
    EXPECT_EQ(download->signature, request.signature);
    auto key = unseal(download->wrapped_key, carol_.box);
    ASSERT_TRUE(key.has_value());
    EXPECT_TRUE(key->equals(secret_.content_key));
    // Bob keeps his own grant, and now reads the grown envelope too.
    auto bobs = service().download(DownloadRequest{"secret"}, as_user("bob"));
    ASSERT_TRUE(bobs.has_value());
    EXPECT_TRUE(unseal(bobs->wrapped_key, bob_.box).has_value());
    EXPECT_EQ(bobs->envelope, request.envelope);
    EXPECT_TRUE(service().get_chunk(GetChunkRequest{"secret", 0}, as_user("carol")).has_value());
    // Dave is still no reader: exactly like a missing name.
    auto hidden = service().download(DownloadRequest{"secret"}, as_user("dave"));
    expect_error(hidden, ErrorCode::NOT_FOUND);
    EXPECT_EQ(hidden.error(),
              service().download(DownloadRequest{"missing"}, as_user("dave")).error());
}

TEST_P(SharingTest, EachReaderMeetsTheImageOnceInTheFeed) {
    ASSERT_TRUE(service().share(grown({&carol_}), as_user("alice")));
    post(alice_, image(alice_, named("public")));
    // The post's entry for the first readers, the share's entry for the reader it added.
    EXPECT_EQ(listed("alice"), (Listed{{"secret", 1}, {"public", 3}}));
    EXPECT_EQ(listed("bob"), (Listed{{"secret", 1}, {"public", 3}}));
    EXPECT_EQ(listed("carol"), (Listed{{"secret", 2}, {"public", 3}}));
    EXPECT_EQ(listed("carol", 1), (Listed{{"secret", 2}, {"public", 3}}));
    EXPECT_EQ(listed("bob", 1), (Listed{{"public", 3}}));
    EXPECT_EQ(listed("dave"), (Listed{{"public", 3}}));
    auto page = service().list(ListRequest{1, 100}, as_user("carol")).value();
    ASSERT_TRUE(page.items[0].recipients.has_value());
    EXPECT_EQ(*page.items[0].recipients, (std::vector<std::string>{"alice", "bob", "carol"}));
    EXPECT_FALSE(page.items[1].recipients.has_value());  // escrow: everyone may read it
}

TEST_P(SharingTest, SecondShareKeepsEarlierReadersAndSurvivesAReopen) {
    auto first = grown({&carol_});
    ASSERT_TRUE(service().share(first, as_user("alice")));
    stored_ = decode_envelope(first.envelope).value();
    auto second = service().share(grown({&dave_}), as_user("alice"));
    ASSERT_TRUE(second.has_value()) << describe(second.error());
    EXPECT_EQ(second->recipients, (std::vector<std::string>{"alice", "bob", "carol", "dave"}));
    EXPECT_EQ(second->added, std::vector<std::string>{"dave"});
    EXPECT_EQ(second->seq, 3u);
    reopen();
    EXPECT_EQ(listed("dave"), (Listed{{"secret", 3}}));
    EXPECT_EQ(listed("carol"), (Listed{{"secret", 2}}));
    for (const auto* reader : {&bob_, &carol_, &dave_}) {
        auto download = service().download(DownloadRequest{"secret"}, as_user(reader->name));
        ASSERT_TRUE(download.has_value()) << reader->name;
        EXPECT_TRUE(unseal(download->wrapped_key, reader->box).has_value()) << reader->name;
    }
    EXPECT_EQ(post(alice_, image(alice_, named("next"))).seq, 4u);
}

TEST_P(SharingTest, RepeatedShareAnswersAsBeforeAndChangesNothing) {
    auto request = grown({&carol_});
    auto first = service().share(request, as_user("alice"));
    ASSERT_TRUE(first.has_value());
    auto again = service().share(request, as_user("alice"));
    ASSERT_TRUE(again.has_value()) << describe(again.error());
    EXPECT_EQ(*again, *first);
    EXPECT_EQ(probe().feed_entries(), 2u);
    EXPECT_EQ(listed("carol"), (Listed{{"secret", 2}}));
    // Bob replaying alice's request is still not the owner.
    expect_error(service().share(request, as_user("bob")), ErrorCode::FORBIDDEN);
}

TEST_P(SharingTest, OnlyTheOwnerMayShareAndOutsidersLearnNothing) {
    // Bob reads the image but does not own it, whoever signed the request.
    expect_error(service().share(grown({&carol_}), as_user("bob")), ErrorCode::FORBIDDEN);
    expect_error(service().share(grown({&carol_}, &bob_), as_user("bob")), ErrorCode::FORBIDDEN);
    // Carol may not even see it: the same answer as for a name that does not exist.
    auto hidden = service().share(grown({&carol_}), as_user("carol"));
    auto request = grown({&carol_});
    request.name = "missing";
    auto missing = service().share(request, as_user("carol"));
    expect_error(hidden, ErrorCode::NOT_FOUND);
    expect_error(missing, ErrorCode::NOT_FOUND);
    EXPECT_EQ(hidden.error(), missing.error());
    for (const auto& peer : not_users()) {
        expect_error(service().share(grown({&carol_}), service::RequestContext{peer, {}}),
                     ErrorCode::NOT_REGISTERED);
    }
    expect_error(service().download(DownloadRequest{"secret"}, as_user("carol")),
                 ErrorCode::NOT_FOUND);
    EXPECT_EQ(probe().feed_entries(), 1u);
}

TEST_P(SharingTest, NothingButTheRecipientListMayChange) {
    struct Case {
        std::string what;
        ShareRequest request;
        ErrorCode code;
    };
    auto without_grants = grown({&carol_});
    without_grants.grants.clear();
    auto extra_grant = grown({&carol_});
    extra_grant.grants.push_back(
        Grant{"bob", seal(secret_.content_key.view(), bob_.box.public_key)});
    auto short_grant = grown({&carol_});
    short_grant.grants[0].sealed_key.pop_back();
    auto renamed = grown({&carol_});
    renamed.name = "other";
    std::vector<Case> cases{
        {"signed by another key", grown({&carol_}, &bob_), ErrorCode::BAD_SIGNATURE},
        {"created_at changed", grown({&carol_}, nullptr, [](Envelope& e) { e.created_at += 1; }),
         ErrorCode::BAD_REQUEST},
        {"key commitment changed",
         grown({&carol_}, nullptr, [](Envelope& e) { e.key_commitment[0] ^= 1; }),
         ErrorCode::BAD_REQUEST},
        {"the owner removed",
         grown({&carol_}, nullptr,
               [](Envelope& e) { std::erase(e.recipients, std::string("alice")); }),
         ErrorCode::BAD_REQUEST},
        {"nobody added or removed", grown({}), ErrorCode::BAD_REQUEST},
        {"the same revision", grown({&carol_}, nullptr, [](Envelope& e) { e.revision = 0; }),
         ErrorCode::STALE},
        {"a revision skipped", grown({&carol_}, nullptr, [](Envelope& e) { e.revision = 2; }),
         ErrorCode::STALE},
        {"a thumbnail added", grown({&carol_}, nullptr, [](Envelope& e) {
             e.thumbnail.assign(kMinThumbnailBoxBytes, 0x5a);
         }), ErrorCode::BAD_REQUEST},
        {"an expiry added", grown({&carol_}, nullptr, [](Envelope& e) { e.expires_at = 1; }),
         ErrorCode::BAD_REQUEST},
        {"a download limit added",
         grown({&carol_}, nullptr, [](Envelope& e) { e.max_downloads = 3; }),
         ErrorCode::BAD_REQUEST},
        {"no grant for the new reader", without_grants, ErrorCode::BAD_REQUEST},
        {"a grant for an old reader", extra_grant, ErrorCode::BAD_REQUEST},
        {"a grant of the wrong size", short_grant, ErrorCode::BAD_REQUEST},
        {"another image's name", renamed, ErrorCode::NOT_FOUND},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.what);
        expect_error(service().share(c.request, as_user("alice")), c.code);
    }
    // Nothing was changed by any of them.
    auto download = service().download(DownloadRequest{"secret"}, as_user("alice"));
    ASSERT_TRUE(download.has_value());
    EXPECT_EQ(download->envelope, secret_.begin.envelope);
    EXPECT_EQ(probe().feed_entries(), 1u);
    expect_error(service().download(DownloadRequest{"secret"}, as_user("carol")),
                 ErrorCode::NOT_FOUND);
}

TEST_P(SharingTest, TheOwnerRevokesAReaderWhoseGrantGoesAtOnce) {
    auto reply = shared(revoked({&bob_}));
    EXPECT_EQ(reply.removed, std::vector<std::string>{"bob"});
    EXPECT_TRUE(reply.added.empty());
    EXPECT_EQ(reply.recipients, std::vector<std::string>{"alice"});
    EXPECT_EQ(reply.seq, 2u);
    for (bool reopened : {false, true}) {
        SCOPED_TRACE(reopened ? "after a reopen" : "at once");
        if (reopened) reopen();
        // Bob meets it like a name that does not exist, and his grant is gone from the store.
        auto hidden = service().download(DownloadRequest{"secret"}, as_user("bob"));
        expect_error(hidden, ErrorCode::NOT_FOUND);
        EXPECT_EQ(hidden.error(),
                  service().download(DownloadRequest{"missing"}, as_user("bob")).error());
        expect_error(service().get_chunk(GetChunkRequest{"secret", 0}, as_user("bob")),
                     ErrorCode::NOT_FOUND);
        EXPECT_EQ(listed("bob"), Listed{});
        EXPECT_FALSE(backend_->grant("secret", "bob").value().has_value());
        // Alice still reads it, under the shrunk envelope she signed.
        auto own = service().download(DownloadRequest{"secret"}, as_user("alice"));
        ASSERT_TRUE(own.has_value()) << describe(own.error());
        EXPECT_EQ(decode_envelope(own->envelope)->recipients, std::vector<std::string>{"alice"});
        EXPECT_EQ(decode_envelope(own->envelope)->revision, 1u);
        EXPECT_EQ(listed("alice"), (Listed{{"secret", 1}}));
    }
}

TEST_P(SharingTest, AnOlderEnvelopeReplayedCannotUndoARevoke) {
    const auto added = grown({&carol_});
    shared(added);
    shared(revoked({&carol_}));
    // Carol's share, replayed whole (her grant included), is an envelope of revision 1 for
    // an image at revision 2.
    expect_error(service().share(added, as_user("alice")), ErrorCode::STALE);
    // And the post's own envelope, with bob's grant again, is older still.
    ShareRequest original{"secret", secret_.begin.envelope, secret_.begin.signature,
                          secret_.begin.grants, alice_.encoded_certificate};
    expect_error(service().share(original, as_user("alice")), ErrorCode::STALE);
    expect_error(service().download(DownloadRequest{"secret"}, as_user("carol")),
                 ErrorCode::NOT_FOUND);
    EXPECT_EQ(probe().feed_entries(), 3u);
}

TEST_P(SharingTest, AReaderRevokedAndAddedAgainMeetsItOnceAtTheNewShare) {
    shared(grown({&carol_}));   // seq 2
    shared(revoked({&carol_})); // seq 3
    EXPECT_EQ(listed("carol"), Listed{});
    auto again = shared(grown({&carol_}));  // seq 4
    EXPECT_EQ(again.added, std::vector<std::string>{"carol"});
    EXPECT_EQ(listed("carol"), (Listed{{"secret", 4}}));
    EXPECT_EQ(listed("bob"), (Listed{{"secret", 1}}));
    auto download = service().download(DownloadRequest{"secret"}, as_user("carol"));
    ASSERT_TRUE(download.has_value()) << describe(download.error());
    EXPECT_TRUE(unseal(download->wrapped_key, carol_.box).has_value());
    // Adding one and revoking another in one signed change.
    auto both = shared(grown({&dave_}, nullptr, {}, {&bob_}));
    EXPECT_EQ(both.added, std::vector<std::string>{"dave"});
    EXPECT_EQ(both.removed, std::vector<std::string>{"bob"});
    EXPECT_EQ(both.recipients, (std::vector<std::string>{"alice", "carol", "dave"}));
}

TEST_P(SharingTest, EscrowImagesAndExpiredOwnersCannotShare) {
    auto cat = image(alice_, named("cat"));
    post(alice_, cat);
    ShareRequest escrow_share{
        "cat", cat.begin.envelope, cat.begin.signature, {}, alice_.encoded_certificate};
    expect_error(service().share(escrow_share, as_user("alice")), ErrorCode::BAD_REQUEST);

    clock_.advance_seconds(7200);  // past the owner certificate's not_after
    expect_error(service().share(grown({&carol_}), as_user("alice")), ErrorCode::EXPIRED);
}

TEST_P(SharingTest, ARenewedOwnerSharesAnImagePostedUnderHerExpiredCertificate) {
    // Alice renews before her first certificate ends (the CA refuses to renew an expired one)
    // and shares at once: the first certificate is still valid.
    clock_.advance_seconds(3000);
    current_ = encode_certificate(ca_.renew(alice_, clock_.now_seconds()));
    auto first = grown({&carol_});
    ASSERT_TRUE(service().share(first, as_user("alice")));
    stored_ = decode_envelope(first.envelope).value();

    // Then it ends. The envelope still names it, and her renewal vouches for its key now.
    clock_.advance_seconds(700);
    ASSERT_GE(clock_.now_seconds(), alice_.certificate.not_after);
    auto request = grown({&dave_});
    auto shared = service().share(request, as_user("alice"));
    ASSERT_TRUE(shared.has_value()) << describe(shared.error());
    EXPECT_EQ(shared->added, std::vector<std::string>{"dave"});
    EXPECT_EQ(shared->recipients, (std::vector<std::string>{"alice", "bob", "carol", "dave"}));

    // The record keeps the certificate the envelope names, so a reader can check the
    // signature against it (and the renewal from the CA, client/owner_standing.h).
    auto download = service().download(DownloadRequest{"secret"}, as_user("dave"));
    ASSERT_TRUE(download.has_value()) << describe(download.error());
    EXPECT_EQ(download->certificate, alice_.encoded_certificate);
    EXPECT_EQ(download->envelope, request.envelope);
    EXPECT_TRUE(verify_envelope(download->envelope, download->signature, alice_.certificate));
    auto key = unseal(download->wrapped_key, dave_.box);
    ASSERT_TRUE(key.has_value());
    EXPECT_TRUE(key->equals(secret_.content_key));
}

TEST_P(SharingTest, ACurrentCertificateThatIsNotTheOwnersRenewalIsRefused) {
    clock_.advance_seconds(3000);
    const std::int64_t now = clock_.now_seconds();
    const Certificate renewed = ca_.renew(alice_, now);
    TestCa rogue_ca;
    struct Case {
        std::string what;
        Bytes certificate;
        ErrorCode code;
    };
    const std::vector<Case> cases{
        {"another user's, renewed", encode_certificate(ca_.renew(bob_, now)), ErrorCode::FORBIDDEN},
        {"hers for another signing key", user("alice").encoded_certificate,
         ErrorCode::BAD_SIGNATURE},
        {"not signed by the CA", encode_certificate(rogue_ca.renew(alice_, now)),
         ErrorCode::BAD_SIGNATURE},
        {"hers but itself expired", encode_certificate(ca_.renew(alice_, now - 5000)),
         ErrorCode::EXPIRED},
        {"not a certificate", Bytes{0x90}, ErrorCode::BAD_REQUEST},
    };
    // While the first certificate is valid, and after it ended.
    for (std::int64_t step : {0, 700}) {
        clock_.advance_seconds(step);
        SCOPED_TRACE(clock_.now_seconds() < alice_.certificate.not_after ? "before its end"
                                                                         : "after its end");
        for (const auto& c : cases) {
            SCOPED_TRACE(c.what);
            current_ = c.certificate;
            expect_error(service().share(grown({&carol_}), as_user("alice")), c.code);
        }
    }
    // Her first certificate, ended and not renewed; then a renewal that has ended too.
    current_ = alice_.encoded_certificate;
    expect_error(service().share(grown({&carol_}), as_user("alice")), ErrorCode::EXPIRED);
    clock_.advance_seconds(3000);
    ASSERT_GE(clock_.now_seconds(), renewed.not_after);
    current_ = encode_certificate(renewed);
    expect_error(service().share(grown({&carol_}), as_user("alice")), ErrorCode::EXPIRED);

    // None of them changed anything.
    auto download = service().download(DownloadRequest{"secret"}, as_user("alice"));
    ASSERT_TRUE(download.has_value());
    EXPECT_EQ(download->envelope, secret_.begin.envelope);
    EXPECT_EQ(probe().feed_entries(), 1u);
    expect_error(service().download(DownloadRequest{"secret"}, as_user("carol")),
                 ErrorCode::NOT_FOUND);
}

TEST_P(SharingTest, ListPagesStopAtTheirByteBudgetAndLoseNothing) {
    config_.list_reply_bytes = 250;  // two or three e2e summaries
    reopen();
    for (const char* name : {"a", "b", "c", "d", "e"})
        post(alice_, image(alice_, shared_with(name, {&bob_, &carol_, &dave_})));
    std::vector<std::string> names;
    std::uint64_t after = 0;
    int pages = 0;
    for (bool more = true; more; ++pages) {
        auto page = service().list(ListRequest{after, 100}, as_user("bob")).value();
        ASSERT_FALSE(page.items.empty()) << "a page made no progress";
        std::size_t bytes = 0;
        for (const auto& item : page.items) {
            names.push_back(item.name);
            bytes += encode_map(item).size();
        }
        EXPECT_LE(bytes, config_.list_reply_bytes);
        EXPECT_EQ(page.last_seq, page.items.back().seq);
        after = page.last_seq;
        more = page.more;
    }
    EXPECT_EQ(names, (std::vector<std::string>{"secret", "a", "b", "c", "d", "e"}));
    EXPECT_GE(pages, 2);
}

// The newest feed entries are listed from memory (FeedTail), older ones and
// everything after a restart from RocksDB: every page must be the same.
TEST_P(SharingTest, ListPagesFromMemoryAreThePagesFromTheDatabase) {
    ASSERT_TRUE(service().share(grown({&carol_}), as_user("alice")));
    post(alice_, image(alice_, named("public")));
    post(bob_, image(bob_, shared_with("bobs", {&dave_})));
    post(alice_, image(alice_, shared_with("theirs", {&carol_, &dave_})));
    auto every_page = [&] {
        std::vector<ListReply> pages;
        for (const char* reader : {"alice", "bob", "carol", "dave", "eve"}) {
            for (std::uint64_t after = 0; after <= 6; ++after) {
                for (std::uint32_t limit : {1u, 2u, 100u}) {
                    auto page = service().list(ListRequest{after, limit}, as_user(reader));
                    EXPECT_TRUE(page.has_value()) << describe(page.error());
                    pages.push_back(page.value_or(ListReply{}));
                }
            }
        }
        return pages;
    };
    auto from_memory = every_page();
    EXPECT_EQ(from_memory[3 * 7 * 2 + 2].items.size(), 3u);  // carol from the start, limit 100
    reopen();
    EXPECT_EQ(every_page(), from_memory);
}

TEST(ShareValidationTest, RepeatIsRecognisedOnlyAfterAShare) {
    ImageRecord record;
    record.envelope = Bytes{1, 2, 3};
    record.signature = Bytes{4, 5};
    ShareRequest request{"cat", record.envelope, record.signature, {}, {}};
    EXPECT_FALSE(repeats_last_share(request, record));
    record.shares.push_back(ShareRecord{2, {"carol"}});
    EXPECT_TRUE(repeats_last_share(request, record));
    request.signature[0] ^= 1;
    EXPECT_FALSE(repeats_last_share(request, record));
}

// Two nodes over one store, each with its own cache of the image (a RocksDB store has one
// node: nothing is cached apart).
class SharedStoreSharingTest : public SharingTest {};

TEST_P(SharedStoreSharingTest, ANodeThatCachedTheImageServesAReaderAddedOnAnotherNodeAtOnce) {
    auto other = other_node_that_cached_the_secret();
    ASSERT_TRUE(other);
    shared(grown({&carol_}));
    auto download = other->service->download(DownloadRequest{"secret"}, as_user("carol"));
    ASSERT_TRUE(download.has_value()) << describe(download.error());
    EXPECT_EQ(download->envelope, encode_envelope(stored_));
}

TEST_P(SharedStoreSharingTest, ANodeThatCachedTheImageRefusesAReaderRevokedOnAnotherNodeAsUnknown) {
    auto other = other_node_that_cached_the_secret();
    ASSERT_TRUE(other);
    shared(revoked({&bob_}));
    // Not "the grant is missing" (INTERNAL): the image is not bob's to know of any more.
    expect_error(other->service->download(DownloadRequest{"secret"}, as_user("bob")), ErrorCode::NOT_FOUND);
}

INSTANTIATE_TEST_SUITE_P(Backends, SharingTest, on_every_backend(), backend_name);
INSTANTIATE_TEST_SUITE_P(SharedBackends, SharedStoreSharingTest, on_every_shared_backend(),
                         backend_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(SharedStoreSharingTest);

}  // namespace
}  // namespace imgshare::storage::testing
