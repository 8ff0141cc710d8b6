#include "storage-node/page_releasing_file_system.h"

#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tests/common/page_residency.h"
#include "tests/common/scratch_dir.h"

namespace imgshare::storage {
namespace {

using imgshare::testing::kPageBytes;
using imgshare::testing::resident_pages;
const std::size_t kPage = kPageBytes;

std::string read_all(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class PageReleasingFileSystemTest : public ::testing::Test {
  protected:
    void SetUp() override { ASSERT_TRUE(imgshare::testing::drops_clean_pages_on_advice(dir_.path())); }

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

    // In the build tree, not in TMPDIR (page_residency.h).
    imgshare::testing::ScratchDir dir_{std::filesystem::current_path()};
    std::shared_ptr<rocksdb::FileSystem> fs_ =
        page_releasing_file_system(rocksdb::FileSystem::Default());
};

// On the real file system: the kernel takes the advice. Only the released
// pages are checked: whether others stay cached is the kernel's choice.
TEST_F(PageReleasingFileSystemTest, WalAndBlobFilesGiveBackTheirWholePagesOnceSynced) {
    std::string bytes(10 * kPage + 100, 'x');
    for (std::size_t i = 0; i < bytes.size(); ++i)
        bytes[i] = static_cast<char>(i * 131);
    for (const char* name : {"000012.log", "000013.blob"}) {
        auto path = write_synced(name, bytes);
        auto resident = resident_pages(path);
        ASSERT_EQ(resident.size(), 11u) << name;
        EXPECT_EQ(std::vector<bool>(resident.begin(), resident.begin() + 10),
                  std::vector<bool>(10, false))
            << name;
        EXPECT_EQ(read_all(path), bytes) << name << ": the data must be intact";
    }
}

// Below the wrapper, at the unit level: a file that only counts what is
// appended, syncs as told, and records the ranges it is asked to release.
struct FileRecord {
    std::vector<std::pair<std::size_t, std::size_t>> released;  // offset, length
    bool fail_syncs = false;
};

class RecordingFile final : public rocksdb::FSWritableFile {
  public:
    explicit RecordingFile(FileRecord& record) : record_(&record) {}
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions&,
                             rocksdb::IODebugContext*) override {
        size_ += data.size();
        return rocksdb::IOStatus::OK();
    }
    rocksdb::IOStatus Close(const rocksdb::IOOptions&, rocksdb::IODebugContext*) override {
        return rocksdb::IOStatus::OK();
    }
    rocksdb::IOStatus Flush(const rocksdb::IOOptions&, rocksdb::IODebugContext*) override {
        return rocksdb::IOStatus::OK();
    }
    rocksdb::IOStatus Sync(const rocksdb::IOOptions&, rocksdb::IODebugContext*) override {
        return record_->fail_syncs ? rocksdb::IOStatus::IOError("the device failed")
                                   : rocksdb::IOStatus::OK();
    }
    std::uint64_t GetFileSize(const rocksdb::IOOptions&, rocksdb::IODebugContext*) override {
        return size_;
    }
    rocksdb::IOStatus InvalidateCache(size_t offset, size_t length) override {
        record_->released.emplace_back(offset, length);
        return rocksdb::IOStatus::OK();
    }

  private:
    FileRecord* record_;
    std::uint64_t size_ = 0;
};

class RecordingFileSystem final : public rocksdb::FileSystemWrapper {
  public:
    RecordingFileSystem() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}
    const char* Name() const override { return "RecordingFileSystem"; }
    rocksdb::IOStatus NewWritableFile(const std::string&, const rocksdb::FileOptions&,
                                      std::unique_ptr<rocksdb::FSWritableFile>* result,
                                      rocksdb::IODebugContext*) override {
        *result = std::make_unique<RecordingFile>(record);
        return rocksdb::IOStatus::OK();
    }
    FileRecord record;
};

TEST(PageReleasingFileTest, OnlySyncedWholePagesAreReleasedAndNoneAfterAFailedSync) {
    auto recording = std::make_shared<RecordingFileSystem>();
    auto fs = page_releasing_file_system(recording);
    std::unique_ptr<rocksdb::FSWritableFile> file;
    ASSERT_TRUE(fs->NewWritableFile("000020.log", {}, &file, nullptr).ok());
    auto& released = recording->record.released;
    std::string bytes(kPage, 'z');

    ASSERT_TRUE(file->Append(rocksdb::Slice(bytes.data(), 100), {}, nullptr).ok());
    ASSERT_TRUE(file->Sync({}, nullptr).ok());
    EXPECT_TRUE(released.empty()) << "a partial first page is kept";

    ASSERT_TRUE(file->Append(rocksdb::Slice(bytes), {}, nullptr).ok());
    ASSERT_TRUE(file->Append(rocksdb::Slice(bytes), {}, nullptr).ok());
    ASSERT_TRUE(file->Flush({}, nullptr).ok());
    EXPECT_TRUE(released.empty()) << "nothing is released before it is synced";
    ASSERT_TRUE(file->Sync({}, nullptr).ok());
    using Ranges = std::vector<std::pair<std::size_t, std::size_t>>;
    EXPECT_EQ(released, (Ranges{{0, 2 * kPage}}));

    recording->record.fail_syncs = true;
    ASSERT_TRUE(file->Append(rocksdb::Slice(bytes), {}, nullptr).ok());
    EXPECT_FALSE(file->Sync({}, nullptr).ok());
    EXPECT_FALSE(file->Fsync({}, nullptr).ok());
    EXPECT_EQ(released, (Ranges{{0, 2 * kPage}})) << "a failed sync releases nothing";

    // Linux reports a writeback error once: a later sync may succeed over
    // pages that never reached the disk, so they are never dropped.
    recording->record.fail_syncs = false;
    ASSERT_TRUE(file->Fsync({}, nullptr).ok());
    ASSERT_TRUE(file->Append(rocksdb::Slice(bytes), {}, nullptr).ok());
    ASSERT_TRUE(file->Sync({}, nullptr).ok());
    EXPECT_EQ(released, (Ranges{{0, 2 * kPage}})) << "nothing is released after a failed sync";
}

TEST(PageReleasingFileTest, EachSyncedPageIsReleasedOnce) {
    auto recording = std::make_shared<RecordingFileSystem>();
    auto fs = page_releasing_file_system(recording);
    std::unique_ptr<rocksdb::FSWritableFile> file;
    ASSERT_TRUE(fs->NewWritableFile("000024.blob", {}, &file, nullptr).ok());
    std::string bytes(kPage + kPage / 2, 'v');
    ASSERT_TRUE(file->Append(rocksdb::Slice(bytes), {}, nullptr).ok());
    ASSERT_TRUE(file->Fsync({}, nullptr).ok());
    ASSERT_TRUE(file->Append(rocksdb::Slice(bytes), {}, nullptr).ok());
    ASSERT_TRUE(file->Sync({}, nullptr).ok());
    ASSERT_TRUE(file->Sync({}, nullptr).ok());
    using Ranges = std::vector<std::pair<std::size_t, std::size_t>>;
    EXPECT_EQ(recording->record.released, (Ranges{{0, kPage}, {kPage, 2 * kPage}}));
}

TEST(PageReleasingFileTest, FilesOtherThanWalAndBlobAreNotWrapped) {
    auto recording = std::make_shared<RecordingFileSystem>();
    auto fs = page_releasing_file_system(recording);
    std::string bytes(4 * kPage, 'w');
    for (const char* name :
         {"000021.sst", "MANIFEST-000001", "LOG", "LOG.old.1733", "CURRENT", "IDENTITY",
          "OPTIONS-000007", "OPTIONS-000007.dbtmp", "000022.log.tmp"}) {
        std::unique_ptr<rocksdb::FSWritableFile> file;
        ASSERT_TRUE(fs->NewWritableFile(name, {}, &file, nullptr).ok());
        ASSERT_TRUE(file->Append(rocksdb::Slice(bytes), {}, nullptr).ok());
        ASSERT_TRUE(file->Sync({}, nullptr).ok());
        EXPECT_TRUE(recording->record.released.empty()) << name;
    }
    std::unique_ptr<rocksdb::FSWritableFile> blob;
    ASSERT_TRUE(fs->NewWritableFile("000023.blob", {}, &blob, nullptr).ok());
    ASSERT_TRUE(blob->Append(rocksdb::Slice(bytes), {}, nullptr).ok());
    ASSERT_TRUE(blob->Sync({}, nullptr).ok());
    EXPECT_EQ(recording->record.released.size(), 1u);
}

}  // namespace
}  // namespace imgshare::storage
