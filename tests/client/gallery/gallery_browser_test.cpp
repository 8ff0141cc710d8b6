// The gallery in a real headless Chromium (Debian's `chromium`, driven by playwright-core from
// tests/browser/, run by node): a real cluster, a real `imgshare gallery`, real images. The
// checks themselves are in tests/browser/gallery_check.mjs; this test prepares what it
// expects, posts the live image when the page is waiting for it, and asserts it appeared
// within 1 s. Skipped, saying why, only when chromium, node or `npm ci` is missing.
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
    auto original = read_file(kDemoImage, 1 << 20);
    ASSERT_TRUE(original.has_value());
    ASSERT_EQ(cluster_.imgshare(alice, {"post", kDemoImage.string(), "--name", "demo"}).exit_code,
              0);
    auto small = cluster_.small_png("bad.png");
    ASSERT_EQ(cluster_.imgshare(bob, {"post", small.string(), "--name", "bad"}).exit_code, 0);
    ASSERT_TRUE(corrupt_first_chunk(cluster_, "bad"));
    auto whoami = cluster_.imgshare(alice, {"whoami", "--json"});
    ASSERT_EQ(whoami.exit_code, 0) << whoami.err;
    auto serial = nlohmann::json::parse(whoami.out)["serial"].get<std::uint64_t>();

    GalleryProcess gallery(cluster_, alice, "alice");
    ASSERT_TRUE(gallery.started());
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
    };
    if (const char* dir = std::getenv("GALLERY_SCREENSHOT_DIR")) env["SCREENSHOT_DIR"] = dir;
    Process browser({"/usr/bin/node", (kBrowserDir / "gallery_check.mjs").string()},
                    cluster_.dir() / "browser", env);
    ASSERT_TRUE(browser.wait_for_output("waiting-for-live", 60s))
        << browser.out() << browser.err();
    auto posted = cluster_.imgshare(bob, {"post", small.string(), "--name", "live"});
    ASSERT_EQ(posted.exit_code, 0) << posted.err;
    EXPECT_TRUE(browser.wait_for_output("live-seen", 1s)) << browser.out();
    ASSERT_TRUE(browser.wait_for_exit(120s)) << browser.out();
    EXPECT_NE(browser.out().find("all checks passed"), std::string::npos)
        << browser.out() << browser.err();
}

}  // namespace
}  // namespace imgshare::testing
