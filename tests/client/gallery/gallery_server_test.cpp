// client/gallery/gallery_server with the real `imgshare gallery` of a user of a real cluster,
// spoken to over HTTP on loopback: every refusal of the access guard, and only verified
// images served, only as images.
#include "client/gallery/gallery_server.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/crypto/sha256.h"
#include "common/envelope.h"
#include "common/file_io.h"
#include "tests/client/gallery/support/gallery_refusal.h"
#include "tests/integration/support/cluster_fixture.h"
#include "tests/integration/support/gallery_process.h"
#include "tests/integration/support/signed_requests.h"
#include "tests/integration/support/storage_database.h"
#include "tests/integration/support/wait.h"

namespace imgshare::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class GalleryServerTest : public ClusterTest {
  protected:
    void SetUp() override {
        alice_ = cluster_.new_user("alice");
        image_ = cluster_.small_png("cat.png");
        auto posted = cluster_.imgshare(alice_, {"post", image_.string()});
        ASSERT_EQ(posted.exit_code, 0) << posted.err;
        gallery_ = std::make_unique<GalleryProcess>(cluster_, alice_, "alice");
        ASSERT_TRUE(gallery_->started());
    }

    httplib::Client client() const { return httplib::Client("127.0.0.1", gallery_->port()); }

    // Headers of the user's own browser after the token exchange.
    httplib::Headers browser() const {
        return {{"Host", "127.0.0.1:" + std::to_string(gallery_->port())},
                {"Cookie", "imgshare_gallery=" + gallery_->token()}};
    }

    fs::path alice_, image_;
    std::unique_ptr<GalleryProcess> gallery_;
};

TEST_F(GalleryServerTest, ARequestWithoutTheTokenIsForbidden) {
    auto http = client();
    for (std::string path : {"/", "/app.js", "/api/images", "/api/images/cat"}) {
        auto answer = http.Get(path);
        ASSERT_TRUE(answer) << path;
        EXPECT_EQ(answer->status, 403) << path;
        EXPECT_EQ(gallery_refusal_code(answer), "FORBIDDEN") << path;
    }
    auto wrong = http.Get("/?token=00000000000000000000000000000000");
    ASSERT_TRUE(wrong);
    EXPECT_EQ(wrong->status, 403);
    EXPECT_EQ(wrong->get_header_value("Set-Cookie"), "");
}

TEST_F(GalleryServerTest, TheTokenIsExchangedForAnHttpOnlySameSiteStrictCookie) {
    auto http = client();
    auto visit = http.Get("/?token=" + gallery_->token());
    ASSERT_TRUE(visit);
    EXPECT_EQ(visit->status, 303);
    EXPECT_EQ(visit->get_header_value("Location"), "/");  // the token leaves the address bar
    EXPECT_EQ(visit->get_header_value("Set-Cookie"),
              "imgshare_gallery=" + gallery_->token() + "; HttpOnly; SameSite=Strict; Path=/");
    auto page = http.Get("/", browser());
    ASSERT_TRUE(page);
    EXPECT_EQ(page->status, 200);
    EXPECT_NE(page->body.find("<script src=\"/app.js\""), std::string::npos);
    EXPECT_NE(page->get_header_value("Content-Security-Policy").find("script-src 'self'"),
              std::string::npos);
    EXPECT_EQ(page->get_header_value("X-Content-Type-Options"), "nosniff");
    EXPECT_FALSE(page->has_header("Access-Control-Allow-Origin"));
}

TEST_F(GalleryServerTest, AForeignHostIsForbiddenEvenWithTheCookie) {
    auto headers = browser();
    headers.erase("Host");
    headers.emplace("Host", "rebound.example:" + std::to_string(gallery_->port()));
    auto answer = client().Get("/api/images", headers);
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->status, 403);
    EXPECT_EQ(gallery_refusal_code(answer), "FORBIDDEN");
    auto body = nlohmann::json::parse(answer->body);
    EXPECT_NE(body["message"].get<std::string>().find("Host"), std::string::npos);
    // With the token in the URL too: a rebound name gets no cookie.
    auto visit = client().Get("/?token=" + gallery_->token(), headers);
    ASSERT_TRUE(visit);
    EXPECT_EQ(visit->status, 403);
    EXPECT_EQ(visit->get_header_value("Set-Cookie"), "");
}

TEST_F(GalleryServerTest, ACrossOriginPostIsForbiddenEvenWithTheCookie) {
    auto headers = browser();
    headers.emplace("Origin", "http://evil.example");
    auto answer = client().Post("/api/images", headers, "{}", "application/json");
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->status, 403);
    EXPECT_EQ(gallery_refusal_code(answer), "FORBIDDEN");
    EXPECT_FALSE(answer->has_header("Access-Control-Allow-Origin"));
    // No Origin at all is no better.
    auto bare = client().Post("/api/images", browser(), "{}", "application/json");
    ASSERT_TRUE(bare);
    EXPECT_EQ(bare->status, 403);
}

TEST_F(GalleryServerTest, TheGridListsWhatListListsNewestFirst) {
    auto dog = cluster_.small_png("dog.png");
    ASSERT_EQ(cluster_.imgshare(alice_, {"post", dog.string()}).exit_code, 0);
    auto listed = cluster_.imgshare(alice_, {"list", "--json"});
    ASSERT_EQ(listed.exit_code, 0) << listed.err;
    std::vector<std::string> from_list;
    std::istringstream lines(listed.out);
    for (std::string line; std::getline(lines, line);) {
        from_list.insert(from_list.begin(), nlohmann::json::parse(line)["name"].get<std::string>());
    }
    auto answer = client().Get("/api/images", browser());
    ASSERT_TRUE(answer);
    ASSERT_EQ(answer->status, 200) << answer->body;
    std::vector<std::string> from_gallery;
    for (const auto& image : nlohmann::json::parse(answer->body))
        from_gallery.push_back(image["name"].get<std::string>());
    EXPECT_EQ(from_gallery, from_list);
    EXPECT_EQ(from_gallery, (std::vector<std::string>{"dog", "cat"}));
}

TEST_F(GalleryServerTest, AnImageIsServedVerifiedAsAnImageWithItsSerialAndSha256) {
    auto answer = client().Get("/api/images/cat", browser());
    ASSERT_TRUE(answer);
    ASSERT_EQ(answer->status, 200) << answer->body;
    EXPECT_EQ(answer->get_header_value("Content-Type"), "image/png");
    EXPECT_EQ(answer->get_header_value("X-Content-Type-Options"), "nosniff");
    auto original = read_file(image_, 1 << 20);
    ASSERT_TRUE(original.has_value());
    EXPECT_EQ(answer->body, std::string(original->begin(), original->end()));

    auto facts = client().Get("/api/images/cat/verification", browser());
    ASSERT_TRUE(facts);
    ASSERT_EQ(facts->status, 200) << facts->body;
    auto panel = nlohmann::json::parse(facts->body);
    auto whoami = cluster_.imgshare(alice_, {"whoami", "--json"});
    ASSERT_EQ(whoami.exit_code, 0) << whoami.err;
    auto certificate = nlohmann::json::parse(whoami.out);
    EXPECT_EQ(panel["serial"], certificate["serial"]);
    EXPECT_EQ(panel["owner"], "alice");
    EXPECT_EQ(panel["mode"], "escrow");
    EXPECT_EQ(panel["sha256"], to_hex(sha256(*original)));
}

TEST_F(GalleryServerTest, ATamperedImageIsRefusedWithItsCodeNeverServed) {
    ASSERT_TRUE(corrupt_first_chunk(cluster_, "cat"));
    auto answer = client().Get("/api/images/cat", browser());
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->status, 422) << answer->body;
    EXPECT_EQ(gallery_refusal_code(answer), "INTEGRITY");
    EXPECT_EQ(answer->get_header_value("Content-Type"), "application/json");
}

TEST_F(GalleryServerTest, AnHtmlContentTypeSignedByAHostileOwnerNeverReachesTheBrowser) {
    // The storage node refuses such an envelope at POST_BEGIN; here it is put on its disk,
    // signed by the owner, as a hostile owner with a compromised node would.
    auto owner = load_user(alice_);
    cluster_.stop_storage();
    {
        StorageDatabase database(cluster_.storage_dir() / "db");
        auto record = database.image("cat");
        auto envelope = decode_envelope(record.envelope);
        ASSERT_TRUE(envelope.has_value());
        envelope->content_type = "text/html";
        record.envelope = encode_envelope(*envelope);
        record.signature = sign_envelope(record.envelope, owner.keys.sign.secret_key);
        database.put_image("cat", record);
    }
    ASSERT_TRUE(cluster_.start_storage());
    for (std::string path : {"/api/images/cat", "/api/images/cat/verification"}) {
        auto answer = client().Get(path, browser());
        ASSERT_TRUE(answer) << path;
        EXPECT_EQ(answer->status, 400) << path << ": " << answer->body;
        EXPECT_EQ(gallery_refusal_code(answer), "BAD_REQUEST") << path;
        EXPECT_EQ(answer->get_header_value("Content-Type"), "application/json") << path;
    }
}

TEST_F(GalleryServerTest, ARevokedOwnersImageIsRefusedAsRevoked) {
    auto bob = cluster_.new_user("bob");
    GalleryProcess bobs(cluster_, bob, "bob");
    ASSERT_TRUE(bobs.started());
    auto revoked = run_command({executable("imgshare-ca"), "revoke", "alice", "--data-dir",
                                cluster_.ca_dir().string()});
    ASSERT_EQ(revoked.exit_code, 0) << revoked.err;
    httplib::Client http("127.0.0.1", bobs.port());
    auto answer = http.Get("/api/images/cat",
                           {{"Host", "127.0.0.1:" + std::to_string(bobs.port())},
                            {"Cookie", "imgshare_gallery=" + bobs.token()}});
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->status, 422) << answer->body;
    EXPECT_EQ(gallery_refusal_code(answer), "REVOKED");
}

TEST_F(GalleryServerTest, AnEndToEndImageIsInItsReadersGridsOnlyWithItsReaders) {
    auto bob = cluster_.new_user("bob");
    auto carol = cluster_.new_user("carol");
    auto secret = cluster_.small_png("secret.png");
    auto posted = cluster_.imgshare(alice_, {"post", secret.string(), "--to", "bob"});
    ASSERT_EQ(posted.exit_code, 0) << posted.err;
    GalleryProcess bobs(cluster_, bob, "bob");
    GalleryProcess carols(cluster_, carol, "carol");
    ASSERT_TRUE(bobs.started());
    ASSERT_TRUE(carols.started());
    auto grid_of = [](const GalleryProcess& gallery) {
        httplib::Client http("127.0.0.1", gallery.port());
        auto answer = http.Get("/api/images",
                               {{"Host", "127.0.0.1:" + std::to_string(gallery.port())},
                                {"Cookie", "imgshare_gallery=" + gallery.token()}});
        return answer && answer->status == 200 ? nlohmann::json::parse(answer->body)
                                               : nlohmann::json();
    };
    auto bobs_grid = grid_of(bobs);
    ASSERT_EQ(bobs_grid.size(), 2u) << bobs_grid.dump();
    EXPECT_EQ(bobs_grid[0]["name"], "secret");
    EXPECT_EQ(bobs_grid[0]["mode"], "e2e");
    EXPECT_EQ(bobs_grid[0]["recipients"], nlohmann::json::array({"alice", "bob"}));
    auto carols_grid = grid_of(carols);
    ASSERT_EQ(carols_grid.size(), 1u) << carols_grid.dump();
    EXPECT_EQ(carols_grid[0]["name"], "cat");
}

// The live stream's `image` events, read until `name` arrives or the stream ends.
struct LiveStream {
    std::mutex mutex;
    std::string text;
    std::atomic<bool> stop{false};
};

TEST_F(GalleryServerTest, ACommandLinePostByAnotherUserArrivesLiveWithinOneSecond) {
    auto bob = cluster_.new_user("bob");
    LiveStream stream;
    auto http = client();
    std::thread reader([&] {
        (void)http.Get("/api/events?after=1", browser(), [&](const char* data, size_t size) {
            std::lock_guard lock(stream.mutex);
            stream.text.append(data, size);
            return !stream.stop.load();
        });
    });
    auto has = [&](const std::string& needle) {
        std::lock_guard lock(stream.mutex);
        return stream.text.find(needle) != std::string::npos;
    };
    auto dog = cluster_.small_png("dog.png");
    auto posted = cluster_.imgshare(bob, {"post", dog.string()});
    ASSERT_EQ(posted.exit_code, 0) << posted.err;
    auto posted_at = std::chrono::steady_clock::now();
    EXPECT_TRUE(wait_until([&] { return has("\"name\":\"dog\""); }, 1s,
                           "bob's dog in alice's live stream"));
    EXPECT_LT(std::chrono::steady_clock::now() - posted_at, 1s);
    EXPECT_TRUE(has("id: 2\nevent: image\ndata: {"));
    EXPECT_FALSE(has("\"name\":\"cat\""));  // seq 1: before the position asked for
    stream.stop = true;
    http.stop();
    reader.join();
}

TEST_F(GalleryServerTest, AReconnectingStreamResumesAfterItsLastEventId) {
    auto dog = cluster_.small_png("dog.png");
    ASSERT_EQ(cluster_.imgshare(alice_, {"post", dog.string()}).exit_code, 0);
    ASSERT_TRUE(wait_until(
        [&] {
            auto answer = client().Get("/api/images", browser());
            return answer && answer->body.find("\"dog\"") != std::string::npos;
        },
        5s, "dog in the grid"));
    auto headers = browser();
    headers.emplace("Last-Event-ID", "1");
    std::string text;
    (void)client().Get("/api/events?after=0", headers, [&](const char* data, size_t size) {
        text.append(data, size);
        return text.find("\n\n") == std::string::npos;  // one event is enough
    });
    EXPECT_EQ(text.find("\"cat\""), std::string::npos) << text;
    EXPECT_NE(text.find("id: 2\nevent: image\n"), std::string::npos) << text;
    auto bad = browser();
    bad.emplace("Last-Event-ID", "2x");
    auto refused = client().Get("/api/events", bad);
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 400);
    EXPECT_EQ(gallery_refusal_code(refused), "BAD_REQUEST");
}

// A deleted image leaves the grid and the cache, the live stream says so at the deletion's
// position (a page resuming after it never gets the image back), and the name posted again
// is the new image, not the one the gallery had kept.
TEST_F(GalleryServerTest, ADeletedImageLeavesTheGridTheCacheAndTheStreamAtItsPosition) {
    auto has_dog = [&] {
        auto answer = client().Get("/api/images", browser());
        return answer && answer->body.find("\"dog\"") != std::string::npos;
    };
    auto dog = cluster_.small_png("dog.png");
    ASSERT_EQ(cluster_.imgshare(alice_, {"post", dog.string()}).exit_code, 0);  // seq 2
    ASSERT_TRUE(wait_until(has_dog, 5s, "dog in the grid"));
    auto kept = client().Get("/api/images/dog", browser());  // now in the gallery's cache
    ASSERT_TRUE(kept);
    ASSERT_EQ(kept->status, 200);
    auto deleted = cluster_.imgshare(alice_, {"--json", "delete", "dog"});
    ASSERT_EQ(deleted.exit_code, 0) << deleted.err;
    ASSERT_EQ(nlohmann::json::parse(deleted.out)["seq"], 3);
    EXPECT_TRUE(wait_until([&] { return !has_dog(); }, 5s, "dog gone from the grid"));
    EXPECT_EQ(gallery_refusal_code(client().Get("/api/images/dog", browser())), "NOT_FOUND");

    auto first_event_after = [&](const std::string& last_event_id) {
        auto headers = browser();
        headers.emplace("Last-Event-ID", last_event_id);
        std::string text;
        (void)client().Get("/api/events", headers, [&](const char* data, size_t size) {
            text.append(data, size);
            return text.find("\n\n") == std::string::npos;  // one event is enough
        });
        return text;
    };
    EXPECT_EQ(first_event_after("2"),
              "id: 3\nevent: removed\ndata: {\"name\":\"dog\",\"removed\":true,\"seq\":3}\n\n");

    // Posted again under the same name: a new image, with new bytes, at a new position.
    const fs::path new_dog = cluster_.dir() / "new-dog.png";
    write_large_image(new_dog, 4096, 7);
    ASSERT_EQ(cluster_.imgshare(alice_, {"post", new_dog.string(), "--name", "dog"}).exit_code,
              0);  // seq 4
    EXPECT_TRUE(wait_until(has_dog, 5s, "the new dog in the grid"));
    auto after_removal = first_event_after("3");
    EXPECT_EQ(after_removal.find("id: 4\nevent: image\n"), 0u) << after_removal;
    auto served = client().Get("/api/images/dog", browser());
    ASSERT_TRUE(served);
    ASSERT_EQ(served->status, 200) << served->body;
    auto new_bytes = read_file(new_dog, 1 << 20);
    ASSERT_TRUE(new_bytes.has_value());
    EXPECT_EQ(to_hex(sha256(as_bytes(served->body))), to_hex(sha256(*new_bytes)));
}

TEST_F(GalleryServerTest, OpenPagesPastTheLimitAreRefusedAndTheRestIsStillServed) {
    std::vector<std::unique_ptr<httplib::Client>> clients;
    std::vector<std::thread> readers;
    std::atomic<int> open{0};
    for (int i = 0; i < gallery::kMaxEventStreams; ++i) {
        clients.push_back(std::make_unique<httplib::Client>("127.0.0.1", gallery_->port()));
        readers.emplace_back([&, http = clients.back().get()] {
            bool counted = false;
            (void)http->Get("/api/events", browser(), [&](const char*, size_t) {
                if (!counted) ++open;  // the stream is open: cat's event arrived
                counted = true;
                return true;
            });
        });
    }
    EXPECT_TRUE(wait_until([&] { return open.load() == gallery::kMaxEventStreams; }, 10s,
                           "every stream open"));
    auto one_more = client().Get("/api/events", browser());
    ASSERT_TRUE(one_more);
    EXPECT_EQ(one_more->status, 503);
    EXPECT_EQ(gallery_refusal_code(one_more), "SERVICE_UNAVAILABLE");
    auto grid = client().Get("/api/images", browser());
    ASSERT_TRUE(grid);
    EXPECT_EQ(grid->status, 200);
    for (auto& http : clients) http->stop();
    for (auto& reader : readers) reader.join();
}

TEST_F(GalleryServerTest, SigtermStopsTheGalleryCleanly) {
    EXPECT_EQ(gallery_->process().stop(), 0);
    EXPECT_NE(gallery_->process().out().find("gallery stopped"), std::string::npos);
}

}  // namespace
}  // namespace imgshare::testing
