#include "storage-node/write_stop_monitor.h"

#include <spdlog/spdlog.h>

#include "storage-node/store_errors.h"

namespace imgshare::storage {
namespace {

const char* background_work(rocksdb::BackgroundErrorReason reason) {
    switch (reason) {
        case rocksdb::BackgroundErrorReason::kFlush:
        case rocksdb::BackgroundErrorReason::kFlushNoWAL:
            return "a flush";
        case rocksdb::BackgroundErrorReason::kCompaction:
            return "a compaction";
        case rocksdb::BackgroundErrorReason::kWriteCallback:
            return "a write";
        case rocksdb::BackgroundErrorReason::kMemTable:
            return "a memtable update";
        case rocksdb::BackgroundErrorReason::kManifestWrite:
        case rocksdb::BackgroundErrorReason::kManifestWriteNoWAL:
            return "a MANIFEST write";
    }
    return "background work";
}

}  // namespace

void WriteStopMonitor::OnBackgroundError(rocksdb::BackgroundErrorReason reason,
                                         rocksdb::Status* error) {
    if (error == nullptr || error->ok()) return;
    if (error->severity() < rocksdb::Status::Severity::kHardError) {
        // Writes go on (a compaction waits for space); only RocksDB's log mentions it.
        return;
    }
    stopped(*error, background_work(reason));
}

void WriteStopMonitor::OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason, rocksdb::Status,
                                            bool* auto_recovery) {
    if (auto_recovery != nullptr) *auto_recovery = false;
}

void WriteStopMonitor::write_failed(const rocksdb::Status& status) {
    if (is_disk_full(status)) stopped(status, "a write");
}

std::optional<rocksdb::Status> WriteStopMonitor::stop() const {
    std::lock_guard lock(mutex_);
    return stop_;
}

void WriteStopMonitor::stopped(const rocksdb::Status& status, const char* during) {
    std::lock_guard lock(mutex_);
    if (stop_) return;
    stop_ = status;
    since_ = std::chrono::steady_clock::now();
    told_restart_needed_ = false;
    if (is_disk_full(status)) {
        spdlog::error("database: the disk is full ({} failed: {}); posts get STORAGE_FULL, "
                      "reads go on; writes resume by themselves once space is freed (tried "
                      "every second)",
                      during, status.ToString());
    } else {
        spdlog::error("database: writes stopped ({} failed: {}); requests that write get "
                      "IO_ERROR, reads go on; resuming is tried every second",
                      during, status.ToString());
    }
}

void WriteStopMonitor::resumed() {
    std::lock_guard lock(mutex_);
    if (!stop_) return;
    auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - since_).count();
    spdlog::info("database: writable again after {:.1f} s{}", seconds,
                 is_disk_full(*stop_) ? " (space was freed)" : "");
    stop_.reset();
}

void WriteStopMonitor::resume_failed(const rocksdb::Status& status) {
    std::lock_guard lock(mutex_);
    if (status.severity() < rocksdb::Status::Severity::kFatalError || told_restart_needed_) return;
    told_restart_needed_ = true;
    spdlog::error("database: writes cannot resume without a restart: {}", status.ToString());
}

}  // namespace imgshare::storage
