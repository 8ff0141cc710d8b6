// The watcher against a fake broker (LIST) and a fake event socket: catch-up
// first, each image once, duplicates skipped, gaps filled from the feed, and
// nothing reported twice across a restart.
#include "client/watcher.h"

#include <gtest/gtest.h>

#include <fstream>
#include <mutex>
#include <thread>

#include "common/clock.h"
#include "common/keystore.h"
#include "tests/client/fake_broker.h"
#include "tests/client/sealing_support.h"
#include "tests/common/scratch_dir.h"

namespace imgshare::client {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using namespace imgshare::testing;

constexpr const char* kPassphrase = "watcher test passphrase";

ImageSummary image(std::uint64_t seq) {
    return ImageSummary{"img" + std::to_string(seq), "alice", seq, 4096, kNow, "escrow"};
}

ImageEvent event_of(const ImageSummary& summary) {
    return ImageEvent{
        {summary.name, summary.owner, summary.seq, summary.size, summary.created_at, summary.mode},
        std::nullopt};
}

class WatcherTest : public ::testing::Test {
  protected:
    void SetUp() override {
        ::setenv("IMGSHARE_PASSPHRASE", kPassphrase, 1);
        auto broker = parse_endpoint(broker_.endpoint());
        auto events = parse_endpoint(publisher_.endpoint());
        std::ofstream(scratch_ / "trust")
            << format_trust(TrustAnchors{ca_.keys.public_key, broker_keys_public_, std::nullopt,
                                         ca_.log_verify_key()});
        ASSERT_TRUE(home_.initialise(ClientConfig{*broker, *events}, scratch_ / "trust"));
        Keystore keystore = home_.keystore();
        ASSERT_TRUE(keystore.create(bob_.keys, kPassphrase, KdfStrength::TestOnlyMinimum));
        ASSERT_TRUE(keystore.save_certificate(bob_.certificate));
    }
    void TearDown() override {
        stop_watcher();
        ::unsetenv("IMGSHARE_PASSPHRASE");
    }

    void add_to_feed(std::uint64_t seq) {
        std::lock_guard lock(feed_mutex_);
        feed_.push_back(image(seq));
    }

    void start_watcher() {
        stop_ = false;
        output_ = std::make_unique<std::ofstream>(out_path_, std::ios::app);
        watcher_ = std::thread([this] {
            GlobalOptions options{home_.dir().string(), false, ""};
            auto session = Session::open(options, stop_);
            ASSERT_TRUE(session) << session.error().message;
            auto identity = (*session)->unlock();
            ASSERT_TRUE(identity) << identity.error().message;
            // The feed is what is tested here; the certificate log's checks have tests of their
            // own (CertificateLogImpersonationTest).
            WatchOptions watch_options;
            watch_options.log_check_interval = std::chrono::seconds(0);
            Watcher watcher(**session, std::move(*identity), watch_options, *output_, errors_);
            result_ = watcher.run();
        });
    }

    void stop_watcher() {
        stop_ = true;
        if (watcher_.joinable()) watcher_.join();
    }

    std::vector<std::string> lines() const {
        std::ifstream in(out_path_);
        std::vector<std::string> result;
        for (std::string line; std::getline(in, line);)
            result.push_back(line);
        return result;
    }

    // Waits (up to ~10 s) for `count` lines of output.
    std::vector<std::string> wait_for_lines(std::size_t count) const {
        for (int i = 0; i < 500 && lines().size() < count; ++i)
            std::this_thread::sleep_for(20ms);
        return lines();
    }

    static std::string line_for(std::uint64_t seq) {
        return "NEW_IMAGE img" + std::to_string(seq) + " alice " + std::to_string(seq) + " 4096";
    }

    ScratchDir scratch_;
    TestCa ca_;
    TestUser bob_ = ca_.user("bob", 2, SystemClock().now_seconds());
    CurveKeyPair broker_keys_ = generate_curve_keys();
    Bytes broker_keys_public_ = broker_keys_.public_key;
    std::mutex feed_mutex_;
    std::vector<ImageSummary> feed_;
    std::atomic<int> list_requests_{0};
    FakeBroker broker_{[this](const Frames& request) -> std::vector<Frames> {
                           if (request.empty()) return {};
                           auto decoded = decode_request(request);
                           if (!decoded || !std::holds_alternative<ListRequest>(decoded->request)) {
                               return {encode_error(Error{ErrorCode::BAD_REQUEST, "LIST only"},
                                                    decoded ? decoded->header.id : 0)};
                           }
                           auto list = std::get<ListRequest>(decoded->request);
                           ++list_requests_;
                           ListReply reply;
                           std::lock_guard lock(feed_mutex_);
                           for (const auto& item : feed_) {
                               if (item.seq > list.after_seq) reply.items.push_back(item);
                           }
                           reply.last_seq =
                               reply.items.empty() ? list.after_seq : reply.items.back().seq;
                           return {encode_ok(reply, decoded->header.id)};
                       },
                       CurveKeyPair{broker_keys_.public_key,
                                    SecretBytes::copy_of(broker_keys_.secret_key.view())}};
    FakePublisher publisher_{broker_keys_};
    ClientHome home_{scratch_ / "home"};
    fs::path out_path_ = scratch_ / "watch.out";
    std::unique_ptr<std::ofstream> output_;
    std::ostringstream errors_;
    std::atomic<bool> stop_{false};
    std::thread watcher_;
    Result<void> result_;
};

TEST_F(WatcherTest, CatchesUpThenFollowsEventsOnceEachAndFillsGapsFromTheFeed) {
    add_to_feed(1);
    add_to_feed(2);
    start_watcher();
    // It subscribes to escrow images and to its own topic, nothing else.
    auto topics = publisher_.wait_for_subscriptions(2);
    EXPECT_EQ(std::set<std::string>(topics.begin(), topics.end()),
              (std::set<std::string>{"image", "user.bob/"}));
    ASSERT_EQ(wait_for_lines(2), (std::vector<std::string>{line_for(1), line_for(2)}));

    publisher_.publish(event_of(image(2)), "image");  // already seen through LIST
    add_to_feed(3);
    publisher_.publish(event_of(image(3)), "image");
    ASSERT_EQ(wait_for_lines(3).back(), line_for(3));

    // Event 4 was lost; 5 arrives: the watcher asks the feed, which has both.
    add_to_feed(4);
    add_to_feed(5);
    publisher_.publish(event_of(image(5)), "image");
    auto all = wait_for_lines(5);
    stop_watcher();
    ASSERT_TRUE(result_) << result_.error().message;
    EXPECT_EQ(all, (std::vector<std::string>{line_for(1), line_for(2), line_for(3), line_for(4),
                                             line_for(5)}));
    EXPECT_EQ(home_.load_last_seq(), 5u);
}

TEST_F(WatcherTest, RestartReportsOnlyWhatIsNew) {
    add_to_feed(1);
    add_to_feed(2);
    start_watcher();
    ASSERT_EQ(wait_for_lines(2).size(), 2u);
    stop_watcher();
    add_to_feed(3);  // posted while the watcher was not running
    int requests_before = list_requests_;
    start_watcher();
    auto all = wait_for_lines(3);
    // Wait until the restarted watcher has asked the feed at least once more.
    for (int i = 0; i < 500 && list_requests_ <= requests_before; ++i)
        std::this_thread::sleep_for(20ms);
    stop_watcher();
    EXPECT_EQ(lines(), (std::vector<std::string>{line_for(1), line_for(2), line_for(3)}));
    EXPECT_EQ(home_.load_last_seq(), 3u);
}

}  // namespace
}  // namespace imgshare::client
