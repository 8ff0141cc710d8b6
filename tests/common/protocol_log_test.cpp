#include "common/protocol_log.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <random>
#include <sstream>

#include "common/frame_summary.h"
#include "tests/common/leak_detector.h"
#include "tests/common/msgpack_builder.h"
#include "tests/common/page_residency.h"
#include "tests/common/scratch_dir.h"
#include "tests/common/support/rotated_log.h"
#include "tests/common/timestamp_shape.h"

namespace imgshare {
namespace {

using nlohmann::json;
using testing::LeakDetector;
using testing::MsgpackBuilder;
using testing::ScratchDir;

std::string read_all(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

std::vector<json> read_lines(const std::filesystem::path& path) {
    std::vector<json> lines;
    std::istringstream text(read_all(path));
    for (std::string line; std::getline(text, line);)
        lines.push_back(json::parse(line));
    return lines;
}

Bytes random_bytes(std::size_t size) {
    EXPECT_GE(sodium_init(), 0);
    Bytes bytes(size);
    randombytes_buf(bytes.data(), bytes.size());
    return bytes;
}

std::string short_sha256(ByteView bytes) {
    Bytes digest(crypto_hash_sha256_BYTES);
    crypto_hash_sha256(digest.data(), bytes.data(), bytes.size());
    return to_hex(digest).substr(0, 16);
}

std::string base64(ByteView bytes, int variant) {
    std::string text(sodium_base64_encoded_len(bytes.size(), variant), '\0');
    sodium_bin2base64(text.data(), text.size(), bytes.data(), bytes.size(), variant);
    text.resize(std::strlen(text.c_str()));
    return text;
}

std::string upper(std::string text) {
    for (char& c : text)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return text;
}

Bytes header(std::string_view type, std::uint64_t id) {
    // One map entry per line.
    // clang-format off
    return MsgpackBuilder()
        .map(3)
        .str("v").uint(1)
        .str("type").str(type)
        .str("id").uint(id)
        .bytes();
    // clang-format on
}

unsigned file_mode(const std::filesystem::path& path) {
    struct stat info {};
    EXPECT_EQ(::stat(path.c_str(), &info), 0);
    return info.st_mode & 07777;
}

TEST(LeakDetectorTest, FindsWindowsInEveryEncoding) {
    // The detector must be able to fail, or the leak tests below prove nothing.
    Bytes secret = random_bytes(4096);
    LeakDetector detector;
    detector.watch(secret);
    ByteView middle = ByteView(secret).subspan(1001, 20);
    EXPECT_FALSE(detector.find_leak("nothing here, just text and 0123456789abcdef").has_value());
    EXPECT_TRUE(detector.find_leak("x" + std::string(as_string(middle)) + "y").has_value());
    EXPECT_TRUE(detector.find_leak("id=" + to_hex(middle) + ";").has_value());
    EXPECT_TRUE(detector.find_leak("id=" + upper(to_hex(middle)) + ";").has_value());
    EXPECT_TRUE(detector.find_leak(base64(middle, sodium_base64_VARIANT_ORIGINAL)).has_value());
    EXPECT_TRUE(detector.find_leak("\"" + base64(middle, sodium_base64_VARIANT_URLSAFE_NO_PADDING))
                    .has_value());
}

TEST(ProtocolLogTest, RecordsMessageWithoutKeyOrImageBytes) {
    ScratchDir dir;
    auto path = dir / "logs/protocol.jsonl";
    Bytes key = random_bytes(32);
    Bytes image = random_bytes(1024 * 1024);
    // One map entry per line.
    // clang-format off
    Bytes body = MsgpackBuilder()
                     .map(4)
                     .str("upload").str("u-1")
                     .str("index").uint(3)
                     .str("wrapped_key").bin(key)
                     .str("bytes").bin(image)
                     .bytes();
    // clang-format on
    {
        ProtocolLog log("imgshare-broker", path);
        ASSERT_TRUE(log.enabled());
        std::vector<Bytes> frames{header("POST_CHUNK", 7), body, image};
        log.record(Direction::Received, "alice", frames);
    }

    std::string text = read_all(path);
    auto lines = read_lines(path);
    ASSERT_EQ(lines.size(), 1u) << text;
    const json& line = lines[0];
    EXPECT_TRUE(testing::is_utc_millis_timestamp(line["time"].get<std::string>())) << line["time"];
    EXPECT_EQ(line["process"], "imgshare-broker");
    EXPECT_EQ(line["direction"], "received");
    EXPECT_EQ(line["peer"], "alice");
    EXPECT_EQ(line["type"], "POST_CHUNK");
    EXPECT_EQ(line["id"], 7);
    EXPECT_FALSE(line.contains("header")) << "a plain {v:1} header adds nothing";
    EXPECT_EQ(line["fields"]["upload"], "u-1");
    EXPECT_EQ(line["fields"]["index"], 3);
    EXPECT_EQ(line["fields"]["wrapped_key"], (json{{"len", 32}, {"sha256", short_sha256(key)}}));
    json image_summary = json::parse(summarize_binary(image).dump());
    EXPECT_EQ(line["fields"]["bytes"], image_summary);
    EXPECT_EQ(line["payload"], image_summary);
    EXPECT_TRUE(line["payload"].contains("sampled_sha256")) << "a 1 MiB payload is sampled";

    // Neither the key nor any 16 bytes of the image, in any spelling.
    EXPECT_EQ(text.find(as_string(key)), std::string::npos);
    EXPECT_EQ(text.find(to_hex(key)), std::string::npos);
    EXPECT_EQ(upper(text).find(upper(to_hex(key))), std::string::npos);
    for (int variant : {sodium_base64_VARIANT_ORIGINAL, sodium_base64_VARIANT_ORIGINAL_NO_PADDING,
                        sodium_base64_VARIANT_URLSAFE, sodium_base64_VARIANT_URLSAFE_NO_PADDING}) {
        EXPECT_EQ(text.find(base64(key, variant)), std::string::npos) << variant;
    }
    LeakDetector detector;
    detector.watch(key);
    detector.watch(image);
    auto leak = detector.find_leak(text);
    EXPECT_FALSE(leak.has_value()) << *leak;
}

TEST(ProtocolLogTest, SecretNamedFieldsAreRedactedInTheFile) {
    ScratchDir dir;
    auto path = dir / "protocol.jsonl";
    Bytes private_key = random_bytes(64);
    // One map entry per line.
    // clang-format off
    Bytes body = MsgpackBuilder()
                     .map(3)
                     .str("secret_key").str("hunter2-do-not-log")
                     .str("keystore").map(2)
                         .str("private_key").bin(private_key)
                         .str("passphrase").str("opensesame")
                     .str("sealed_key").bin(Bytes(80, 7))
                     .bytes();
    // clang-format on
    {
        ProtocolLog log("imgshare", path);
        std::vector<Bytes> frames{header("REGISTER", 1), body};
        log.record(Direction::Sent, "broker", frames);
    }
    std::string text = read_all(path);
    auto lines = read_lines(path);
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0]["direction"], "sent");
    EXPECT_EQ(lines[0]["fields"]["secret_key"], "[redacted]");
    EXPECT_EQ(lines[0]["fields"]["keystore"]["private_key"], "[redacted]");
    EXPECT_EQ(lines[0]["fields"]["keystore"]["passphrase"], "[redacted]");
    EXPECT_EQ(lines[0]["fields"]["sealed_key"]["len"], 80);
    EXPECT_EQ(text.find("hunter2"), std::string::npos);
    EXPECT_EQ(text.find("opensesame"), std::string::npos);
    EXPECT_EQ(text.find(short_sha256(private_key)), std::string::npos);
}

TEST(ProtocolLogTest, GarbageFramesAreLoggedAsUndecodable) {
    ScratchDir dir;
    auto path = dir / "protocol.jsonl";
    Bytes garbage{0xdd, 0xff, 0xff, 0xff, 0xff};
    Bytes invalid_utf8 = MsgpackBuilder().map(1).str("name").str("\xff\xfe\xc3").bytes();
    {
        ProtocolLog log("imgshare-ca", path);
        std::vector<Bytes> frames{garbage, garbage};
        log.record(Direction::Received, "anon:abcd1234", frames);
        std::vector<Bytes> utf8_frames{header("LIST", 2), invalid_utf8};
        log.record(Direction::Received, "bob", utf8_frames);
    }
    auto lines = read_lines(path);
    ASSERT_EQ(lines.size(), 2u);
    json undecodable{{"undecodable", true}, {"len", 5}, {"sha256", short_sha256(garbage)}};
    EXPECT_TRUE(lines[0]["type"].is_null());
    EXPECT_TRUE(lines[0]["id"].is_null());
    EXPECT_EQ(lines[0]["header"], undecodable);
    EXPECT_EQ(lines[0]["fields"], undecodable);
    EXPECT_EQ(lines[0]["peer"], "anon:abcd1234");
    EXPECT_EQ(lines[1]["type"], "LIST");
    EXPECT_TRUE(lines[1]["fields"]["name"].is_string());
}

TEST(ProtocolLogTest, RandomFramesNeverBreakTheLog) {
    ScratchDir dir;
    auto path = dir / "protocol.jsonl";
    std::mt19937 random(99);
    constexpr int kMessages = 500;
    {
        ProtocolLog log("fuzz", path);
        for (int i = 0; i < kMessages; ++i) {
            std::vector<Bytes> frames(random() % 5);
            for (auto& frame : frames) {
                frame.resize(random() % 48);
                for (auto& byte : frame)
                    byte = static_cast<std::uint8_t>(random());
            }
            std::string peer(random() % 8, static_cast<char>(random()));
            log.record(Direction::Received, peer, frames);
        }
    }
    EXPECT_EQ(read_lines(path).size(), static_cast<std::size_t>(kMessages));
}

TEST(ProtocolLogTest, FileIsPrivateAndDirectoriesAreCreated) {
    ScratchDir dir;
    auto path = dir / "a/b/c/protocol.jsonl";
    ProtocolLog log("imgshare-storage", path);
    EXPECT_TRUE(std::filesystem::exists(path));
    EXPECT_EQ(file_mode(path), 0600u);
}

TEST(ProtocolLogTest, ExistingFileIsTightenedAndAppendedTo) {
    ScratchDir dir;
    auto path = dir / "protocol.jsonl";
    {
        ProtocolLog log("p", path);
        std::vector<Bytes> frames{header("CA_INFO", 1)};
        log.record(Direction::Sent, "broker", frames);
    }
    ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
    {
        ProtocolLog log("p", path);
        EXPECT_EQ(file_mode(path), 0600u);
        std::vector<Bytes> frames{header("OK", 1)};
        log.record(Direction::Received, "broker", frames);
    }
    auto lines = read_lines(path);
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0]["type"], "CA_INFO");
    EXPECT_EQ(lines[1]["type"], "OK");
}

TEST(ProtocolLogTest, EachRecordIsInTheFileBeforeFlushOrClose) {
    // A process killed by SIGTERM never reaches its destructors.
    ScratchDir dir;
    auto path = dir / "protocol.jsonl";
    ProtocolLog log("p", path);
    std::vector<Bytes> frames{header("GET_CERT", 9)};
    log.record(Direction::Received, "carol", frames);
    auto lines = read_lines(path);
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0]["id"], 9);
}

TEST(ProtocolLogTest, BatchedLinesReachTheFileAtFlushAndAtClose) {
    ScratchDir dir;
    auto path = dir / "protocol.jsonl";
    std::vector<Bytes> frames{header("GET_CERT", 9)};
    {
        ProtocolLog log("p", path, LogFlush::Batched);
        log.record(Direction::Received, "carol", frames);
        log.record(Direction::Sent, "carol", frames);
        EXPECT_EQ(read_lines(path).size(), 0u) << "a batched line was written at once";
        log.flush();
        EXPECT_EQ(read_lines(path).size(), 2u);
        log.record(Direction::Received, "carol", frames);
    }
    auto lines = read_lines(path);
    ASSERT_EQ(lines.size(), 3u) << "closing the log loses what was not flushed";
    EXPECT_EQ(lines[2]["direction"], "received");
}

TEST(ProtocolLogTest, ABatchedLogWritesOutOnceItsBufferIsFullSoItStaysBounded) {
    ScratchDir dir;
    auto path = dir / "protocol.jsonl";
    ProtocolLog log("p", path, LogFlush::Batched);
    std::string long_name(1000, 'n');
    std::vector<Bytes> frames{header("DOWNLOAD", 1),
                              MsgpackBuilder().map(1).str("name").str(long_name).bytes()};
    for (int i = 0; i < 10; ++i)
        log.record(Direction::Received, "carol", frames);
    EXPECT_EQ(read_lines(path).size(), 0u) << "10 lines are far from the buffer's bound";
    for (int i = 0; i < 1000; ++i)
        log.record(Direction::Received, "carol", frames);
    auto written = read_lines(path).size();
    EXPECT_GT(written, 100u) << "a batched log held a megabyte of lines";
    EXPECT_LT(written, 1010u);
    log.flush();
    EXPECT_EQ(read_lines(path).size(), 1010u) << "a line was lost when the buffer was written";
}

TEST(ProtocolLogTest, ARotatedLogKeepsEveryLineWholeInOrderAndPrivate) {
    ScratchDir dir;
    auto path = dir / "protocol.log";
    const LogRotation rotation{.max_bytes = 32 * 1024, .keep = 16};
    // ~250 KB of lines (the name is cut to 256 bytes in the log): about the batch buffer,
    // seven rotations, nothing dropped yet.
    constexpr int kRecords = 600;
    {
        ProtocolLog log("p", path, LogFlush::Batched, rotation);
        for (int id = 1; id <= kRecords; ++id) {
            std::vector<Bytes> frames{
                header("DOWNLOAD", static_cast<std::uint64_t>(id)),
                MsgpackBuilder().map(1).str("name").str(std::string(1000, 'n')).bytes()};
            log.record(Direction::Received, "carol", frames);
            if (id % 97 == 0) log.flush();
        }
    }
    auto files = testing::rotated_files_oldest_first(path);
    EXPECT_GE(files.size(), 6u);
    for (const auto& part : files) {
        EXPECT_LE(std::filesystem::file_size(part), rotation.max_bytes) << part;
        EXPECT_EQ(file_mode(part), 0600u) << part;
    }
    auto lines = testing::rotated_log_lines(path);
    ASSERT_EQ(lines.size(), static_cast<std::size_t>(kRecords));
    for (int id = 1; id <= kRecords; ++id) {
        auto line = json::parse(lines[static_cast<std::size_t>(id - 1)], nullptr, false);
        ASSERT_FALSE(line.is_discarded()) << "line " << id << " is not whole";
        EXPECT_EQ(line["id"], id);
    }
}

// The log hands its written-out pages back to the kernel (appended_page_release.h).
TEST(ProtocolLogTest, PagesFarBehindTheEndAreHandedBackToTheKernel) {
    ScratchDir dir(std::filesystem::current_path());  // not TMPDIR (page_residency.h)
    ASSERT_TRUE(testing::drops_clean_pages_on_advice(dir.path()));
    auto path = dir / "protocol.jsonl";
    ProtocolLog log("p", path, LogFlush::Batched);
    std::vector<Bytes> frames{
        header("DOWNLOAD", 1),
        MsgpackBuilder().map(1).str("name").str(std::string(1000, 'n')).bytes()};
    auto write_until = [&](std::uintmax_t size) {
        while (!std::filesystem::exists(path) || std::filesystem::file_size(path) < size) {
            for (int i = 0; i < 100; ++i)
                log.record(Direction::Received, "carol", frames);
            log.flush();
        }
    };
    const std::uintmax_t kMiB = 1u << 20;
    write_until(8 * kMiB);
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::fdatasync(fd), 0);  // every page so far clean
    ::close(fd);
    write_until(16 * kMiB);
    auto pages = testing::resident_pages(path);
    const auto first_8_mib = 8 * kMiB / testing::kPageBytes;
    ASSERT_GT(pages.size(), first_8_mib);
    EXPECT_EQ(std::vector<bool>(pages.begin(), pages.begin() + first_8_mib),
              std::vector<bool>(first_8_mib, false));
    auto lines = read_lines(path);
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(lines.front()["type"], "DOWNLOAD") << "the data must be intact";
}

TEST(ProtocolLogTest, ARelayedBodyLoggedTwiceAndBodiesOfOneSizeEachShowTheirOwnFields) {
    // The log reuses the last rendering for a byte-identical body (the broker's received and
    // sent lines); a body of the same size with other bytes must never get it.
    ScratchDir dir;
    auto path = dir / "protocol.jsonl";
    auto body = [](std::string_view name) {
        return MsgpackBuilder().map(1).str("name").str(name).bytes();
    };
    {
        ProtocolLog log("p", path, LogFlush::Batched);
        for (std::string_view name : {"cat-1", "cat-1", "dog-2", "cat-1", "dog-2", "dog-2"}) {
            std::vector<Bytes> frames{header("DOWNLOAD", 1), body(name)};
            log.record(Direction::Received, "alice", frames);
        }
        std::vector<Bytes> other_process{header("DOWNLOAD", 1), body("dog-2")};
        ProtocolLog("q", path).record(Direction::Sent, "alice", other_process);
    }
    auto lines = read_lines(path);
    ASSERT_EQ(lines.size(), 7u);
    std::vector<std::string> names;
    for (const auto& line : lines)
        names.push_back(line["fields"]["name"].get<std::string>());
    EXPECT_EQ(names, (std::vector<std::string>{"dog-2", "cat-1", "cat-1", "dog-2", "cat-1", "dog-2",
                                               "dog-2"}))
        << "the unbatched log's line comes first";
}

TEST(ProtocolLogTest, UnusablePathThrowsAtStartUp) {
    ScratchDir dir;
    std::ofstream(dir / "plain-file") << "x";
    auto under_a_file = dir / "plain-file/protocol.jsonl";
    try {
        ProtocolLog log("p", under_a_file);
        ADD_FAILURE() << "opened a log under a regular file";
    } catch (const std::runtime_error& error) {
        EXPECT_NE(std::string(error.what()).find(under_a_file.string()), std::string::npos)
            << error.what();
    }
    EXPECT_THROW(ProtocolLog("p", dir.path()), std::runtime_error);
}

TEST(ProtocolLogTest, DisabledLogWritesNothing) {
    ScratchDir dir;
    ProtocolLog log = ProtocolLog::disabled();
    EXPECT_FALSE(log.enabled());
    std::vector<Bytes> frames{header("LIST", 1)};
    log.record(Direction::Received, "alice", frames);
    log.flush();
    EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(ProtocolLogTest, MovedLogKeepsWriting) {
    ScratchDir dir;
    auto path = dir / "protocol.jsonl";
    ProtocolLog first("p", path);
    ProtocolLog second = std::move(first);
    std::vector<Bytes> frames{header("LIST", 4)};
    second.record(Direction::Received, "alice", frames);
    EXPECT_EQ(read_lines(path).size(), 1u);
}

TEST(ProtocolLogTest, HeaderExtrasPublishedEventsAndExtraFrames) {
    ScratchDir dir;
    auto path = dir / "protocol.jsonl";
    // One map entry per line.
    // clang-format off
    Bytes stamped = MsgpackBuilder()
                        .map(4)
                        .str("v").uint(1)
                        .str("type").str("DOWNLOAD")
                        .str("id").uint(12)
                        .str("user").str("alice")
                        .bytes();
    // clang-format on
    Bytes event = MsgpackBuilder().map(2).str("name").str("cat").str("seq").uint(41).bytes();
    {
        ProtocolLog log("imgshare-ca", path);
        std::vector<ByteView> views{stamped, event};
        log.record(Direction::Received, "broker", std::span<const ByteView>(views));
        std::vector<Bytes> published{header("NEW_IMAGE", 0), event};
        log.record(Direction::Published, "image", published);
        std::vector<Bytes> many{header("X", 1), event, Bytes{1}, Bytes{2}, Bytes{3}};
        log.record(Direction::Sent, "bob", many);
        log.record(Direction::Sent, "bob", std::vector<Bytes>{});
    }
    auto lines = read_lines(path);
    ASSERT_EQ(lines.size(), 4u);
    EXPECT_EQ(lines[0]["header"], (json{{"v", 1}, {"user", "alice"}}));
    EXPECT_EQ(lines[0]["fields"], (json{{"name", "cat"}, {"seq", 41}}));
    EXPECT_EQ(lines[1]["direction"], "published");
    EXPECT_EQ(lines[1]["peer"], "image");
    EXPECT_EQ(lines[2]["payload"]["len"], 1);
    EXPECT_EQ(lines[2]["extra_frames"].size(), 2u);
    EXPECT_EQ(lines[2]["frame_count"], 5);
    EXPECT_TRUE(lines[3]["type"].is_null());
    EXPECT_FALSE(lines[3].contains("fields"));
}

TEST(ProtocolLogTest, LinesKeepTheDocumentedFieldOrder) {
    ScratchDir dir;
    auto path = dir / "protocol.jsonl";
    {
        ProtocolLog log("imgshare-broker", path);
        std::vector<Bytes> frames{header("POST_CHUNK", 7), MsgpackBuilder().map(0).bytes(),
                                  Bytes{9}};
        log.record(Direction::Received, "alice", frames);
    }
    std::string text = read_all(path);
    constexpr std::string_view kBefore = R"({"time":")";
    constexpr std::string_view kAfter =
        R"(","process":"imgshare-broker","direction":"received","peer":"alice",)"
        R"("type":"POST_CHUNK","id":7,"fields":{},"payload":{"len":1,"sha256":")";
    constexpr std::size_t kTimestampLength = 24;
    ASSERT_TRUE(text.starts_with(kBefore)) << text;
    EXPECT_TRUE(testing::is_utc_millis_timestamp(text.substr(kBefore.size(), kTimestampLength)));
    std::string rest = text.substr(kBefore.size() + kTimestampLength);
    ASSERT_TRUE(rest.starts_with(kAfter)) << text;
    EXPECT_EQ(rest.substr(kAfter.size()), short_sha256(Bytes{9}) + "\"}}\n");
}

}  // namespace
}  // namespace imgshare
