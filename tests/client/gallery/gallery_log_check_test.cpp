// The gallery watches the certificate log for its user's name as `watch` does (issue #22): a
// certificate the CA issued in alice's name with keys that are not hers is reported on the
// gallery's stderr, given to the page (GET /api/log) and shown there as an alert in a real
// headless chromium, while the gallery goes on serving.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "tests/integration/support/cluster_fixture.h"
#include "tests/integration/support/gallery_process.h"
#include "tests/integration/support/impostor.h"
#include "tests/integration/support/wait.h"

namespace imgshare::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const fs::path kBrowserScripts = IMGSHARE_BROWSER_TESTS_DIR;

// The page's findings, as it asks for them (with its cookie).
nlohmann::json page_findings(const GalleryProcess& gallery) {
    httplib::Client client("127.0.0.1", gallery.port());
    const std::string host = "127.0.0.1:" + std::to_string(gallery.port());
    auto response = client.Get("/api/log", httplib::Headers{{"Host", host},
                                                           {"Cookie", "imgshare_gallery=" +
                                                                          gallery.token()}});
    if (!response || response->status != 200) return nullptr;
    return nlohmann::json::parse(response->body, nullptr, false)["findings"];
}

bool browser_available() {
    const char* chromium = std::getenv("CHROMIUM");
    return fs::exists(chromium ? chromium : "/usr/bin/chromium") && fs::exists("/usr/bin/node") &&
           fs::exists(kBrowserScripts / "node_modules" / "playwright-core");
}

class GalleryLogCheckTest : public ClusterTest {};

TEST_F(GalleryLogCheckTest, AnImpostorCertificateIsReportedAndShownOnThePage) {
    auto alice = cluster_.new_user("alice");
    auto bob = cluster_.new_user("bob");
    GalleryProcess gallery(cluster_, alice, "alice", {"--log-check", "1"});
    ASSERT_TRUE(gallery.started());
    EXPECT_EQ(page_findings(gallery), nlohmann::json::array());

    // The page in chromium, when there is one, watches for the alert from here on.
    std::unique_ptr<Process> page;
    const std::string expected = "certificate #3 for alice (entry 2)";
    if (browser_available()) {
        std::map<std::string, std::string> env{{"GALLERY_URL", gallery.url()},
                                               {"EXPECT_TEXT", expected}};
        if (const char* dir = std::getenv("GALLERY_SCREENSHOT_DIR")) {
            env["SCREENSHOT"] = (fs::path(dir) / "gallery-log-alert.png").string();
        }
        page = std::make_unique<Process>(
            std::vector<std::string>{"/usr/bin/node", (kBrowserScripts / "log_alert_check.mjs").string()},
            cluster_.dir() / "browser", env);
        ASSERT_TRUE(page->wait_for_output("waiting-for-impostor", 60s)) << page->out() << page->err();
    }

    Certificate impostor;
    ASSERT_TRUE(issue_impostor(cluster_, "alice", impostor));

    EXPECT_TRUE(gallery.process().wait_for_err(
        "error: IMPERSONATION: the certificate log holds " + expected, 15s))
        << gallery.process().err();
    nlohmann::json findings;
    EXPECT_TRUE(wait_until([&] {
        findings = page_findings(gallery);
        return findings.is_array() && !findings.empty();
    }, 15s, "the page's findings"));
    ASSERT_EQ(findings.size(), 1u) << findings.dump();
    EXPECT_EQ(findings[0]["code"], "IMPERSONATION");
    EXPECT_EQ(findings[0]["entry"], 2);
    EXPECT_EQ(findings[0]["serial"], 3);
    EXPECT_EQ(findings[0]["sign_pk"], to_hex(impostor.sign_pk));
    EXPECT_TRUE(gallery.process().running());  // it goes on serving

    if (page) {
        ASSERT_TRUE(page->wait_for_exit(60s)) << page->out();
        EXPECT_NE(page->out().find("all checks passed"), std::string::npos)
            << page->out() << page->err();
    } else {
        std::cout << "[ note ] the page's alert was not checked in a browser: chromium, node or "
                     "tests/browser/node_modules is missing\n";
    }
    (void)bob;
}

}  // namespace
}  // namespace imgshare::testing
