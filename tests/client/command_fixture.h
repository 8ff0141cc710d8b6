// The client command tests' plumbing: the imgshare command line run
// in-process (run_command_line), and fixtures that run it against a
// FakeBroker. FakeBrokerCommandTest leaves every answer to the derived
// fixture's serve(); CommandsTest (commands_test.cpp,
// download_command_test.cpp) plays an honest CA and storage node, each request
// type answered by a Behaviour a test may replace.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "client/command_table.h"
#include "common/clock.h"
#include "common/keystore.h"
#include "common/wrap_key.h"
#include "tests/client/fake_broker.h"
#include "tests/client/sealing_support.h"
#include "tests/common/scratch_dir.h"

namespace imgshare::testing {

struct CommandRun {
    int status;
    std::string out;
    std::string err;
};

// Runs `imgshare args...` as the binary would, capturing its exit status and output.
inline CommandRun run_command_line(std::vector<std::string> args, const std::atomic<bool>& stop) {
    args.insert(args.begin(), "imgshare");
    std::vector<const char*> argv;
    for (const auto& arg : args)
        argv.push_back(arg.c_str());
    std::ostringstream out, err;
    int status = client::run_imgshare(static_cast<int>(argv.size()), argv.data(), out, err, stop);
    return {status, out.str(), err.str()};
}

// The command line against a FakeBroker that answers with serve(). SetUp sets the
// passphrase (kPassphrase) and a fast KDF, and writes scratch_/"trust" pinning ca_ and
// the broker's key; a derived SetUp/TearDown calls these first. serve() runs on the
// broker's thread until TearDown stops it, so it may read the derived fixture's members.
class FakeBrokerCommandTest : public ::testing::Test {
  protected:
    static constexpr const char* kPassphrase = "command test passphrase";

    void SetUp() override {
        ::setenv("IMGSHARE_PASSPHRASE", kPassphrase, 1);
        ::setenv("IMGSHARE_TEST_FAST_KDF", "1", 1);
        std::ofstream(scratch_ / "trust") << format_trust(
            TrustAnchors{ca_.keys.public_key, broker_keys_.public_key, std::nullopt,
                         ca_.log_verify_key()});
    }
    void TearDown() override {
        broker_.stop();  // its handler reads members of derived fixtures
        ::unsetenv("IMGSHARE_PASSPHRASE");
        ::unsetenv("IMGSHARE_TEST_FAST_KDF");
    }

    // The messages to answer `request` with.
    virtual std::vector<Frames> serve(const Frames& request) = 0;

    CommandRun imgshare(const std::filesystem::path& home, std::vector<std::string> args) {
        args.insert(args.begin(), {"--home", home.string()});
        return run_command_line(std::move(args), stop_);
    }

    // scratch_/name, initialised for this broker and trust file.
    std::filesystem::path new_home(const std::string& name) {
        auto home = scratch_ / name;
        auto run = imgshare(home, {"init", "--broker", broker_.endpoint(), "--trust",
                                   (scratch_ / "trust").string()});
        EXPECT_EQ(run.status, 0) << run.err;
        return home;
    }

    // new_home(name), registered as `name`.
    std::filesystem::path registered_home(const std::string& name) {
        auto home = new_home(name);
        auto run = imgshare(home, {"register", name});
        EXPECT_EQ(run.status, 0) << run.err;
        return home;
    }

    // Exit 1 with "error: CODE: ..." on stderr.
    static void expect_error(const CommandRun& run, std::string_view code) {
        EXPECT_EQ(run.status, 1) << run.err << run.out;
        EXPECT_EQ(run.err.rfind("error: " + std::string(code) + ": ", 0), 0u) << run.err;
    }

    ScratchDir scratch_;
    TestCa ca_;
    CurveKeyPair broker_keys_ = generate_curve_keys();
    FakeBroker broker_{[this](const Frames& request) { return serve(request); },
                       CurveKeyPair{broker_keys_.public_key,
                                    SecretBytes::copy_of(broker_keys_.secret_key.view())}};
    std::atomic<bool> stop_{false};
};

// What the fake broker does with each request type; a test replaces what it needs.
struct Behaviour {
    std::function<Result<RegisterReply>(const RegisterRequest&)> on_register;
    std::function<Result<CaInfoReply>()> on_ca_info;
    std::function<Result<PostBeginReply>(const PostBeginRequest&)> on_post_begin;
    std::function<Result<DownloadReply>(const DownloadRequest&)> on_download;
    std::function<Result<GetCertReply>(const GetCertRequest&)> on_get_cert;
    std::function<Result<RenewReply>(const RenewRequest&)> on_renew;
    std::function<Result<UsageReply>()> on_usage;
    // The chunk to send for an index (and the index to claim), or an error.
    std::function<Result<std::pair<std::uint32_t, Bytes>>(std::uint32_t)> on_get_chunk;
    // DOWNLOAD carries no chunk, as for an image with a download limit.
    bool download_without_chunk = false;
};

template <class Reply>
Frames answer(const Result<Reply>& reply, std::uint64_t id, ByteView payload = {}) {
    if (!reply) return encode_error(reply.error(), id);
    return encode_ok(*reply, id, payload);
}

class CommandsTest : public FakeBrokerCommandTest {
  protected:
    void SetUp() override {
        FakeBrokerCommandTest::SetUp();
        behaviour_.on_register = [this](const RegisterRequest& request) -> Result<RegisterReply> {
            auto issued = certify(request);
            return RegisterReply{encode_certificate(issued),
                                 ca_.logged(issued, request.log_size_seen)};
        };
        behaviour_.on_ca_info = [this]() -> Result<CaInfoReply> {
            return CaInfoReply{ca_.keys.public_key, wrap_keys_.public_key,
                               sign_wrap_key(wrap_keys_.public_key, ca_.keys.secret_key)};
        };
    }

    // What an honest CA issues for a REGISTER.
    Certificate certify(const RegisterRequest& request, const SecretBytes* signer = nullptr) {
        Certificate fields;
        fields.serial = 42;
        fields.username = request.username;
        fields.sign_pk = request.sign_pk;
        fields.box_pk = request.box_pk;
        fields.curve_pk = request.curve_pk;
        fields.not_before = SystemClock().now_seconds() - 60;
        fields.not_after = SystemClock().now_seconds() + 86400;
        fields.issuer = "fake-ca";
        return issue_certificate(fields, signer ? *signer : ca_.keys.secret_key);
    }

    std::vector<Frames> serve(const Frames& request) override {
        if (request.empty()) return {};
        auto decoded = decode_request(request);
        if (!decoded) return {encode_error(decoded.error(), 0)};
        auto id = decoded->header.id;
        std::lock_guard lock(mutex_);
        if (auto* r = std::get_if<RegisterRequest>(&decoded->request)) {
            registered_sign_keys_.push_back(r->sign_pk);
            return {answer(behaviour_.on_register(*r), id)};
        }
        if (std::holds_alternative<CaInfoRequest>(decoded->request)) {
            return {answer(behaviour_.on_ca_info(), id)};
        }
        if (auto* begin = std::get_if<PostBeginRequest>(&decoded->request)) {
            posted_ = *begin;
            ++begins_;
            return {answer(behaviour_.on_post_begin(*begin), id)};
        }
        if (auto* image = std::get_if<PostImageRequest>(&decoded->request)) {
            // One request: the begin's checks (on_post_begin may refuse), the chunk, the commit.
            posted_ = *image;
            ++image_posts_;
            if (behaviour_.on_post_begin) {
                if (auto begun = behaviour_.on_post_begin(*image); !begun) {
                    return {encode_error(begun.error(), id)};
                }
            }
            uploaded_[0] = Bytes(decoded->payload.begin(), decoded->payload.end());
            ++commits_;
            return {encode_ok(PostCommitReply{"cat", "alice", 9, 1, 0, "escrow", {}}, id)};
        }
        if (auto* chunk = std::get_if<PostChunkRequest>(&decoded->request)) {
            uploaded_[chunk->index] = Bytes(decoded->payload.begin(), decoded->payload.end());
            return {encode_ok(PostChunkReply{chunk->index}, id)};
        }
        if (std::holds_alternative<PostCommitRequest>(decoded->request)) {
            ++commits_;
            return {encode_ok(PostCommitReply{"cat", "alice", 9, 1, 0, "escrow", {}}, id)};
        }
        if (auto* download = std::get_if<DownloadRequest>(&decoded->request)) {
            // Chunk 0 rides in the reply, as the storage node sends it.
            Bytes first_chunk;
            if (behaviour_.on_get_chunk && !behaviour_.download_without_chunk) {
                if (auto chunk = behaviour_.on_get_chunk(0)) first_chunk = chunk->second;
            }
            return {answer(behaviour_.on_download(*download), id, first_chunk)};
        }
        if (auto* renew = std::get_if<RenewRequest>(&decoded->request)) {
            renewals_.push_back(*renew);
            return {answer(behaviour_.on_renew(*renew), id)};
        }
        if (auto* get_cert = std::get_if<GetCertRequest>(&decoded->request)) {
            if (!behaviour_.on_get_cert)
                return {encode_error(Error{ErrorCode::NOT_FOUND, "-"}, id)};
            return {answer(behaviour_.on_get_cert(*get_cert), id)};
        }
        if (auto* asked = std::get_if<LogProofRequest>(&decoded->request)) {
            auto encoded = ca_.log->certificate_of(asked->username, asked->serial);
            if (!encoded) return {encode_error(Error{ErrorCode::NOT_FOUND, "-"}, id)};
            return {encode_ok(LogProofReply{ca_.log->proof(*encoded, asked->log_size_seen)}, id)};
        }
        if (std::holds_alternative<UsageRequest>(decoded->request) && behaviour_.on_usage) {
            return {answer(behaviour_.on_usage(), id)};
        }
        if (auto* get = std::get_if<GetChunkRequest>(&decoded->request)) {
            ++chunk_requests_;
            auto chunk = behaviour_.on_get_chunk(get->index);
            if (!chunk) return {encode_error(chunk.error(), id)};
            return {encode_ok(GetChunkReply{chunk->first}, id, chunk->second)};
        }
        return {encode_error(Error{ErrorCode::BAD_REQUEST, "not faked"}, id)};
    }

    BoxKeyPair wrap_keys_ = generate_box_keys();
    std::mutex mutex_;
    Behaviour behaviour_;
    std::vector<Bytes> registered_sign_keys_;
    std::optional<PostBeginRequest> posted_;
    std::map<std::uint32_t, Bytes> uploaded_;
    std::vector<RenewRequest> renewals_;
    int commits_ = 0;
    int begins_ = 0;       // POST_BEGIN requests
    int image_posts_ = 0;  // POST_IMAGE requests
    int chunk_requests_ = 0;  // GET_CHUNK requests
};

}  // namespace imgshare::testing
