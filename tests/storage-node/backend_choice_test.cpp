// `imgshare-storage run --backend NAME` (backend_choice.h): the default opens RocksDB; a
// planned backend and an unknown name are CONFIG errors that say which is which, and
// open nothing.
#include "storage-node/backend_choice.h"

#include <gtest/gtest.h>

#include "tests/common/scratch_dir.h"

namespace imgshare::storage {
namespace {

TEST(BackendChoiceTest, TheDefaultIsRocksDbInTheDataDirectory) {
    imgshare::testing::ScratchDir dir;
    auto backend = open_backend(kDefaultBackend, BackendSettings{dir.path(), false});
    ASSERT_TRUE(backend.has_value()) << describe(backend.error());
    EXPECT_EQ((*backend)->feed_head(), 0u);
    EXPECT_TRUE(std::filesystem::exists(dir.path() / "db" / "CURRENT"));
}

TEST(BackendChoiceTest, RadosIsNotBuiltYetAndSaysSo) {
    imgshare::testing::ScratchDir dir;
    auto backend = open_backend("rados", BackendSettings{dir.path(), false});
    ASSERT_FALSE(backend.has_value());
    EXPECT_EQ(backend.error().code, ErrorCode::CONFIG);
    EXPECT_NE(backend.error().message.find("not built yet"), std::string::npos)
        << backend.error().message;
    EXPECT_NE(backend.error().message.find("this build has: rocksdb"), std::string::npos);
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "db"));
}

TEST(BackendChoiceTest, AnUnknownNameIsAConfigErrorNamingTheBackendsThereAre) {
    imgshare::testing::ScratchDir dir;
    auto backend = open_backend("rocks", BackendSettings{dir.path(), false});
    ASSERT_FALSE(backend.has_value());
    EXPECT_EQ(backend.error().code, ErrorCode::CONFIG);
    EXPECT_EQ(backend.error().message,
              "--backend rocks: no such storage backend; this build has: rocksdb");
    EXPECT_EQ(backend_names(), "rocksdb");
}

}  // namespace
}  // namespace imgshare::storage
