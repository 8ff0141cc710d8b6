// `imgshare-storage run --backend NAME` (backend_choice.h): the default opens RocksDB; a
// planned backend and an unknown name are CONFIG errors that say which is which, and
// open nothing.
#include "storage-node/backend_choice.h"

#include <gtest/gtest.h>

#include "tests/common/scratch_dir.h"

namespace imgshare::storage {
namespace {

BackendSettings settings_in(const std::filesystem::path& dir) {
    BackendSettings settings;
    settings.data_dir = dir;
    return settings;
}

TEST(BackendChoiceTest, TheDefaultIsRocksDbInTheDataDirectory) {
    imgshare::testing::ScratchDir dir;
    auto backend = open_backend(kDefaultBackend, settings_in(dir.path()));
    ASSERT_TRUE(backend.has_value()) << describe(backend.error());
    EXPECT_EQ((*backend)->feed_head(), 0u);
    EXPECT_TRUE(std::filesystem::exists(dir.path() / "db" / "CURRENT"));
}

#ifdef IMGSHARE_WITH_RADOS
TEST(BackendChoiceTest, RadosWithoutACephConfOrPoolIsAConfigErrorSayingWhatItNeeds) {
    imgshare::testing::ScratchDir dir;
    auto backend = open_backend("rados", settings_in(dir.path()));
    ASSERT_FALSE(backend.has_value());
    EXPECT_EQ(backend.error().code, ErrorCode::CONFIG);
    EXPECT_EQ(backend.error().message, "--backend rados needs --ceph-conf FILE and --pool NAME");
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "db"));
}
#else
TEST(BackendChoiceTest, RadosWithoutLibradosIsNotInThisBuildAndSaysSo) {
    imgshare::testing::ScratchDir dir;
    auto backend = open_backend("rados", settings_in(dir.path()));
    ASSERT_FALSE(backend.has_value());
    EXPECT_EQ(backend.error().code, ErrorCode::CONFIG);
    EXPECT_NE(backend.error().message.find("no Ceph RADOS backend"), std::string::npos)
        << backend.error().message;
    EXPECT_NE(backend.error().message.find("this build has: rocksdb"), std::string::npos);
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "db"));
}
#endif

TEST(BackendChoiceTest, AnUnknownNameIsAConfigErrorNamingTheBackendsThereAre) {
    imgshare::testing::ScratchDir dir;
    auto backend = open_backend("rocks", settings_in(dir.path()));
    ASSERT_FALSE(backend.has_value());
    EXPECT_EQ(backend.error().code, ErrorCode::CONFIG);
#ifdef IMGSHARE_WITH_RADOS
    const std::string built = "rocksdb, rados";
#else
    const std::string built = "rocksdb";
#endif
    EXPECT_EQ(backend.error().message,
              "--backend rocks: no such storage backend; this build has: " + built);
    EXPECT_EQ(backend_names(), built);
}

}  // namespace
}  // namespace imgshare::storage
