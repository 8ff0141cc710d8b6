#include "storage-node/page_releasing_file_system.h"

#include <unistd.h>

#include <atomic>
#include <string>
#include <string_view>

namespace imgshare::storage {
namespace {

const std::uint64_t kPageBytes = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));

bool ends_with(std::string_view name, std::string_view suffix) {
    return name.size() >= suffix.size() && name.substr(name.size() - suffix.size()) == suffix;
}

// WAL files are read again only by recovery; blob files are image chunks,
// written once by a flush and read back by downloads (which bring the pages
// they read back into the cache).
bool releases_pages(std::string_view name) {
    return ends_with(name, ".log") || ends_with(name, ".blob");
}

class PageReleasingFile final : public rocksdb::FSWritableFileOwnerWrapper {
  public:
    PageReleasingFile(std::unique_ptr<rocksdb::FSWritableFile> file, std::string name,
                      PagesReleased on_released)
        : FSWritableFileOwnerWrapper(std::move(file)),
          name_(std::move(name)),
          on_released_(std::move(on_released)) {}

    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* debug) override {
        auto status = target()->Append(data, options, debug);
        if (status.ok()) appended_ += data.size();
        return status;
    }

    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             const rocksdb::DataVerificationInfo& verification,
                             rocksdb::IODebugContext* debug) override {
        auto status = target()->Append(data, options, verification, debug);
        if (status.ok()) appended_ += data.size();
        return status;
    }

    rocksdb::IOStatus Sync(const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* debug) override {
        const std::uint64_t covered = appended_;  // an append during the sync may not be in it
        auto status = target()->Sync(options, debug);
        after_sync(status, covered);
        return status;
    }

    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                            rocksdb::IODebugContext* debug) override {
        const std::uint64_t covered = appended_;
        auto status = target()->Fsync(options, debug);
        after_sync(status, covered);
        return status;
    }

  private:
    // Whole pages only: the partial last page is appended to next. Once a sync
    // failed, nothing more is released: Linux reports a writeback error once,
    // so a later sync may succeed over pages that never reached the disk, and
    // dropping those would change what a read returns. RocksDB serialises the
    // syncs of one file (a log being synced is marked so); appends may run
    // beside a sync, hence the atomic count.
    void after_sync(const rocksdb::IOStatus& status, std::uint64_t covered) {
        if (!status.ok()) failed_ = true;
        if (failed_) return;
        const std::uint64_t end = covered / kPageBytes * kPageBytes;
        if (end <= released_) return;
        // Advice only: a failure leaves the pages cached, which is correct, merely slower.
        target()->InvalidateCache(released_, end - released_).PermitUncheckedError();
        if (on_released_) on_released_(name_, released_, end);
        released_ = end;
    }

    const std::string name_;
    const PagesReleased on_released_;
    std::atomic<std::uint64_t> appended_ = 0;
    std::uint64_t released_ = 0;
    bool failed_ = false;
};

class PageReleasingFileSystem final : public rocksdb::FileSystemWrapper {
  public:
    PageReleasingFileSystem(std::shared_ptr<rocksdb::FileSystem> base, PagesReleased on_released)
        : FileSystemWrapper(std::move(base)), on_released_(std::move(on_released)) {}

    static const char* kClassName() { return "ImgsharePageReleasingFileSystem"; }
    const char* Name() const override { return kClassName(); }

    rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                      std::unique_ptr<rocksdb::FSWritableFile>* result,
                                      rocksdb::IODebugContext* debug) override {
        auto status = target()->NewWritableFile(name, options, result, debug);
        if (status.ok() && releases_pages(name) && !options.use_direct_writes) {
            *result = std::make_unique<PageReleasingFile>(std::move(*result), name, on_released_);
        }
        return status;
    }

  private:
    const PagesReleased on_released_;
};

}  // namespace

std::shared_ptr<rocksdb::FileSystem> page_releasing_file_system(
    std::shared_ptr<rocksdb::FileSystem> base, PagesReleased on_released) {
    return std::make_shared<PageReleasingFileSystem>(std::move(base), std::move(on_released));
}

}  // namespace imgshare::storage
