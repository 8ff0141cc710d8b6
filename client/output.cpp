#include "client/output.h"

#include <unistd.h>

#include <ctime>
#include <iostream>

#include <fmt/format.h>

namespace imgshare::client {

std::string format_utc(std::int64_t seconds) {
    std::time_t time = static_cast<std::time_t>(seconds);
    std::tm utc{};
    if (::gmtime_r(&time, &utc) == nullptr) return std::to_string(seconds);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return text;
}

std::string format_size(std::uint64_t bytes) {
    constexpr std::string_view kUnits[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    if (bytes < 1024) return fmt::format("{} B", bytes);
    std::size_t unit = 0;
    std::uint64_t scale = 1024;
    while (unit + 1 < std::size(kUnits) && bytes / scale >= 1024) {
        scale *= 1024;
        ++unit;
    }
    if (bytes % scale == 0) return fmt::format("{} {}", bytes / scale, kUnits[unit]);
    return fmt::format("{:.1f} {}", static_cast<double>(bytes) / static_cast<double>(scale),
                       kUnits[unit]);
}

std::string printable(std::string_view text) {
    std::string shown(text);
    for (char& c : shown) {
        auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte >= 0x7f) c = '?';
    }
    return shown;
}

void print_line(std::ostream& out, std::string_view line) {
    out << line << '\n';
    out.flush();
}

void print_json_line(std::ostream& out, const nlohmann::json& value) {
    print_line(out, value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

TransferProgress::TransferProgress(std::string label, std::uint32_t total)
    : label_(std::move(label)), total_(total), shown_(::isatty(STDERR_FILENO) == 1) {}

TransferProgress::~TransferProgress() {
    if (shown_) std::cerr << '\n';
}

void TransferProgress::update(std::uint32_t done) {
    if (!shown_) return;
    std::cerr << fmt::format("\r{} {}/{} chunks", label_, done, total_) << std::flush;
}

}  // namespace imgshare::client
