#include "storage-node/write_stop_monitor.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <sstream>
#include <string>

namespace imgshare::storage {
namespace {

// The operational log's lines while it lives, in `lines`.
class CapturedOperationalLog {
  public:
    CapturedOperationalLog() : previous_(spdlog::default_logger()) {
        auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(text_);
        sink->set_pattern("%l: %v");
        spdlog::set_default_logger(std::make_shared<spdlog::logger>("test", sink));
    }
    ~CapturedOperationalLog() { spdlog::set_default_logger(previous_); }
    CapturedOperationalLog(const CapturedOperationalLog&) = delete;
    CapturedOperationalLog& operator=(const CapturedOperationalLog&) = delete;

    [[nodiscard]] std::size_t count(const std::string& needle) const {
        std::size_t found = 0;
        auto text = text_.str();
        for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
            ++found;
        return found;
    }
    [[nodiscard]] std::string text() const { return text_.str(); }

  private:
    std::ostringstream text_;
    std::shared_ptr<spdlog::logger> previous_;
};

rocksdb::Status full_disk(rocksdb::Status::Severity severity) {
    return {rocksdb::Status::NoSpace("While appending to file: /d/db/000004.log",
                                     "No space left on device"),
            severity};
}

TEST(WriteStopMonitorTest, AStopIsLoggedOnceHoweverOftenItIsSeenAndItsEndOnce) {
    CapturedOperationalLog log;
    WriteStopMonitor monitor;
    EXPECT_FALSE(monitor.stop());

    auto error = full_disk(rocksdb::Status::Severity::kHardError);
    monitor.OnBackgroundError(rocksdb::BackgroundErrorReason::kWriteCallback, &error);
    monitor.OnBackgroundError(rocksdb::BackgroundErrorReason::kFlush, &error);
    monitor.write_failed(error);
    monitor.resume_failed(error);  // still full: a hard error, retried quietly
    ASSERT_TRUE(monitor.stop());
    EXPECT_TRUE(monitor.stop()->IsNoSpace());
    EXPECT_EQ(log.count("the disk is full"), 1u) << log.text();
    EXPECT_EQ(log.count("error: database"), 1u) << log.text();

    monitor.resumed();
    EXPECT_FALSE(monitor.stop());
    EXPECT_EQ(log.count("info: database: writable again"), 1u) << log.text();
    monitor.resumed();
    EXPECT_EQ(log.count("writable again"), 1u) << log.text();

    // A second episode is a second pair of lines.
    monitor.write_failed(full_disk(rocksdb::Status::Severity::kNoError));
    EXPECT_TRUE(monitor.stop());
    EXPECT_EQ(log.count("the disk is full"), 2u) << log.text();
}

TEST(WriteStopMonitorTest, ASoftErrorDoesNotStopWritesAndRocksDbsOwnRecoveryIsDeclined) {
    CapturedOperationalLog log;
    WriteStopMonitor monitor;
    auto compaction = full_disk(rocksdb::Status::Severity::kSoftError);
    monitor.OnBackgroundError(rocksdb::BackgroundErrorReason::kCompaction, &compaction);
    EXPECT_FALSE(monitor.stop());
    EXPECT_EQ(log.text(), "");

    bool auto_recovery = true;
    monitor.OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason::kFlush, compaction,
                                 &auto_recovery);
    EXPECT_FALSE(auto_recovery);
}

TEST(WriteStopMonitorTest, AFatalStopSaysOnceThatARestartIsNeeded) {
    CapturedOperationalLog log;
    WriteStopMonitor monitor;
    rocksdb::Status fatal(rocksdb::Status::IOError("While writing MANIFEST", "Input/output error"),
                          rocksdb::Status::Severity::kFatalError);
    monitor.OnBackgroundError(rocksdb::BackgroundErrorReason::kManifestWrite, &fatal);
    EXPECT_EQ(log.count("writes stopped"), 1u) << log.text();
    monitor.resume_failed(fatal);
    monitor.resume_failed(fatal);
    EXPECT_EQ(log.count("without a restart"), 1u) << log.text();
}

}  // namespace
}  // namespace imgshare::storage
