// Reading a log and its rotated parts (common/rotating_file.h) back in tests:
// which files there are, and their lines oldest first.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "common/rotating_file.h"

namespace imgshare::testing {

// FILE and its parts that exist, oldest first (FILE.n … FILE.1, FILE). Stops at
// the first missing index, as rotation leaves no gaps.
inline std::vector<std::filesystem::path> rotated_files_oldest_first(
    const std::filesystem::path& file) {
    std::vector<std::filesystem::path> files;
    for (std::size_t index = 1; std::filesystem::exists(rotated_file_name(file, index)); ++index)
        files.insert(files.begin(), rotated_file_name(file, index));
    if (std::filesystem::exists(file)) files.push_back(file);
    return files;
}

inline std::string whole_file_text(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// Every line of FILE and its parts, oldest first, without the '\n's. A file that
// does not end in '\n' (a split line) shows as a last line "<unterminated: …>".
inline std::vector<std::string> rotated_log_lines(const std::filesystem::path& file) {
    std::vector<std::string> lines;
    for (const auto& part : rotated_files_oldest_first(file)) {
        auto text = whole_file_text(part);
        std::size_t at = 0;
        while (at < text.size()) {
            auto end = text.find('\n', at);
            if (end == std::string::npos) {
                lines.push_back("<unterminated: " + text.substr(at) + ">");
                break;
            }
            lines.push_back(text.substr(at, end - at));
            at = end + 1;
        }
    }
    return lines;
}

inline unsigned permission_bits(const std::filesystem::path& path) {
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) return 0;
    return info.st_mode & 07777;
}

}  // namespace imgshare::testing
