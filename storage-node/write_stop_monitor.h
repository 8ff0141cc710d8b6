// Whether the storage node's database has stopped taking writes, and the
// operational log's record of each stop. RocksDB stops every write after a
// background error of hard severity (the disk filled up while it wrote its log
// or flushed a memtable; a device failed) and goes on serving reads; writes
// come back only with DB::Resume().
//
// Promises:
// - One error line when a stop begins (what failed, RocksDB's whole status:
//   the operator's view, file names included) and one info line when it ends
//   (after how long); nothing per request in between.
// - Its listener turns RocksDB's own recovery off: RocksDB's space manager
//   waits for free space of all write buffers together (20 MiB here) and polls
//   every 5 s, and its retry thread races a manual Resume() (Busy). So
//   ImageStore::resume_writes(), once a second, is the one way back.
// - Thread-safe: RocksDB's background threads call the listener.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>

#include <rocksdb/listener.h>
#include <rocksdb/status.h>

namespace imgshare::storage {

class WriteStopMonitor : public rocksdb::EventListener {
  public:
    // RocksDB's calls (listener.h).
    void OnBackgroundError(rocksdb::BackgroundErrorReason reason,
                           rocksdb::Status* error) override;
    void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason reason, rocksdb::Status error,
                              bool* auto_recovery) override;

    // A write, sync or flush returned `status` (not OK): a full disk stops
    // writes even when RocksDB did not report it as a background error.
    void write_failed(const rocksdb::Status& status);

    // What stopped writes, while they are stopped.
    [[nodiscard]] std::optional<rocksdb::Status> stop() const;

    // DB::Resume() succeeded: writes are accepted again.
    void resumed();
    // DB::Resume() failed with `status`; logged when RocksDB says only a
    // restart can help (a fatal error), once per stop.
    void resume_failed(const rocksdb::Status& status);

  private:
    void stopped(const rocksdb::Status& status, const char* during);

    mutable std::mutex mutex_;
    std::optional<rocksdb::Status> stop_;
    std::chrono::steady_clock::time_point since_;
    bool told_restart_needed_ = false;
};

}  // namespace imgshare::storage
