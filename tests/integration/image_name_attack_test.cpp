// Image names as an attack on the reader's file system: path traversal,
// absolute paths, NUL and control characters, absurd lengths. They are refused
// at post (by the client before anything is sent, and by the storage node in a
// signed envelope), and a hostile name that a compromised node puts into its
// database is never used as a path by a reader.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/integration/support/cluster_fixture.h"
#include "tests/integration/support/raw_client.h"
#include "tests/integration/support/signed_requests.h"
#include "tests/integration/support/storage_database.h"

namespace imgshare::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class ImageNameAttackTest : public ClusterTest {};

TEST_F(ImageNameAttackTest, HostileNamesAreRefusedByTheClientBeforeAnythingIsSent) {
    auto alice = cluster_.new_user("alice");
    auto image = cluster_.small_png("cat.png");
    // (A NUL cannot travel through argv; the storage node's test below sends one.)
    const std::vector<std::string> names{
        "../../etc/passwd", "/etc/passwd", "a/b",         "..",
        ".hidden",          "-rf",         "bell\x07",    "new\nline",
        "esc\x1b[31m",      "with space",  "caf\xc3\xa9", std::string(10'000, 'a')};
    for (const auto& name : names) {
        auto result = cluster_.imgshare(alice, {"post", image.string(), "--name", name});
        EXPECT_TRUE(has_error(result, "BAD_REQUEST")) << name.substr(0, 40) << ": " << result.err;
        EXPECT_LT(result.err.size(), 1000u) << "the refusal must not echo a huge name";
    }
    // Refused before anything was sent: no POST_BEGIN or POST_IMAGE reached the broker.
    EXPECT_EQ(read_text(cluster_.broker_dir() / "protocol.log").find("\"POST_"), std::string::npos);
}

TEST_F(ImageNameAttackTest, HostileNamesInASignedEnvelopeAreRefusedByTheStorageNode) {
    auto alice = register_user(cluster_, "alice");
    auto wrap_key = wrap_public_key(cluster_);
    RawClient client(cluster_.client_endpoint(), cluster_.broker_public_key(), alice.keys.curve);
    const std::vector<std::pair<std::string, ErrorCode>> cases{
        {"../../etc/passwd", ErrorCode::BAD_REQUEST},
        {"/etc/passwd", ErrorCode::BAD_REQUEST},
        {std::string("cat\0.png", 8), ErrorCode::BAD_REQUEST},
        {"bell\x07", ErrorCode::BAD_REQUEST},
        {"new\nline", ErrorCode::BAD_REQUEST},
        {".hidden", ErrorCode::BAD_REQUEST},
        {"", ErrorCode::BAD_REQUEST},
        {std::string(129, 'a'), ErrorCode::BAD_REQUEST},
        {std::string(10'000, 'a'), ErrorCode::BAD_REQUEST},
    };
    std::uint64_t id = 1;
    for (const auto& [name, code] : cases) {
        // Alice signs the hostile name herself: the signature is valid, the name is not.
        auto image = escrow_image(alice, name, wrap_key);
        auto reply = client.call(encode(image.begin, id++));
        ASSERT_TRUE(reply.has_value());
        EXPECT_EQ(error_code_of(*reply), code) << "name of " << name.size() << " bytes";
    }
    auto listed = decode_reply<ListReply>(*client.call(encode(ListRequest{}, id++)));
    ASSERT_TRUE(listed.has_value());
    EXPECT_TRUE(listed->items.empty());
}

TEST_F(ImageNameAttackTest, HostileNamesStoredInTheDatabaseAreNeverUsedAsPaths) {
    auto alice = cluster_.new_user("alice");
    auto bob = cluster_.new_user("bob");
    auto image = cluster_.small_png("cat.png");
    ASSERT_EQ(cluster_.imgshare(alice, {"post", image.string()}).exit_code, 0);

    // The node is compromised: it lists copies of "cat" under names that would escape a
    // download directory, be absolute, or carry control characters.
    auto deep = cluster_.dir() / "a" / "b";
    auto inbox = deep / "inbox";
    fs::create_directories(inbox);
    auto absolute_target = cluster_.dir() / "absolute-target";
    const std::vector<std::string> hostile{"../../escaped",
                                           absolute_target.string(),
                                           std::string("nul\0byte", 8),
                                           "ctl\x1b[2J\x07",
                                           "..",
                                           "sub/dir"};
    ASSERT_TRUE(rewrite_storage(cluster_, [&](StorageDatabase& db) {
        auto record = db.image("cat");
        for (const auto& name : hostile) {
            record.name = name;
            record.seq = db.append_to_feed(name);
            db.put_image(name, record);
        }
    }));

    // `list` shows them, with every control byte replaced.
    auto listed = cluster_.imgshare(bob, {"list"});
    ASSERT_EQ(listed.exit_code, 0) << listed.err;
    EXPECT_NE(listed.out.find("../../escaped"), std::string::npos) << listed.out;
    for (char c : listed.out) {
        EXPECT_TRUE(c == '\n' || (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f))
            << "control byte " << int(c) << " reached the terminal";
    }
    // Asking for one by name is refused before anything is sent.
    auto asked = cluster_.imgshare(bob, {"download", "../../escaped", "-o", inbox.string()});
    EXPECT_TRUE(has_error(asked, "BAD_REQUEST")) << asked.err;

    // A watcher that downloads everything it is told of: it fetches "cat", refuses the rest.
    auto watcher = cluster_.start_watcher(bob, {"--download", inbox.string()});
    ASSERT_TRUE(watcher->wait_for_output("NEW_IMAGE", 30s, 1 + hostile.size()))
        << watcher->out() << watcher->err();
    ASSERT_TRUE(watcher->wait_for_output("downloaded cat", 30s)) << watcher->err();
    EXPECT_TRUE(watcher->wait_for_err("error: BAD_REQUEST", 30s, hostile.size()));
    EXPECT_EQ(count_of(watcher->err(), "error: BAD_REQUEST"), hostile.size()) << watcher->err();
    watcher->stop();

    EXPECT_EQ(files_under({inbox}), std::vector<fs::path>{inbox / "cat.png"});
    EXPECT_FALSE(fs::exists(cluster_.dir() / "escaped"));
    EXPECT_FALSE(fs::exists(cluster_.dir() / "escaped.png"));
    EXPECT_FALSE(fs::exists(absolute_target));
    EXPECT_FALSE(fs::exists(absolute_target.string() + ".png"));
    for (const auto& file : files_under({cluster_.dir() / "a"})) {
        EXPECT_TRUE(file.parent_path() == inbox) << "written outside the inbox: " << file;
    }
}

}  // namespace
}  // namespace imgshare::testing
