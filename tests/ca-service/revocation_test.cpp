// imgshare-ca revoke: in the registry when no CA runs, through the running
// CA's admin socket when one does, and the notices the running CA sends the
// broker (at once, and again each time it announces itself).
#include "ca-service/revocation.h"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <fstream>
#include <future>

#include "tests/ca-service/worker_test_support.h"

namespace imgshare::ca::testing {
namespace {

namespace fs = std::filesystem;

using RevokeUserTest = CaTest;

TEST_F(RevokeUserTest, RevokesOnceAndSaysSoTheSecondTime) {
    register_ok("alice", UserKeys{});
    auto first = revoke_user(*registry_, "alice", clock_.now_seconds());
    ASSERT_TRUE(first) << error_of(first).message;
    EXPECT_FALSE(first->already);
    EXPECT_EQ(first->revoked_at, clock_.now_seconds());
    EXPECT_EQ(describe(*first), "revoked alice at 2023-11-14T22:13:20Z");

    clock_.advance_seconds(60);
    auto again = revoke_user(*registry_, "alice", clock_.now_seconds());
    ASSERT_TRUE(again) << error_of(again).message;
    EXPECT_TRUE(again->already);
    EXPECT_EQ(again->revoked_at, first->revoked_at);
    EXPECT_EQ(describe(*again), "alice was already revoked at 2023-11-14T22:13:20Z");
}

TEST_F(RevokeUserTest, AnUnknownUserIsNotFoundAndABadNameABadRequest) {
    expect_error(revoke_user(*registry_, "nobody", clock_.now_seconds()), ErrorCode::NOT_FOUND);
    expect_error(revoke_user(*registry_, "../alice", clock_.now_seconds()), ErrorCode::BAD_REQUEST);
    EXPECT_TRUE(registry_->revoked_users().value().empty());
}

TEST_F(RevokeUserTest, WithoutARunningCaTheCommandRevokesInTheRegistry) {
    register_ok("alice", UserKeys{});
    registry_.reset();  // no CA holds the lock now
    auto done = revoke_command(data_dir(), "alice", clock_);
    ASSERT_TRUE(done) << error_of(done).message;
    EXPECT_NE(done->find("revoked alice"), std::string::npos) << *done;
    open();
    EXPECT_TRUE(registry_->is_revoked("alice").value());
}

TEST_F(RevokeUserTest, TheCommandNeedsACaDirectory) {
    expect_error(revoke_command(scratch_.path() / "elsewhere", "alice", clock_), ErrorCode::CONFIG);
    expect_error(revoke_command(data_dir(), "Not A Name", clock_), ErrorCode::BAD_REQUEST);
}

// A running CA: a worker serving revocations, with the registry open (locked) and the
// admin socket bound, behind a stand-in broker.
class RunningCaTest : public WorkerTest {
  protected:
    void install(service::ServiceWorker& worker) override {
        auto admin = AdminServer::bind(data_dir());
        ASSERT_TRUE(admin) << error_of(admin).message;
        admin_ = std::move(*admin);
        install_handlers(worker, *ca_);
        serve_admin_commands(RunningCa{worker, *registry_, *ca_, clock_}, *admin_, log_);
    }

    // The next message from the worker, decoded as a USER_REVOKED notice.
    std::optional<std::string> next_notice() {
        auto frames = receive();
        if (frames.size() < 3) return std::nullopt;
        EXPECT_EQ(decode_header(frames[1]).value().type, "USER_REVOKED");
        auto notice = decode_body<UserRevokedMessage>(frames[2]);
        if (!notice) return std::nullopt;
        return notice->username;
    }

    // `imgshare-ca revoke` from another thread, as the command would run beside the CA.
    Result<std::string> revoke_from_outside(const std::string& username) {
        return std::async(std::launch::async,
                          [&] { return revoke_command(data_dir(), username, clock_); })
            .get();
    }

    std::unique_ptr<AdminServer> admin_;
};

TEST_F(RunningCaTest, RevokeGoesThroughTheAdminSocketAndTheBrokerIsToldAtOnce) {
    register_ok("alice", UserKeys{});
    auto done = revoke_from_outside("alice");
    ASSERT_TRUE(done) << error_of(done).message;
    EXPECT_EQ(*done, "revoked alice at 2023-11-14T22:13:20Z");
    EXPECT_EQ(next_notice(), "alice");
    EXPECT_TRUE(registry_->is_revoked("alice").value());

    // Again: nothing changes, the broker is told again (it may have missed the first).
    auto again = revoke_from_outside("alice");
    ASSERT_TRUE(again) << error_of(again).message;
    EXPECT_NE(again->find("already revoked"), std::string::npos) << *again;
    EXPECT_EQ(next_notice(), "alice");
}

TEST_F(RunningCaTest, TheRunningCaReportsAnUnknownUser) {
    expect_error(revoke_from_outside("nobody"), ErrorCode::NOT_FOUND);
}

TEST_F(RunningCaTest, EveryRevokedUserIsAnnouncedAgainWhenTheCaAnnouncesItself) {
    register_ok("alice", UserKeys{});
    register_ok("bob", UserKeys{});
    register_ok("carol", UserKeys{});
    ASSERT_TRUE(registry_->revoke("carol", clock_.now_seconds()));
    ASSERT_TRUE(registry_->revoke("alice", clock_.now_seconds()));
    // The broker lost track of the worker (it restarted): it asks for a new READY.
    net::ZmqFrames disconnect;
    disconnect.push_back(net::frame_of(worker_identity_));
    for (const auto& frame : encode(DisconnectMessage{}, 0))
        disconnect.push_back(net::frame_of(frame));
    ASSERT_TRUE(net::send_message(broker_.socket(), disconnect));
    auto ready = receive();
    ASSERT_GE(ready.size(), 2u);
    EXPECT_EQ(decode_header(ready[1]).value().type, "READY");
    EXPECT_EQ(next_notice(), "alice");
    EXPECT_EQ(next_notice(), "carol");
}

TEST_F(RunningCaTest, TheAdminSocketIsPrivateAndRefusesWhatIsNotARequest) {
    auto path = admin_socket_path(data_dir());
    struct stat info {};
    ASSERT_EQ(::stat(path.c_str(), &info), 0);
    EXPECT_TRUE(S_ISSOCK(info.st_mode));
    EXPECT_EQ(info.st_mode & 0777, 0600u);
    EXPECT_EQ(fs::status(data_dir()).permissions() & fs::perms::all, fs::perms::owner_all);

    auto unknown = std::async(std::launch::async, [&] {
                       return ask_running_ca(data_dir(), AdminRequest{"UNREVOKE", "alice"},
                                             std::chrono::seconds(10));
                   }).get();
    ASSERT_TRUE(unknown) << error_of(unknown).message;
    EXPECT_EQ(unknown->error, ErrorCode::BAD_REQUEST);

    zmq::context_t context(1);
    zmq::socket_t raw(context, zmq::socket_type::req);
    raw.set(zmq::sockopt::linger, 0);
    raw.connect("ipc://" + fs::absolute(path).string());
    raw.send(zmq::buffer(std::string("\xc1 not msgpack")), zmq::send_flags::none);
    zmq::pollitem_t item{raw.handle(), 0, ZMQ_POLLIN, 0};
    ASSERT_EQ(zmq::poll(&item, 1, std::chrono::seconds(10)), 1);
    zmq::message_t reply;
    ASSERT_TRUE(raw.recv(reply));
    auto decoded = decode_map<AdminReply>(net::view_of(reply));
    ASSERT_TRUE(decoded) << error_of(decoded).message;
    EXPECT_EQ(decoded->error, ErrorCode::BAD_REQUEST);
    EXPECT_TRUE(registry_->revoked_users().value().empty());
}

TEST(AdminChannelTest, NoRunningCaIsServiceUnavailable) {
    imgshare::testing::ScratchDir dir;
    expect_error(
        ask_running_ca(dir.path(), AdminRequest{"REVOKE", "alice"}, std::chrono::milliseconds(200)),
        ErrorCode::SERVICE_UNAVAILABLE);
    // A file left where the socket was (a CA that died): nobody answers.
    std::ofstream(admin_socket_path(dir.path())) << "stale";
    expect_error(
        ask_running_ca(dir.path(), AdminRequest{"REVOKE", "alice"}, std::chrono::milliseconds(200)),
        ErrorCode::SERVICE_UNAVAILABLE);
}

TEST(AdminChannelTest, APathTooLongForASocketIsAConfigError) {
    imgshare::testing::ScratchDir dir;
    auto deep = dir.path() / std::string(110, 'd');
    fs::create_directories(deep);
    expect_error(AdminServer::bind(deep), ErrorCode::CONFIG);
}

}  // namespace
}  // namespace imgshare::ca::testing
