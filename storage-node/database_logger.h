// RocksDB's own log (otherwise the LOG files in the database directory) as
// debug lines of the operational log ("rocksdb: …", one line per message, its
// own line breaks shown as '|'; --log-level debug shows them).
//
// Why: RocksDB writes its LOG file on the same disk as the data. On a full
// disk that file fails too, and Debian's RocksDB 7.8 is built with
// assertions: the next message to a file writer that once failed aborts the
// process (WritableFileWriter::AssertFalseAndGetStatusForPrevError), so a
// full disk crashed the storage node. The operational log is not on the
// data's disk, and what an operator needs about the database (a stop for lack
// of space, a failed write) is logged by the store itself (write_stop_monitor.h).
#pragma once

#include <memory>

#include <rocksdb/env.h>

namespace imgshare::storage {

// A logger for DBOptions::info_log. It drops every message unless the
// operational log shows debug lines at the time it is made.
[[nodiscard]] std::shared_ptr<rocksdb::Logger> rocksdb_to_operational_log();

}  // namespace imgshare::storage
