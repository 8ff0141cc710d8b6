#include "common/appended_page_release.h"

#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tests/common/page_residency.h"
#include "tests/common/scratch_dir.h"

namespace imgshare {
namespace {

constexpr std::size_t kMiB = 1u << 20;

class AppendedPageReleaseTest : public ::testing::Test {
  protected:
    void SetUp() override {
        ASSERT_TRUE(testing::drops_clean_pages_on_advice(dir_.path()));
        fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        ASSERT_GE(fd_, 0);
    }
    void TearDown() override {
        if (fd_ >= 0) ::close(fd_);
    }

    // Appends `bytes` in 64 KiB writes, telling `release` of each; the file's
    // expected contents grow alike.
    void append(AppendedPageRelease* release, std::size_t bytes) {
        std::string block(64 * 1024, '\0');
        for (std::size_t done = 0; done < bytes; done += block.size()) {
            for (std::size_t i = 0; i < block.size(); ++i)
                block[i] = static_cast<char>((written_.size() + i) * 131 / 7);
            ASSERT_EQ(::write(fd_, block.data(), block.size()), static_cast<ssize_t>(block.size()));
            written_.append(block);
            if (release) release->appended(block.size());
        }
    }

    // Whether the pages of [begin, end) are all out of the cache.
    bool released(std::size_t begin, std::size_t end) {
        auto pages = testing::resident_pages(path_);
        for (std::size_t page = begin / testing::kPageBytes; page < end / testing::kPageBytes;
             ++page) {
            if (page >= pages.size() || pages[page]) return false;
        }
        return true;
    }

    std::string contents() {
        std::ifstream in(path_, std::ios::binary);
        return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    }

    // In the build tree, not in TMPDIR (page_residency.h).
    testing::ScratchDir dir_{std::filesystem::current_path()};
    std::filesystem::path path_ = dir_ / "protocol.log";
    int fd_ = -1;
    std::string written_;
};

// Written-out pages far enough behind the end go; the data stays whole.
TEST_F(AppendedPageReleaseTest, WrittenOutPagesBehindTheEndAreHandedBackAndTheDataStays) {
    AppendedPageRelease release(fd_, 0);
    append(&release, 8 * kMiB);
    ASSERT_EQ(::fdatasync(fd_), 0);  // now clean, whatever the release started
    append(&release, 8 * kMiB);
    EXPECT_TRUE(released(0, 8 * kMiB));
    EXPECT_EQ(contents(), written_);
}

// A log reopened at 8 MiB counts from there: 2 MiB more release all but the
// last 4 MiB's whole steps.
TEST_F(AppendedPageReleaseTest, AFileOpenedAtASizeCountsFromIt) {
    append(nullptr, 8 * kMiB);
    ASSERT_EQ(::fdatasync(fd_), 0);
    AppendedPageRelease release(fd_, 8 * kMiB);
    append(&release, 2 * kMiB);
    EXPECT_TRUE(released(0, 6 * kMiB));
    EXPECT_EQ(contents(), written_);
}

// Below one step nothing is advised: a short log is left to the kernel.
TEST_F(AppendedPageReleaseTest, NothingIsReleasedWithinTheLastFourMiB) {
    AppendedPageRelease release(fd_, 0);
    append(&release, 4 * kMiB);
    ASSERT_EQ(::fdatasync(fd_), 0);
    std::string check = contents();  // reading brings every page into the cache
    ASSERT_EQ(check, written_);
    append(&release, 64 * 1024);  // crosses no step
    EXPECT_FALSE(released(0, 4 * kMiB));
}

}  // namespace
}  // namespace imgshare
