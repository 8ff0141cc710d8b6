// Which pages of a file are in the page cache, for the tests of code that
// hands pages back to the kernel. Those tests run in the build tree, not in
// TMPDIR: a tmpfs /tmp (Debian 13's default) keeps clean pages whatever the
// advice.
#pragma once

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstddef>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace imgshare::testing {

inline const std::size_t kPageBytes = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));

// mincore of a mapping, which faults nothing in.
inline std::vector<bool> resident_pages(const std::filesystem::path& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    EXPECT_GE(fd, 0) << path;
    if (fd < 0) return {};
    auto size = static_cast<std::size_t>(::lseek(fd, 0, SEEK_END));
    std::vector<bool> resident;
    if (size > 0) {
        void* map = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
        EXPECT_NE(map, MAP_FAILED);
        std::vector<unsigned char> pages((size + kPageBytes - 1) / kPageBytes);
        EXPECT_EQ(::mincore(map, size, pages.data()), 0);
        for (unsigned char page : pages)
            resident.push_back((page & 1) != 0);
        ::munmap(map, size);
    }
    ::close(fd);
    return resident;
}

// Whether the kernel drops a synced file's pages from the cache on advice in
// `dir`: such tests fail, naming the directory, where it does not.
inline ::testing::AssertionResult drops_clean_pages_on_advice(const std::filesystem::path& dir) {
    auto probe = dir / "page-advice-probe";
    {
        std::ofstream out(probe, std::ios::binary);
        out << std::string(4 * kPageBytes, 'p');
    }
    int fd = ::open(probe.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) return ::testing::AssertionFailure() << "cannot open " << probe;
    ::fdatasync(fd);
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    ::close(fd);
    const bool dropped = resident_pages(probe) == std::vector<bool>(4, false);
    std::filesystem::remove(probe);
    if (dropped) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure()
           << "the file system of " << dir
           << " keeps clean pages whatever the advice (tmpfs does): run the tests from a build "
              "tree on a disk";
}

}  // namespace imgshare::testing
