#include "storage-node/page_releasing_file_system.h"

#include <unistd.h>

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
    explicit PageReleasingFile(std::unique_ptr<rocksdb::FSWritableFile> file)
        : FSWritableFileOwnerWrapper(std::move(file)) {}

    rocksdb::IOStatus Sync(const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* debug) override {
        auto status = target()->Sync(options, debug);
        if (status.ok()) release_synced(options, debug);
        return status;
    }

    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                            rocksdb::IODebugContext* debug) override {
        auto status = target()->Fsync(options, debug);
        if (status.ok()) release_synced(options, debug);
        return status;
    }

  private:
    // Whole pages only: the partial last page is appended to next. RocksDB
    // never syncs one file from two threads at once (a log being synced is
    // marked so), so released_ needs no lock.
    void release_synced(const rocksdb::IOOptions& options, rocksdb::IODebugContext* debug) {
        const std::uint64_t end = target()->GetFileSize(options, debug) / kPageBytes * kPageBytes;
        if (end <= released_) return;
        // Advice only: a failure leaves the pages cached, which is correct, merely slower.
        (void)target()->InvalidateCache(released_, end - released_);
        released_ = end;
    }

    std::uint64_t released_ = 0;
};

class PageReleasingFileSystem final : public rocksdb::FileSystemWrapper {
  public:
    explicit PageReleasingFileSystem(std::shared_ptr<rocksdb::FileSystem> base)
        : FileSystemWrapper(std::move(base)) {}

    static const char* kClassName() { return "ImgsharePageReleasingFileSystem"; }
    const char* Name() const override { return kClassName(); }

    rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                      std::unique_ptr<rocksdb::FSWritableFile>* result,
                                      rocksdb::IODebugContext* debug) override {
        auto status = target()->NewWritableFile(name, options, result, debug);
        if (status.ok() && releases_pages(name) && !options.use_direct_writes) {
            *result = std::make_unique<PageReleasingFile>(std::move(*result));
        }
        return status;
    }
};

}  // namespace

std::shared_ptr<rocksdb::FileSystem> page_releasing_file_system(
    std::shared_ptr<rocksdb::FileSystem> base) {
    return std::make_shared<PageReleasingFileSystem>(std::move(base));
}

}  // namespace imgshare::storage
