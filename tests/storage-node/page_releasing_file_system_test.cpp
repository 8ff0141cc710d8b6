#include "storage-node/page_releasing_file_system.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tests/common/scratch_dir.h"

namespace imgshare::storage {
namespace {

const std::size_t kPage = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));

// Which of the file's pages are in the page cache (mincore of a mapping, which
// faults nothing in).
std::vector<bool> resident_pages(const std::filesystem::path& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    EXPECT_GE(fd, 0);
    auto size = static_cast<std::size_t>(::lseek(fd, 0, SEEK_END));
    std::vector<bool> resident;
    if (size > 0) {
        void* map = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
        EXPECT_NE(map, MAP_FAILED);
        std::vector<unsigned char> pages((size + kPage - 1) / kPage);
        EXPECT_EQ(::mincore(map, size, pages.data()), 0);
        for (unsigned char page : pages)
            resident.push_back((page & 1) != 0);
        ::munmap(map, size);
    }
    ::close(fd);
    return resident;
}

std::string read_all(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class PageReleasingFileSystemTest : public ::testing::Test {
  protected:
    void SetUp() override {
        // The kernel must drop clean pages on advice here (tmpfs, for one, cannot).
        auto probe = dir_ / "probe";
        {
            std::ofstream out(probe, std::ios::binary);
            out << std::string(4 * kPage, 'p');
        }
        int fd = ::open(probe.c_str(), O_RDWR | O_CLOEXEC);
        ASSERT_GE(fd, 0);
        ::fdatasync(fd);
        ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
        ::close(fd);
        if (resident_pages(probe) != std::vector<bool>(4, false)) {
            GTEST_SKIP() << "this file system keeps clean pages whatever the advice";
        }
    }

    // Appends `bytes` in two writes, then syncs; the file as the wrapper wrote it.
    std::filesystem::path write_synced(const std::string& name, const std::string& bytes) {
        auto path = dir_ / name;
        std::unique_ptr<rocksdb::FSWritableFile> file;
        EXPECT_TRUE(
            fs_->NewWritableFile(path.string(), rocksdb::FileOptions(), &file, nullptr).ok());
        const auto half = bytes.size() / 2;
        EXPECT_TRUE(file->Append(rocksdb::Slice(bytes.data(), half), {}, nullptr).ok());
        EXPECT_TRUE(
            file->Append(rocksdb::Slice(bytes.data() + half, bytes.size() - half), {}, nullptr)
                .ok());
        EXPECT_TRUE(file->Flush({}, nullptr).ok());
        EXPECT_TRUE(file->Sync({}, nullptr).ok());
        EXPECT_TRUE(file->Close({}, nullptr).ok());
        return path;
    }

    testing::ScratchDir dir_;
    std::shared_ptr<rocksdb::FileSystem> fs_ =
        page_releasing_file_system(rocksdb::FileSystem::Default());
};

TEST_F(PageReleasingFileSystemTest, WalAndBlobFilesGiveBackTheirWholePagesOnceSynced) {
    // Ten whole pages and a partial eleventh, whose page stays for the next append.
    std::string bytes(10 * kPage + 100, 'x');
    for (std::size_t i = 0; i < bytes.size(); ++i)
        bytes[i] = static_cast<char>(i * 131);
    for (const char* name : {"000012.log", "000013.blob"}) {
        auto path = write_synced(name, bytes);
        std::vector<bool> expected(10, false);
        expected.push_back(true);
        EXPECT_EQ(resident_pages(path), expected) << name;
        EXPECT_EQ(read_all(path), bytes) << name << ": the data must be intact";
    }
}

TEST_F(PageReleasingFileSystemTest, OtherFilesKeepTheirPages) {
    std::string bytes(10 * kPage, 'y');
    for (const char* name : {"000014.sst", "MANIFEST-000001", "LOG", "OPTIONS-000007"}) {
        auto path = write_synced(name, bytes);
        EXPECT_EQ(resident_pages(path), std::vector<bool>(10, true)) << name;
        EXPECT_EQ(read_all(path), bytes) << name;
    }
}

}  // namespace
}  // namespace imgshare::storage
