// client/gallery_posts with the real `imgshare gallery` of a user of a real cluster, spoken to
// over HTTP on loopback as the page speaks to it: posts (bounded before their body is read,
// checked as images, posted with the code of `post`, with their progress), the recipients'
// check with the CA, and shares (with the code of `share`), each refused from another origin.
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "common/file_io.h"
#include "tests/client/gallery/support/gallery_refusal.h"
#include "tests/integration/support/cluster_fixture.h"
#include "tests/integration/support/gallery_process.h"

namespace imgshare::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class GalleryPostsTest : public ClusterTest {
  protected:
    void SetUp() override {
        alice_ = cluster_.new_user("alice");
        bob_ = cluster_.new_user("bob");
        gallery_ = std::make_unique<GalleryProcess>(cluster_, alice_, "alice");
        ASSERT_TRUE(gallery_->started());
    }

    httplib::Client client() const { return httplib::Client("127.0.0.1", gallery_->port()); }

    // The page's own requests: the cookie, and for a POST the page's Origin.
    httplib::Headers page(bool with_origin = true) const {
        const std::string host = "127.0.0.1:" + std::to_string(gallery_->port());
        httplib::Headers headers{{"Host", host},
                                 {"Cookie", "imgshare_gallery=" + gallery_->token()}};
        if (with_origin) headers.emplace("Origin", "http://" + host);
        return headers;
    }

    httplib::Result post_file(const std::string& query, const fs::path& file) {
        auto bytes = read_file(file, 8 << 20);
        EXPECT_TRUE(bytes.has_value());
        return client().Post("/api/posts?" + query, page(),
                             std::string(bytes->begin(), bytes->end()),
                             "application/octet-stream");
    }

    fs::path alice_, bob_;
    std::unique_ptr<GalleryProcess> gallery_;
};

// The answer to `request`, sent as is on a new connection (headers httplib would not send).
std::string raw_exchange(int port, const std::string& request) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::string answer;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
        ::send(fd, request.data(), request.size(), 0) == static_cast<ssize_t>(request.size())) {
        timeval wait{.tv_sec = 10, .tv_usec = 0};
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
        char buffer[4096];
        // The status line and headers are enough: the refusal comes before any body is sent.
        while (answer.find("\r\n\r\n") == std::string::npos) {
            ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
            if (n <= 0) break;
            answer.append(buffer, static_cast<std::size_t>(n));
        }
    }
    ::close(fd);
    return answer;
}

TEST_F(GalleryPostsTest, APostIsWhatTheReadersCommandLineDownloadsAndItsProgressIsKept) {
    const fs::path image = cluster_.dir() / "big.png";
    write_large_image(image, 700 * 1024, 3);  // three chunks
    auto answer = post_file("name=big&to=bob&progress=p1", image);
    ASSERT_TRUE(answer);
    ASSERT_EQ(answer->status, 200) << answer->body;
    auto body = nlohmann::json::parse(answer->body);
    EXPECT_EQ(body["name"], "big");
    EXPECT_EQ(body["mode"], "e2e");
    EXPECT_EQ(body["recipients"], nlohmann::json::array({"alice", "bob"}));
    auto progress = client().Get("/api/posts/p1", page(false));
    ASSERT_TRUE(progress);
    ASSERT_EQ(progress->status, 200);
    EXPECT_EQ(nlohmann::json::parse(progress->body)["phase"], "done");
    const fs::path out = cluster_.dir() / "bob-big.png";
    auto downloaded = cluster_.imgshare(bob_, {"download", "big", "--output", out.string()});
    ASSERT_EQ(downloaded.exit_code, 0) << downloaded.err;
    EXPECT_EQ(read_file(out, 1 << 20), read_file(image, 1 << 20));
}

TEST_F(GalleryPostsTest, BytesThatAreNotAnImageAreRefusedAndNothingIsPosted) {
    auto answer = client().Post("/api/posts?name=page", page(),
                                "<html><script>alert(1)</script></html>", "text/html");
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->status, 400) << answer->body;
    EXPECT_EQ(gallery_refusal_code(answer), "BAD_REQUEST");
    auto bad_name = post_file("name=..%2Fescape", cluster_.small_png("ok.png"));
    ASSERT_TRUE(bad_name);
    EXPECT_EQ(gallery_refusal_code(bad_name), "BAD_REQUEST");
    auto listed = cluster_.imgshare(alice_, {"list", "--json"});
    ASSERT_EQ(listed.exit_code, 0) << listed.err;
    EXPECT_EQ(listed.out.find("\"page\""), std::string::npos) << listed.out;
}

TEST_F(GalleryPostsTest, ABodyBeyondItsBoundIsRefusedBeforeItIsRead) {
    const std::string host = "127.0.0.1:" + std::to_string(gallery_->port());
    const std::string headers = "Host: " + host + "\r\nCookie: imgshare_gallery=" +
                                gallery_->token() + "\r\nOrigin: http://" + host + "\r\n";
    // 256 MiB + 1 announced, none sent: the refusal comes at once.
    auto post = raw_exchange(gallery_->port(), "POST /api/posts?name=huge HTTP/1.1\r\n" +
                                                   headers + "Content-Length: 268435457\r\n\r\n");
    EXPECT_NE(post.find("HTTP/1.1 413"), std::string::npos) << post;
    // Any other body: 64 KiB at most.
    auto share = raw_exchange(gallery_->port(), "POST /api/images/x/share HTTP/1.1\r\n" +
                                                    headers + "Content-Length: 65537\r\n\r\n");
    EXPECT_NE(share.find("HTTP/1.1 413"), std::string::npos) << share;
    // No length to check first: refused too.
    auto chunked = raw_exchange(gallery_->port(), "POST /api/posts?name=c HTTP/1.1\r\n" +
                                                      headers +
                                                      "Transfer-Encoding: chunked\r\n\r\n");
    EXPECT_NE(chunked.find("HTTP/1.1 400"), std::string::npos) << chunked;
}

TEST_F(GalleryPostsTest, ARecipientIsCheckedWithTheCaUnknownAndRevokedAreRefused) {
    auto known = client().Get("/api/users/bob", page(false));
    ASSERT_TRUE(known);
    ASSERT_EQ(known->status, 200) << known->body;
    EXPECT_EQ(nlohmann::json::parse(known->body)["username"], "bob");
    auto unknown = client().Get("/api/users/nosuchuser", page(false));
    ASSERT_TRUE(unknown);
    EXPECT_EQ(unknown->status, 404);
    EXPECT_EQ(gallery_refusal_code(unknown), "NOT_FOUND");
    auto revoked = run_command({executable("imgshare-ca"), "revoke", "bob", "--data-dir",
                                cluster_.ca_dir().string()});
    ASSERT_EQ(revoked.exit_code, 0) << revoked.err;
    auto refused = client().Get("/api/users/bob", page(false));
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 422);
    EXPECT_EQ(gallery_refusal_code(refused), "REVOKED");
    // The post itself checks too: nothing is sent to a revoked reader.
    auto post = post_file("name=to-bob&to=bob", cluster_.small_png("b.png"));
    ASSERT_TRUE(post);
    EXPECT_EQ(gallery_refusal_code(post), "REVOKED");
}

TEST_F(GalleryPostsTest, AnEndToEndImageIsSharedFromThePageOnlyFromItsOwnOrigin) {
    auto carol = cluster_.new_user("carol");
    auto posted = post_file("name=secret&to=bob", cluster_.small_png("secret.png"));
    ASSERT_TRUE(posted);
    ASSERT_EQ(posted->status, 200) << posted->body;
    auto foreign = page();
    foreign.erase("Origin");
    foreign.emplace("Origin", "http://127.0.0.1:1");  // same site, another origin
    auto refused = client().Post("/api/images/secret/share", foreign, R"({"with":["carol"]})",
                                 "application/json");
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 403);
    EXPECT_NE(cluster_.imgshare(carol, {"download", "secret", "--output",
                                        (cluster_.dir() / "early.png").string()})
                  .exit_code,
              0);
    auto malformed = client().Post("/api/images/secret/share", page(), R"({"with":"carol"})",
                                   "application/json");
    ASSERT_TRUE(malformed);
    EXPECT_EQ(gallery_refusal_code(malformed), "BAD_REQUEST");
    auto shared = client().Post("/api/images/secret/share", page(), R"({"with":["carol"]})",
                                "application/json");
    ASSERT_TRUE(shared);
    ASSERT_EQ(shared->status, 200) << shared->body;
    EXPECT_EQ(nlohmann::json::parse(shared->body)["recipients"],
              nlohmann::json::array({"alice", "bob", "carol"}));
    auto downloaded = cluster_.imgshare(
        carol, {"download", "secret", "--output", (cluster_.dir() / "carol.png").string()});
    EXPECT_EQ(downloaded.exit_code, 0) << downloaded.err;
}

TEST_F(GalleryPostsTest, ACrossOriginPostIsRefusedAndPostsNothing) {
    auto foreign = page();
    foreign.erase("Origin");
    foreign.emplace("Origin", "http://127.0.0.1:1");
    auto bytes = read_file(cluster_.small_png("cross.png"), 1024);
    ASSERT_TRUE(bytes.has_value());
    auto answer = client().Post("/api/posts?name=cross", foreign,
                                std::string(bytes->begin(), bytes->end()), "image/png");
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->status, 403);
    EXPECT_EQ(gallery_refusal_code(answer), "FORBIDDEN");
    auto listed = cluster_.imgshare(alice_, {"list", "--json"});
    ASSERT_EQ(listed.exit_code, 0) << listed.err;
    EXPECT_EQ(listed.out.find("\"cross\""), std::string::npos) << listed.out;
}

}  // namespace
}  // namespace imgshare::testing
