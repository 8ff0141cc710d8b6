// The gallery in a real headless Chromium (Debian's `chromium`, driven by playwright-core from
// tests/browser/, run by node): a real cluster, a real `imgshare gallery`, real images. The
// checks themselves are in tests/browser/gallery_check.mjs; this test prepares what it
// expects, posts the live image when the page is waiting for it, and asserts it appeared
// within 1 s; deletes it, and revokes a reader of an end-to-end image, each when the page is
// waiting for it, and asserts the card went within 5 s; then that what the page posted is what
// the reader's command line downloads, and that a page of another origin posted nothing. Skipped, saying why, only when chromium, node or `npm ci` is missing.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "common/bytes.h"
#include "common/crypto/sha256.h"
#include "common/file_io.h"
#include "tests/integration/support/cluster_fixture.h"
#include "tests/integration/support/gallery_process.h"
#include "tests/integration/support/storage_database.h"
#include "tests/integration/support/wait.h"

namespace imgshare::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const fs::path kBrowserDir = IMGSHARE_BROWSER_TESTS_DIR;
const fs::path kDemoImage = IMGSHARE_DEMO_IMAGE;

// Why the browser test cannot run here, or empty when it can.
std::string missing_browser_tools() {
    const char* chromium = std::getenv("CHROMIUM");
    if (!fs::exists(chromium ? chromium : "/usr/bin/chromium"))
        return "chromium is not installed (deploy/bootstrap.sh installs it)";
    if (!fs::exists("/usr/bin/node")) return "node is not installed (deploy/bootstrap.sh)";
    if (!fs::exists(kBrowserDir / "node_modules" / "playwright-core"))
        return "playwright-core is not installed: run `npm ci` in tests/browser "
               "(deploy/bootstrap.sh does)";
    return {};
}

class GalleryBrowserTest : public ClusterTest {};

TEST_F(GalleryBrowserTest, TheGalleryShowsVerifiedImagesRefusalsAndLivePostsInChromium) {
    if (auto missing = missing_browser_tools(); !missing.empty()) GTEST_SKIP() << missing;
    auto alice = cluster_.new_user("alice");
    auto bob = cluster_.new_user("bob");
    auto carol = cluster_.new_user("carol");
    auto original = read_file(kDemoImage, 1 << 20);
    ASSERT_TRUE(original.has_value());
    ASSERT_EQ(cluster_.imgshare(alice, {"post", kDemoImage.string(), "--name", "demo"}).exit_code,
              0);
    auto small = cluster_.small_png("bad.png");
    ASSERT_EQ(cluster_.imgshare(bob, {"post", small.string(), "--name", "bad"}).exit_code, 0);
    ASSERT_TRUE(corrupt_first_chunk(cluster_, "bad"));
    // Carol's gallery shows it until bob revokes her (alice's does not: she is no reader).
    ASSERT_EQ(cluster_.imgshare(bob, {"post", small.string(), "--name", "for-carol", "--to",
                                      "carol"}).exit_code,
              0);
    auto whoami = cluster_.imgshare(alice, {"whoami", "--json"});
    ASSERT_EQ(whoami.exit_code, 0) << whoami.err;
    auto serial = nlohmann::json::parse(whoami.out)["serial"].get<std::uint64_t>();

    // Posted from the page: a real PNG of several chunks, so that the upload has a progress
    // to show and the grid an image to show.
    auto made = run_command({"/usr/bin/python3",
                             (kBrowserDir / ".." / ".." / "deploy" / "make-test-images.py").string(),
                             (cluster_.dir() / "page-images").string(), "1", "1500", "1500"});
    ASSERT_EQ(made.exit_code, 0) << made.err;
    const fs::path page_image = cluster_.dir() / "page-images" / "image-000.png";
    auto cross_image = cluster_.small_png("cross.png");

    GalleryProcess gallery(cluster_, alice, "alice");
    ASSERT_TRUE(gallery.started());
    GalleryProcess third(cluster_, carol, "carol");
    ASSERT_TRUE(third.started());
    std::map<std::string, std::string> env{
        {"GALLERY_URL", gallery.url()},
        {"EXPECT_NAMES", "bad,demo"},
        {"OPEN_NAME", "demo"},
        {"EXPECT_SERIAL", std::to_string(serial)},
        {"EXPECT_SHA256", to_hex(sha256(*original))},
        {"EXPECT_WIDTH", "192"},
        {"EXPECT_HEIGHT", "192"},
        {"TAMPERED_NAME", "bad"},
        {"LIVE_NAME", "live"},
        {"POST_FILE", page_image.string()},
        {"POST_ESCROW_NAME", "page-escrow"},
        {"POST_E2E_NAME", "page-e2e"},
        {"POST_E2E_TO", "bob"},
        {"UNKNOWN_READER", "nosuchuser"},
        {"CROSS_FILE", cross_image.string()},
        {"CROSS_NAME", "cross"},
        {"THIRD_URL", third.url()},
        {"DELETED_NAME", "live"},
        {"REVOKED_NAME", "for-carol"},
    };
    if (const char* dir = std::getenv("GALLERY_SCREENSHOT_DIR")) env["SCREENSHOT_DIR"] = dir;
    Process browser({"/usr/bin/node", (kBrowserDir / "gallery_check.mjs").string()},
                    cluster_.dir() / "browser", env);
    ASSERT_TRUE(browser.wait_for_output("waiting-for-live", 90s))
        << browser.out() << browser.err();
    auto posted = cluster_.imgshare(bob, {"post", small.string(), "--name", "live"});
    ASSERT_EQ(posted.exit_code, 0) << posted.err;
    EXPECT_TRUE(browser.wait_for_output("live-seen", 1s)) << browser.out();
    // Bob deletes it while alice's page shows it open; bob revokes carol while hers is open.
    ASSERT_TRUE(browser.wait_for_output("waiting-for-delete", 30s)) << browser.out();
    auto deleted = cluster_.imgshare(bob, {"delete", "live"});
    ASSERT_EQ(deleted.exit_code, 0) << deleted.err;
    EXPECT_TRUE(browser.wait_for_output("delete-seen", 5s)) << browser.out();
    ASSERT_TRUE(browser.wait_for_output("waiting-for-revoke", 30s)) << browser.out();
    auto revoked = cluster_.imgshare(bob, {"share", "for-carol", "--revoke", "carol"});
    ASSERT_EQ(revoked.exit_code, 0) << revoked.err;
    EXPECT_TRUE(browser.wait_for_output("revoke-seen", 5s)) << browser.out();
    ASSERT_TRUE(browser.wait_for_exit(120s)) << browser.out();
    EXPECT_NE(browser.out().find("all checks passed"), std::string::npos)
        << browser.out() << browser.err();

    // What the page posted is what bob's command line downloads, byte for byte.
    auto posted_bytes = read_file(page_image, 4 << 20);
    ASSERT_TRUE(posted_bytes.has_value());
    for (std::string name : {"page-escrow", "page-e2e"}) {
        const fs::path out = cluster_.dir() / ("bob-" + name + ".png");
        auto downloaded = cluster_.imgshare(bob, {"download", name, "--output", out.string()});
        ASSERT_EQ(downloaded.exit_code, 0) << name << ": " << downloaded.err;
        EXPECT_EQ(read_file(out, 4 << 20), posted_bytes) << name;
    }
    // The page of another origin posted nothing.
    auto listed = cluster_.imgshare(alice, {"list", "--json"});
    ASSERT_EQ(listed.exit_code, 0) << listed.err;
    EXPECT_EQ(listed.out.find("\"cross\""), std::string::npos) << listed.out;
}

}  // namespace
}  // namespace imgshare::testing
