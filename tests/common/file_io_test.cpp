#include "common/file_io.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "tests/common/scratch_dir.h"

namespace imgshare {
namespace {

namespace fs = std::filesystem;

constexpr fs::perms kOwnerReadWrite = fs::perms::owner_read | fs::perms::owner_write;

// Sets the umask for one scope (tests run one per process under ctest).
class UmaskGuard {
  public:
    explicit UmaskGuard(mode_t mask) : previous_(::umask(mask)) {}
    ~UmaskGuard() { ::umask(previous_); }

  private:
    mode_t previous_;
};

std::size_t entries_in(const fs::path& dir) {
    return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir), {}));
}

class FileIoTest : public ::testing::Test {
  protected:
    testing::ScratchDir scratch_;
    fs::path file_ = scratch_.path() / "data";
};

TEST_F(FileIoTest, WritesAndReadsBack) {
    const Bytes contents = to_bytes("hello, file");
    ASSERT_TRUE(write_file_atomically(file_, contents, kOwnerReadWrite));
    EXPECT_EQ(read_file(file_, 1024).value(), contents);
    EXPECT_EQ(entries_in(scratch_.path()), 1u);  // no temporary file left behind
}

TEST_F(FileIoTest, EmptyFilesRoundTrip) {
    ASSERT_TRUE(write_file_atomically(file_, {}, kOwnerReadWrite));
    EXPECT_TRUE(read_file(file_, 0).value().empty());
}

TEST_F(FileIoTest, ModeIsExactWhateverTheUmask) {
    for (mode_t mask : {mode_t{0}, mode_t{022}, mode_t{0277}}) {
        UmaskGuard guard(mask);
        const fs::path path = scratch_.path() / ("mode-" + std::to_string(mask));
        ASSERT_TRUE(write_file_atomically(path, to_bytes("x"), kOwnerReadWrite));
        EXPECT_EQ(fs::status(path).permissions(), kOwnerReadWrite) << mask;
    }
    const fs::path shared = scratch_.path() / "shared";
    ASSERT_TRUE(
        write_file_atomically(shared, to_bytes("x"), kOwnerReadWrite | fs::perms::group_read));
    EXPECT_EQ(fs::status(shared).permissions(), kOwnerReadWrite | fs::perms::group_read);
}

TEST_F(FileIoTest, ReplaceOverwritesAtomically) {
    ASSERT_TRUE(write_file_atomically(file_, to_bytes("old"), kOwnerReadWrite));
    ASSERT_TRUE(write_file_atomically(file_, to_bytes("new contents"), kOwnerReadWrite));
    EXPECT_EQ(read_file(file_, 1024).value(), to_bytes("new contents"));
    EXPECT_EQ(entries_in(scratch_.path()), 1u);
}

TEST_F(FileIoTest, RefuseLeavesAnExistingFileAlone) {
    ASSERT_TRUE(write_file_atomically(file_, to_bytes("first"), kOwnerReadWrite));
    auto second =
        write_file_atomically(file_, to_bytes("second"), kOwnerReadWrite, ExistingFile::Refuse);
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().code, ErrorCode::BAD_REQUEST);
    EXPECT_NE(second.error().message.find(file_.string()), std::string::npos);
    EXPECT_EQ(read_file(file_, 1024).value(), to_bytes("first"));
    EXPECT_EQ(entries_in(scratch_.path()), 1u);
}

TEST_F(FileIoTest, RefuseWritesWhenNothingIsThere) {
    ASSERT_TRUE(
        write_file_atomically(file_, to_bytes("only"), kOwnerReadWrite, ExistingFile::Refuse));
    EXPECT_EQ(read_file(file_, 1024).value(), to_bytes("only"));
}

TEST_F(FileIoTest, RefuseDoesNotFollowADanglingSymlink) {
    const fs::path target = scratch_.path() / "target";
    fs::create_symlink(target, file_);
    auto written =
        write_file_atomically(file_, to_bytes("x"), kOwnerReadWrite, ExistingFile::Refuse);
    ASSERT_FALSE(written);
    EXPECT_EQ(written.error().code, ErrorCode::BAD_REQUEST);
    EXPECT_FALSE(fs::exists(target));
}

TEST_F(FileIoTest, WriteIntoAMissingDirectoryFailsNamingIt) {
    const fs::path path = scratch_.path() / "missing" / "data";
    auto written = write_file_atomically(path, to_bytes("x"), kOwnerReadWrite);
    ASSERT_FALSE(written);
    EXPECT_EQ(written.error().code, ErrorCode::IO_ERROR);
    EXPECT_NE(written.error().message.find("missing"), std::string::npos);
}

TEST_F(FileIoTest, ReadOfAMissingFileIsAnIoErrorNamingIt) {
    auto read = read_file(file_, 1024);
    ASSERT_FALSE(read);
    EXPECT_EQ(read.error().code, ErrorCode::IO_ERROR);
    EXPECT_NE(read.error().message.find(file_.string()), std::string::npos);
}

TEST_F(FileIoTest, ReadOfADirectoryIsAnIoError) {
    EXPECT_EQ(read_file(scratch_.path(), 1024).error().code, ErrorCode::IO_ERROR);
}

TEST_F(FileIoTest, ReadRefusesFilesOverTheLimit) {
    ASSERT_TRUE(write_file_atomically(file_, Bytes(100, 7), kOwnerReadWrite));
    EXPECT_EQ(read_file(file_, 100).value().size(), 100u);
    auto too_large = read_file(file_, 99);
    ASSERT_FALSE(too_large);
    EXPECT_EQ(too_large.error().code, ErrorCode::TOO_LARGE);
    EXPECT_NE(too_large.error().message.find(file_.string()), std::string::npos);
}

TEST_F(FileIoTest, ReadsLargeFiles) {
    Bytes big(3 * 1024 * 1024 + 17);
    for (std::size_t i = 0; i < big.size(); ++i)
        big[i] = static_cast<std::uint8_t>(i);
    ASSERT_TRUE(write_file_atomically(file_, big, kOwnerReadWrite));
    EXPECT_EQ(read_file(file_, big.size()).value(), big);
}

}  // namespace
}  // namespace imgshare
