// imgshare-ca reissue: a new certificate for the keys of an expired one, in
// the registry when no CA runs and through the running CA's admin socket when
// one does; the refusals, each with its code; the protocol log's record.
#include "ca-service/reissue.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <fstream>
#include <future>
#include <sstream>

#include "ca-service/revocation.h"
#include "common/renewal.h"
#include "tests/ca-service/worker_test_support.h"

namespace imgshare::ca::testing {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kPastAYear = 366 * 86'400;
constexpr std::int64_t kThirtyDays = 30 * 86'400;

// The protocol log's lines with peer "admin", parsed.
std::vector<nlohmann::json> admin_lines_of(const fs::path& log_file) {
    std::vector<nlohmann::json> lines;
    std::ifstream in(log_file);
    for (std::string line; std::getline(in, line);) {
        auto parsed = nlohmann::json::parse(line);
        if (parsed["peer"] == "admin") lines.push_back(std::move(parsed));
    }
    return lines;
}

std::string whole_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

class ReissueTest : public CaTest {
  protected:
    Certificate stored_certificate(const std::string& username) {
        return decode_certificate(registry_->certificate_of(username).value().value()).value();
    }
};

TEST_F(ReissueTest, AnExpiredCertificateGetsANewSerialAndValidityForTheSameKeys) {
    UserKeys keys;
    auto first = decode_certificate(register_ok("alice", keys)).value();
    clock_.advance_seconds(kPastAYear);
    const auto serial = next_serial();

    auto reissued = ca_->reissue("alice", kThirtyDays);
    ASSERT_TRUE(reissued) << error_of(reissued).message;
    const Certificate& fresh = reissued->certificate;
    EXPECT_EQ(reissued->replaced_serial, first.serial);
    EXPECT_EQ(fresh.serial, serial);
    EXPECT_EQ(fresh.username, "alice");
    EXPECT_EQ(fresh.sign_pk, first.sign_pk);
    EXPECT_EQ(fresh.box_pk, first.box_pk);
    EXPECT_EQ(fresh.curve_pk, first.curve_pk);
    EXPECT_EQ(fresh.not_before, clock_.now_seconds() - kClockSkewSeconds);
    EXPECT_EQ(fresh.not_after, clock_.now_seconds() + kThirtyDays);
    EXPECT_TRUE(verify_certificate(fresh, keys_->signing.public_key, clock_.now_seconds()));
    EXPECT_EQ(describe(*reissued), "reissued alice: certificate #2 replaces #1, valid until "
                                   "2024-12-14T22:13:20Z");
    // On disk, as the current certificate; the broker's lookup sees its new end.
    restart();
    EXPECT_EQ(stored_certificate("alice"), fresh);
    EXPECT_EQ(next_serial(), serial + 1);
    auto lookup = ca_->lookup_curve_key(LookupCurveKeyRequest{keys.curve.public_key}, from_broker());
    ASSERT_TRUE(lookup) << error_of(lookup).message;
    EXPECT_EQ(lookup->username, "alice");
    EXPECT_EQ(lookup->not_after, fresh.not_after);
    // Without a validity, the CA's own.
    clock_.advance_seconds(kThirtyDays);
    auto again = ca_->reissue("alice");
    ASSERT_TRUE(again) << error_of(again).message;
    EXPECT_EQ(again->certificate.not_after, clock_.now_seconds() + kDefaultValiditySeconds);
}

TEST_F(ReissueTest, AStillValidCertificateIsABadRequestAndTheUserRenews) {
    auto encoded = register_ok("alice", UserKeys{});
    const auto serial = next_serial();
    // To its last valid second.
    clock_.advance_seconds(kDefaultValiditySeconds - 1);
    auto refused = ca_->reissue("alice");
    expect_error(refused, ErrorCode::BAD_REQUEST);
    EXPECT_EQ(error_of(refused).message,
              "certificate of alice is still valid; the user runs `imgshare renew`");
    EXPECT_EQ(registry_->certificate_of("alice").value(), encoded);
    EXPECT_EQ(next_serial(), serial);
}

TEST_F(ReissueTest, ARevokedUserIsNeverReissued) {
    auto encoded = register_ok("alice", UserKeys{});
    ASSERT_TRUE(revoke_user(*registry_, "alice", clock_.now_seconds()));
    clock_.advance_seconds(kPastAYear);
    const auto serial = next_serial();
    expect_error(ca_->reissue("alice"), ErrorCode::REVOKED);
    EXPECT_EQ(registry_->certificate_of("alice").value(), encoded);
    EXPECT_EQ(next_serial(), serial);
}

TEST_F(ReissueTest, AnUnknownUserIsNotFoundAndABadNameABadRequest) {
    expect_error(ca_->reissue("nobody"), ErrorCode::NOT_FOUND);
    expect_error(ca_->reissue("../alice"), ErrorCode::BAD_REQUEST);
    EXPECT_EQ(next_serial(), 1u);
}

TEST_F(ReissueTest, ARenewalProofOfTheReplacedCertificateIsNotAnsweredWithTheNewOne) {
    UserKeys keys;
    auto first = decode_certificate(register_ok("alice", keys)).value();
    // A renewal, whose proof a retry could repeat.
    const auto requested_at = clock_.now_seconds();
    RenewRequest renewal{"alice", first.serial, requested_at,
                         make_renewal_proof(keys_->signing.public_key, first, requested_at,
                                            keys.sign.secret_key)};
    ASSERT_TRUE(ca_->renew(renewal, as_user("alice")));
    EXPECT_TRUE(registry_->last_renewal_proof("alice").value().has_value());
    clock_.advance_seconds(kPastAYear);
    ASSERT_TRUE(ca_->reissue("alice"));
    EXPECT_FALSE(registry_->last_renewal_proof("alice").value().has_value());
}

TEST_F(ReissueTest, WithoutARunningCaTheCommandReissuesInTheRegistryAndLogsIt) {
    register_ok("alice", UserKeys{});
    clock_.advance_seconds(kPastAYear);
    ca_.reset();
    registry_.reset();  // no CA holds the lock now
    auto done = reissue_command(data_dir(), "alice", kThirtyDays, clock_);
    ASSERT_TRUE(done) << error_of(done).message;
    EXPECT_EQ(*done, "reissued alice: certificate #2 replaces #1, valid until "
                     "2024-12-14T22:13:20Z (no CA is running)");
    // Again, now that it is valid: refused, and logged as refused.
    auto again = reissue_command(data_dir(), "alice", std::nullopt, clock_);
    expect_error(again, ErrorCode::BAD_REQUEST);
    EXPECT_EQ(error_of(again).message,
              "certificate of alice is still valid; the user runs `imgshare renew`");
    open();
    EXPECT_EQ(stored_certificate("alice").serial, 2u);

    auto lines = admin_lines_of(data_dir() / "protocol.log");
    ASSERT_EQ(lines.size(), 4u);
    EXPECT_EQ(lines[0]["direction"], "received");
    EXPECT_EQ(lines[0]["type"], "REISSUE");
    EXPECT_EQ(lines[0]["fields"]["username"], "alice");
    EXPECT_EQ(lines[0]["fields"]["validity_seconds"], kThirtyDays);
    EXPECT_EQ(lines[1]["direction"], "sent");
    EXPECT_EQ(lines[1]["type"], "OK");
    EXPECT_EQ(lines[1]["fields"]["message"], *done);
    EXPECT_EQ(lines[3]["type"], "ERROR");
    EXPECT_EQ(lines[3]["fields"]["error"], "BAD_REQUEST");
    // No secret of the CA's reaches the log.
    const auto log = whole_file(data_dir() / "protocol.log");
    EXPECT_EQ(log.find(to_hex(keys_->signing.secret_key.view())), std::string::npos);
}

TEST_F(ReissueTest, TheCommandNeedsACaDirectory) {
    const auto elsewhere = scratch_.path() / "elsewhere";
    expect_error(reissue_command(elsewhere, "alice", std::nullopt, clock_), ErrorCode::CONFIG);
    EXPECT_FALSE(fs::exists(elsewhere));
    expect_error(reissue_command(data_dir(), "Not A Name", std::nullopt, clock_),
                 ErrorCode::BAD_REQUEST);
}

// A running CA serving the admin socket, its protocol log in a file; alice's certificate
// ended before it started.
class RunningCaReissueTest : public WorkerTest {
  protected:
    void SetUp() override {
        log_ = ProtocolLog("imgshare-ca", log_file());
        WorkerTest::SetUp();
    }

    void install(service::ServiceWorker& worker) override {
        alice_certificate_ = register_ok("alice", alice_keys_);
        register_ok("bob", UserKeys{});
        ASSERT_TRUE(registry_->revoke("bob", clock_.now_seconds()));
        clock_.advance_seconds(kPastAYear);
        auto admin = AdminServer::bind(data_dir());
        ASSERT_TRUE(admin) << error_of(admin).message;
        admin_ = std::move(*admin);
        install_handlers(worker, *ca_);
        serve_admin_commands(RunningCa{worker, *registry_, *ca_, clock_}, *admin_, log_);
    }

    fs::path log_file() const { return scratch_.path() / "ca-protocol.log"; }

    // `imgshare-ca reissue` from another thread, as the command would run beside the CA.
    Result<std::string> reissue_from_outside(const std::string& username,
                                             std::optional<std::int64_t> validity) {
        return std::async(std::launch::async, [&] {
                   return reissue_command(data_dir(), username, validity, clock_);
               }).get();
    }

    UserKeys alice_keys_;
    Bytes alice_certificate_;
    std::unique_ptr<AdminServer> admin_;
};

TEST_F(RunningCaReissueTest, ReissueGoesThroughTheAdminSocketAndIsLogged) {
    auto done = reissue_from_outside("alice", kThirtyDays);
    ASSERT_TRUE(done) << error_of(done).message;
    EXPECT_EQ(*done, "reissued alice: certificate #3 replaces #1, valid until "
                     "2024-12-14T22:13:20Z");
    auto fresh = decode_certificate(registry_->certificate_of("alice").value().value()).value();
    EXPECT_EQ(fresh.serial, 3u);
    EXPECT_EQ(fresh.curve_pk, alice_keys_.curve.public_key);

    auto still_valid = reissue_from_outside("alice", std::nullopt);
    expect_error(still_valid, ErrorCode::BAD_REQUEST);
    EXPECT_EQ(error_of(still_valid).message,
              "certificate of alice is still valid; the user runs `imgshare renew`");
    expect_error(reissue_from_outside("bob", std::nullopt), ErrorCode::REVOKED);
    expect_error(reissue_from_outside("nobody", std::nullopt), ErrorCode::NOT_FOUND);

    // The CA's own protocol log holds each exchange, in order.
    log_.flush();
    auto lines = admin_lines_of(log_file());
    ASSERT_EQ(lines.size(), 8u);
    EXPECT_EQ(lines[0]["type"], "REISSUE");
    EXPECT_EQ(lines[0]["fields"]["username"], "alice");
    EXPECT_EQ(lines[1]["type"], "OK");
    EXPECT_EQ(lines[1]["fields"]["message"], *done);
    EXPECT_EQ(lines[3]["fields"]["error"], "BAD_REQUEST");
    EXPECT_EQ(lines[5]["fields"]["error"], "REVOKED");
    EXPECT_EQ(lines[7]["fields"]["error"], "NOT_FOUND");
}

}  // namespace
}  // namespace imgshare::ca::testing
