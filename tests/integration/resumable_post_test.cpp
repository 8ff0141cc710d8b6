// Posts that survive being cut (docs/CLIENT.md, "Interrupted posts"): a post
// whose client or storage node was killed mid-upload is finished by running
// the same command again, from the first chunk the node lacks and with the
// same signed envelope; a post that had been committed reports its original
// success; `uploads` shows what is pending and `--abandon` ends it, freeing
// the owner's place and the node's disk; a restart of the node never extends
// a pending upload's time-out. The real processes; the client's protocol log
// tells what each run sent.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/support/cluster_fixture.h"
#include "tests/integration/support/wait.h"

namespace imgshare::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;

// Large enough that a post takes a while after its first chunks are stored, and past the
// size whose chunks skip the node's write-ahead log (docs/STORAGE.md).
constexpr size_t kBigImageBytes = 24u << 20;

// The JSON lines of a protocol log from byte `from` on.
std::vector<json> log_lines(const fs::path& log, size_t from = 0) {
    std::vector<json> lines;
    auto text = read_text(log);
    size_t start = std::min(from, text.size());
    while (start < text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        auto line = json::parse(text.substr(start, end - start), nullptr, false);
        if (!line.is_discarded()) lines.push_back(std::move(line));
        start = end + 1;
    }
    return lines;
}

std::vector<json> sent(const std::vector<json>& lines, const std::string& type) {
    std::vector<json> found;
    for (const auto& line : lines) {
        if (line.value("direction", "") == "sent" && line.value("type", "") == type) {
            found.push_back(line);
        }
    }
    return found;
}

// The reply a log holds to request `request` (same id).
json reply_to(const std::vector<json>& lines, const json& request) {
    for (const auto& line : lines) {
        if (line.value("direction", "") == "received" && line["id"] == request["id"]) return line;
    }
    return json();
}

size_t size_of(const fs::path& path) {
    std::error_code error;
    auto size = fs::file_size(path, error);
    return error ? 0 : static_cast<size_t>(size);
}

std::uintmax_t blob_bytes(const fs::path& db) {
    std::uintmax_t total = 0;
    std::error_code error;
    for (fs::directory_iterator it(db, error), end; !error && it != end; it.increment(error)) {
        if (it->path().extension() == ".blob") total += size_of(it->path());
    }
    return total;
}

class ResumablePostTest : public ::testing::Test {
  protected:
    explicit ResumablePostTest(ClusterOptions options = {}) : cluster_(std::move(options)) {}

    void SetUp() override {
        alice_ = cluster_.new_user("alice");
        bob_ = cluster_.new_user("bob");
        big_ = cluster_.dir() / "big.png";
        write_large_image(big_, kBigImageBytes);
    }

    // `imgshare post` of the big image as alice, killed once the storage node has received
    // `chunks` of its chunks.
    void post_big_and_kill_after(size_t chunks) {
        const auto before = chunks_received();
        Process post({executable("imgshare"), "--home", alice_.string(), "post", big_.string(),
                      "--name", "big"},
                     cluster_.dir() / "cut-post", cluster_.client_env());
        ASSERT_TRUE(wait_until([&] { return chunks_received() >= before + chunks; }, 60s,
                               "chunks of the big image at the storage node"))
            << post.err();
        post.kill_hard();
    }

    size_t chunks_received() const {
        return count_of(read_text(cluster_.storage_dir() / "protocol.log"),
                        "\"type\":\"POST_CHUNK\"");
    }

    // alice's pending uploads, as `imgshare uploads --json` lists them.
    std::vector<json> uploads() {
        auto listed = cluster_.imgshare(alice_, {"uploads", "--json"});
        EXPECT_EQ(listed.exit_code, 0) << listed.err;
        std::vector<json> rows;
        std::istringstream lines(listed.out);
        for (std::string line; std::getline(lines, line);)
            rows.push_back(json::parse(line));
        return rows;
    }

    fs::path client_log() const { return alice_ / "protocol.log"; }

    Cluster cluster_;
    fs::path alice_, bob_, big_;
};

std::uintmax_t bytes_under(const fs::path& dir) {
    std::uintmax_t total = 0;
    std::error_code error;
    for (fs::directory_iterator it(dir, error), end; !error && it != end; it.increment(error))
        total += size_of(it->path());
    return total;
}

TEST_F(ResumablePostTest, AKilledPostResumesFromTheFirstChunkTheNodeLacksWithTheSameEnvelope) {
    post_big_and_kill_after(8);
    // What the cut post kept in the home: its record and sealed key, no ciphertext.
    EXPECT_TRUE(fs::exists(alice_ / "uploads" / "big.key"));
    EXPECT_LT(bytes_under(alice_ / "uploads"), 4096u);
    auto pending = uploads();
    ASSERT_EQ(pending.size(), 1u);
    EXPECT_EQ(pending[0]["name"], "big");
    EXPECT_EQ(pending[0]["state"], "resumable");
    const std::uint32_t stored = pending[0]["chunks_stored"];
    const std::uint32_t chunk_count = pending[0]["chunk_count"];
    ASSERT_GT(stored, 0u);
    ASSERT_LT(stored, chunk_count);

    const auto cut_at = size_of(client_log());
    auto again = cluster_.imgshare(alice_, {"post", big_.string(), "--name", "big"});
    ASSERT_EQ(again.exit_code, 0) << again.err;
    EXPECT_EQ(again.out, "posted big (seq 1)\n");

    const auto first_run = log_lines(client_log());
    const auto second_run = log_lines(client_log(), cut_at);
    // No new seal: no CA_INFO for a wrap key, and the very envelope the first run signed.
    EXPECT_TRUE(sent(second_run, "CA_INFO").empty());
    const auto begins = sent(second_run, "POST_BEGIN");
    ASSERT_EQ(begins.size(), 1u);
    EXPECT_EQ(begins[0]["fields"]["envelope"], sent(first_run, "POST_BEGIN").at(0)["fields"]["envelope"]);
    // It went on from the first chunk the node lacked, and sent no chunk stored before.
    const auto started = reply_to(second_run, begins[0]);
    EXPECT_EQ(started["fields"]["next_index"], stored);
    const auto chunks = sent(second_run, "POST_CHUNK");
    EXPECT_EQ(chunks.size(), chunk_count - stored);
    for (const auto& chunk : chunks)
        EXPECT_GE(chunk["fields"]["index"].get<std::uint32_t>(), stored);

    EXPECT_TRUE(cluster_.download_matches(bob_, "big", big_));
    EXPECT_TRUE(uploads().empty());
    EXPECT_FALSE(fs::exists(alice_ / "uploads" / "big.key"));
}

TEST_F(ResumablePostTest, ACutPostOfAFileChangedSinceIsRefusedWithHowToStartOver) {
    post_big_and_kill_after(4);
    const auto handle = uploads().at(0)["upload"].get<std::string>();
    write_large_image(big_, kBigImageBytes, 7);  // the same size, other bytes
    const auto cut_at = size_of(client_log());
    auto again = cluster_.imgshare(alice_, {"post", big_.string(), "--name", "big"});
    EXPECT_TRUE(has_error(again, "BAD_REQUEST")) << again.err;
    EXPECT_NE(again.err.find("changed since"), std::string::npos) << again.err;
    EXPECT_NE(again.err.find("uploads --abandon " + handle), std::string::npos) << again.err;
    // Nothing of the changed file was sent under the kept key.
    EXPECT_TRUE(sent(log_lines(client_log(), cut_at), "POST_CHUNK").empty());

    // Starting over as told posts the file as it is now.
    ASSERT_EQ(cluster_.imgshare(alice_, {"uploads", "--abandon", handle}).exit_code, 0);
    auto fresh = cluster_.imgshare(alice_, {"post", big_.string(), "--name", "big"});
    ASSERT_EQ(fresh.exit_code, 0) << fresh.err;
    EXPECT_TRUE(cluster_.download_matches(bob_, "big", big_));
}

TEST_F(ResumablePostTest, APostCutByAKilledStorageNodeResumesAfterItsRestart) {
    // Past one chunks memtable (4 MiB, 16 chunks): some chunks reached the blob files.
    post_big_and_kill_after(40);
    cluster_.kill_storage();
    ASSERT_TRUE(cluster_.start_storage());

    const auto cut_at = size_of(client_log());
    auto again = cluster_.imgshare(alice_, {"post", big_.string(), "--name", "big"});
    ASSERT_EQ(again.exit_code, 0) << again.err;
    EXPECT_EQ(again.out, "posted big (seq 1)\n");
    const auto second_run = log_lines(client_log(), cut_at);
    const auto begins = sent(second_run, "POST_BEGIN");
    ASSERT_EQ(begins.size(), 1u);
    const std::uint32_t resumed_at = reply_to(second_run, begins[0])["fields"]["next_index"];
    EXPECT_GE(resumed_at, 16u) << "the chunks that survived the crash were sent again";
    for (const auto& chunk : sent(second_run, "POST_CHUNK"))
        EXPECT_GE(chunk["fields"]["index"].get<std::uint32_t>(), resumed_at);
    EXPECT_TRUE(cluster_.download_matches(bob_, "big", big_));
}

TEST_F(ResumablePostTest, ARetryOfACommittedPostReportsItsOriginalSuccessNeverNameTaken) {
    // The ambiguous outcome: this home's post is cut, and the same sealed post is committed
    // meanwhile by a copy of the home (as when the commit's answer was lost).
    post_big_and_kill_after(4);
    const auto copy = cluster_.dir() / "homes" / "alice-copy";
    fs::copy(alice_, copy, fs::copy_options::recursive);
    auto elsewhere = cluster_.imgshare(copy, {"post", big_.string(), "--name", "big"});
    ASSERT_EQ(elsewhere.exit_code, 0) << elsewhere.err;
    ASSERT_EQ(elsewhere.out, "posted big (seq 1)\n");

    auto cut_at = size_of(client_log());
    auto retry = cluster_.imgshare(alice_, {"post", big_.string(), "--name", "big"});
    ASSERT_EQ(retry.exit_code, 0) << retry.err;
    EXPECT_EQ(retry.out, "posted big (seq 1)\n");
    EXPECT_TRUE(sent(log_lines(client_log(), cut_at), "POST_CHUNK").empty());

    // Once more, now that this home knows it committed: one question, the same answer.
    cut_at = size_of(client_log());
    auto again = cluster_.imgshare(alice_, {"post", big_.string(), "--name", "big"});
    ASSERT_EQ(again.exit_code, 0) << again.err;
    EXPECT_EQ(again.out, "posted big (seq 1)\n");
    const auto last_run = log_lines(client_log(), cut_at);
    EXPECT_EQ(sent(last_run, "POST_COMMIT").size(), 1u);
    EXPECT_TRUE(sent(last_run, "POST_BEGIN").empty());

    // An image of one chunk (POST_IMAGE) too.
    auto small = cluster_.small_png("small.png");
    ASSERT_EQ(cluster_.imgshare(alice_, {"post", small.string()}).out, "posted small (seq 2)\n");
    EXPECT_EQ(cluster_.imgshare(alice_, {"post", small.string()}).out, "posted small (seq 2)\n");

    // Another image under a taken name is still NAME_TAKEN.
    auto other = cluster_.dir() / "other.png";
    write_large_image(other, 1u << 20, 2);
    auto taken = cluster_.imgshare(alice_, {"post", other.string(), "--name", "big"});
    EXPECT_TRUE(has_error(taken, "NAME_TAKEN")) << taken.err;
    EXPECT_TRUE(cluster_.download_matches(bob_, "big", big_));
}

class AbandonTest : public ResumablePostTest {
  protected:
    AbandonTest() : ResumablePostTest(ClusterOptions{true, {"--max-pending-uploads", "1"}, {}, {}}) {}
};

TEST_F(AbandonTest, AbandoningAPendingUploadFreesTheOwnersPlaceAndTheNodesDisk) {
    post_big_and_kill_after(40);
    auto pending = uploads();
    ASSERT_EQ(pending.size(), 1u);
    const std::string id = pending[0]["upload"];
    auto other = cluster_.dir() / "other.png";
    write_large_image(other, 2u << 20, 2);
    auto refused = cluster_.imgshare(alice_, {"post", other.string()});
    ASSERT_TRUE(has_error(refused, "RATE_LIMITED")) << refused.err;

    const auto db = cluster_.storage_dir() / "db";
    ASSERT_GE(blob_bytes(db), 4u << 20) << "the cut upload's chunks should be in blob files";
    auto abandoned = cluster_.imgshare(alice_, {"uploads", "--abandon", id});
    ASSERT_EQ(abandoned.exit_code, 0) << abandoned.err;
    EXPECT_EQ(abandoned.out.rfind("abandoned " + id + " big (", 0), 0u) << abandoned.out;
    EXPECT_TRUE(wait_until([&] { return blob_bytes(db) < (1u << 20); }, 10s,
                           "the abandoned chunks' blob files to go"))
        << blob_bytes(db) << " bytes in blob files";
    EXPECT_FALSE(fs::exists(alice_ / "uploads" / "big.post"));

    auto posted = cluster_.imgshare(alice_, {"post", other.string()});
    ASSERT_EQ(posted.exit_code, 0) << posted.err;
    EXPECT_EQ(posted.out, "posted other (seq 1)\n");
    EXPECT_TRUE(uploads().empty());
    auto unknown = cluster_.imgshare(alice_, {"uploads", "--abandon", id});
    EXPECT_TRUE(has_error(unknown, "NOT_FOUND")) << unknown.err;
}

class UploadTimeOutTest : public ResumablePostTest {
  protected:
    UploadTimeOutTest() : ResumablePostTest(ClusterOptions{true, {"--upload-timeout-s", "4"}, {}, {}}) {}
};

TEST_F(UploadTimeOutTest, ARestartOfTheStorageNodeDoesNotExtendAPendingUploadsTimeOut) {
    post_big_and_kill_after(8);
    // Pending on the node: once it expires there, only the post kept here is listed
    // (not-begun, without a time-out).
    auto expires_in = [&]() -> std::optional<std::int64_t> {
        for (const auto& row : uploads()) {
            if (row["state"] == "resumable") return row["expires_in_s"].get<std::int64_t>();
        }
        return std::nullopt;
    };
    ASSERT_TRUE(wait_until([&] { return expires_in().value_or(0) <= 2; }, 10s,
                           "the upload to be idle for half its time-out"));
    cluster_.kill_storage();
    ASSERT_TRUE(cluster_.start_storage());
    auto left = expires_in();
    EXPECT_LE(left.value_or(0), 2) << "the restart gave the upload a fresh time-out";
    EXPECT_TRUE(wait_until([&] { return !expires_in().has_value(); }, 10s,
                           "the upload to expire"));
    auto kept = uploads();
    ASSERT_EQ(kept.size(), 1u);
    EXPECT_EQ(kept[0]["state"], "not-begun");
}

}  // namespace
}  // namespace imgshare::testing
