// A compromised storage node: its database is rewritten while it is stopped,
// so it serves another image's chunks, envelope or key, chunks out of order,
// or the right image under another name. The real client, downloading through
// the real broker and CA, refuses each with the exact code and writes nothing.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "tests/integration/support/cluster_fixture.h"
#include "tests/integration/support/storage_database.h"

namespace imgshare::testing {
namespace {

namespace fs = std::filesystem;

bool empty_directory(const fs::path& dir) {
    return fs::is_directory(dir) && fs::directory_iterator(dir) == fs::directory_iterator();
}

class HostileStorageTest : public ClusterTest {
  protected:
    void SetUp() override {
        alice_ = cluster_.new_user("alice");
        bob_ = cluster_.new_user("bob");
        // Two images of the same size (three chunks each), so one's parts fit the other's.
        for (auto [name, seed] : {std::pair{"first", 1u}, std::pair{"second", 2u}}) {
            auto file = cluster_.dir() / (std::string(name) + ".png");
            write_large_image(file, 600 * 1024, seed);
            auto posted = cluster_.imgshare(alice_, {"post", file.string(), "--name", name});
            ASSERT_EQ(posted.exit_code, 0) << posted.err;
        }
    }

    // Bob downloads `name` into a fresh directory; the command's result.
    CommandResult download(const std::string& name) {
        inbox_ = cluster_.dir() / ("inbox-" + name);
        fs::create_directories(inbox_);
        return cluster_.imgshare(bob_, {"download", name, "-o", inbox_.string()});
    }

    fs::path alice_, bob_, inbox_;
};

TEST_F(HostileStorageTest, ChunksOfAnotherImageAreIntegrityAndNothingIsWritten) {
    ASSERT_TRUE(rewrite_storage(cluster_, [](StorageDatabase& db) {
        auto second = db.image("second");
        second.upload = db.image("first").upload;  // second's envelope and key, first's chunks
        db.put_image("second", second);
    }));
    auto result = download("second");
    EXPECT_TRUE(has_error(result, "INTEGRITY")) << result.err;
    EXPECT_TRUE(empty_directory(inbox_));
    // The node still serves what it did not alter.
    auto untouched = download("first");
    EXPECT_EQ(untouched.exit_code, 0) << untouched.err;
    EXPECT_TRUE(files_equal(inbox_ / "first.png", cluster_.dir() / "first.png"));
}

TEST_F(HostileStorageTest, ChunksInAnotherOrderAreIntegrityAndNothingIsWritten) {
    ASSERT_TRUE(rewrite_storage(cluster_, [](StorageDatabase& db) {
        auto first = db.image("first");
        auto chunk0 = db.chunk(first, 0);
        db.put_chunk(first, 0, db.chunk(first, 1));
        db.put_chunk(first, 1, chunk0);
    }));
    auto result = download("first");
    EXPECT_TRUE(has_error(result, "INTEGRITY")) << result.err;
    EXPECT_TRUE(empty_directory(inbox_));
}

TEST_F(HostileStorageTest, EnvelopeOfAnotherImageIsBadSignatureAndNothingIsWritten) {
    ASSERT_TRUE(rewrite_storage(cluster_, [](StorageDatabase& db) {
        auto first = db.image("first");
        auto second = db.image("second");
        second.envelope = first.envelope;  // signed by alice, but for "first"
        second.signature = first.signature;
        db.put_image("second", second);
    }));
    auto result = download("second");
    EXPECT_TRUE(has_error(result, "BAD_SIGNATURE")) << result.err;
    EXPECT_TRUE(empty_directory(inbox_));
}

TEST_F(HostileStorageTest, ImageServedUnderAnotherNameIsBadSignatureAndNothingIsWritten) {
    ASSERT_TRUE(rewrite_storage(cluster_, [](StorageDatabase& db) {
        auto renamed = db.image("first");
        renamed.name = "renamed";
        renamed.seq = db.append_to_feed("renamed");
        db.put_image("renamed", renamed);
    }));
    auto listed = cluster_.imgshare(bob_, {"list"});
    ASSERT_NE(listed.out.find("renamed"), std::string::npos) << "the node lists its forgery";
    auto result = download("renamed");
    EXPECT_TRUE(has_error(result, "BAD_SIGNATURE")) << result.err;
    EXPECT_TRUE(empty_directory(inbox_));
}

TEST_F(HostileStorageTest, KeyOfAnotherImageFailsTheKeyCommitmentAndNothingIsWritten) {
    ASSERT_TRUE(rewrite_storage(cluster_, [](StorageDatabase& db) {
        auto second = db.image("second");
        second.wrapped_key = db.image("first").wrapped_key;  // a real key, for another image
        db.put_image("second", second);
    }));
    auto result = download("second");
    EXPECT_TRUE(has_error(result, "INTEGRITY")) << result.err;
    EXPECT_NE(result.err.find("committed to"), std::string::npos) << result.err;
    EXPECT_TRUE(empty_directory(inbox_));
}

TEST_F(HostileStorageTest, ABitFlippedOnDiskInAChunkIsIntegrityAndNothingIsWritten) {
    // The node does not check RocksDB's checksum on chunk reads (ImageStore::get): the
    // reader's authentication must catch damage at rest on its own.
    // Reopening moves the chunks out of the WAL into tables.
    ASSERT_TRUE(rewrite_storage(cluster_, [](StorageDatabase&) {}));
    cluster_.stop_storage();
    Bytes chunk;
    {
        StorageDatabase database(cluster_.storage_dir() / "db");
        chunk = database.chunk(database.image("second"), 1);
    }
    std::string needle(chunk.begin() + chunk.size() / 2, chunk.begin() + chunk.size() / 2 + 64);
    bool flipped = false;
    for (const auto& entry : fs::directory_iterator(cluster_.storage_dir() / "db")) {
        auto extension = entry.path().extension();
        if (extension != ".sst" && extension != ".blob") continue;
        std::ifstream in(entry.path(), std::ios::binary);
        std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        auto at = bytes.find(needle);
        if (at == std::string::npos) continue;
        bytes[at + 32] = static_cast<char>(bytes[at + 32] ^ 0x10);
        std::ofstream(entry.path(), std::ios::binary | std::ios::trunc) << bytes;
        flipped = true;
        break;
    }
    ASSERT_TRUE(flipped) << "chunk 1 of 'second' is in no table or blob file";
    ASSERT_TRUE(cluster_.start_storage());

    auto result = download("second");
    EXPECT_TRUE(has_error(result, "INTEGRITY")) << result.err;
    EXPECT_TRUE(empty_directory(inbox_));
    auto untouched = download("first");
    EXPECT_EQ(untouched.exit_code, 0) << untouched.err;
}

}  // namespace
}  // namespace imgshare::testing
