#include "common/logging.h"

#include <array>
#include <memory>
#include <string>
#include <utility>

#include <fmt/format.h>
#include <spdlog/logger.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace imgshare {
namespace {

// UTC with a 'Z', like the protocol log, so the two can be read side by side.
constexpr const char* kPattern = "%Y-%m-%dT%H:%M:%S.%eZ %n %l: %v";

constexpr std::array<std::pair<std::string_view, spdlog::level::level_enum>, 8> kLevels{{
    {"trace", spdlog::level::trace},
    {"debug", spdlog::level::debug},
    {"info", spdlog::level::info},
    {"warn", spdlog::level::warn},
    {"warning", spdlog::level::warn},  // as the log itself spells it
    {"error", spdlog::level::err},
    {"critical", spdlog::level::critical},
    {"off", spdlog::level::off},
}};

}  // namespace

void init_process_logging(std::string_view process_name, spdlog::level::level_enum level) {
    auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    auto logger = std::make_shared<spdlog::logger>(std::string(process_name), std::move(sink));
    logger->set_formatter(
        std::make_unique<spdlog::pattern_formatter>(kPattern, spdlog::pattern_time_type::utc));
    logger->set_level(level);
    spdlog::set_default_logger(std::move(logger));
}

Result<spdlog::level::level_enum> parse_log_level(std::string_view text) {
    for (const auto& [name, level] : kLevels) {
        if (name == text) return level;
    }
    return fail(ErrorCode::CONFIG,
                fmt::format("log level '{}' is not one of trace, debug, info, warn, error, "
                            "critical, off",
                            text.substr(0, 32)));
}

}  // namespace imgshare
