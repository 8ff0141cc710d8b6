#include "storage-node/database_logger.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <string>

namespace imgshare::storage {
namespace {

class OperationalLogForRocksDb : public rocksdb::Logger {
  public:
    explicit OperationalLogForRocksDb(rocksdb::InfoLogLevel level) : rocksdb::Logger(level) {}

    using rocksdb::Logger::Logv;
    void Logv(const char* format, va_list ap) override {
        if (!spdlog::should_log(spdlog::level::debug)) return;
        char text[1024];
        int length = std::vsnprintf(text, sizeof text, format, ap);
        if (length < 0) return;
        // One event, one line: RocksDB's statistics dumps span many.
        std::string line(text, std::min<std::size_t>(static_cast<std::size_t>(length),
                                                     sizeof text - 1));
        while (!line.empty() && line.back() == '\n')
            line.pop_back();
        std::replace(line.begin(), line.end(), '\n', '|');
        spdlog::debug("rocksdb: {}", line);
    }
};

}  // namespace

std::shared_ptr<rocksdb::Logger> rocksdb_to_operational_log() {
    // Formatting RocksDB's messages costs; skip it when nobody reads them.
    auto level = spdlog::should_log(spdlog::level::debug) ? rocksdb::InfoLogLevel::INFO_LEVEL
                                                          : rocksdb::InfoLogLevel::HEADER_LEVEL;
    return std::make_shared<OperationalLogForRocksDb>(level);
}

}  // namespace imgshare::storage
