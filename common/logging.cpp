#include "common/logging.h"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>

#include <fmt/format.h>
#include <spdlog/logger.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/rotating_file_sink.h>
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

void use_as_process_log(std::string_view process_name, spdlog::level::level_enum level,
                        spdlog::sink_ptr sink) {
    auto logger = std::make_shared<spdlog::logger>(std::string(process_name), std::move(sink));
    logger->set_formatter(
        std::make_unique<spdlog::pattern_formatter>(kPattern, spdlog::pattern_time_type::utc));
    logger->set_level(level);
    spdlog::set_default_logger(std::move(logger));
}

}  // namespace

void init_process_logging(std::string_view process_name, spdlog::level::level_enum level) {
    use_as_process_log(process_name, level, std::make_shared<spdlog::sinks::stderr_sink_mt>());
}

Result<void> log_process_to_file(std::string_view process_name, spdlog::level::level_enum level,
                                 const std::filesystem::path& file, const LogRotation& rotation) {
    spdlog::file_event_handlers private_files;
    // The log names users and images, as the protocol log does: the owner's only.
    private_files.after_open = [](const spdlog::filename_t&, std::FILE* stream) {
        (void)::fchmod(::fileno(stream), 0600);
    };
    std::shared_ptr<spdlog::sinks::rotating_file_sink_mt> sink;
    try {
        sink = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
            file.string(), static_cast<std::size_t>(rotation.max_bytes),
            std::max<std::size_t>(rotation.keep, 1), false, private_files);
    } catch (const spdlog::spdlog_ex& error) {
        return fail(ErrorCode::IO_ERROR,
                    fmt::format("cannot open the operational log {}: {}", file.string(),
                                error.what()));
    }
    use_as_process_log(process_name, level, std::move(sink));
    // Each line reaches the file at once: an operator (or a test) reads it as it happens,
    // and a killed process loses nothing it logged.
    spdlog::default_logger()->flush_on(spdlog::level::trace);
    return {};
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
