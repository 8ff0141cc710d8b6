// Reading small text files (trust file, configuration files) with a size bound.
//
// The bound is checked while reading, so a huge or endless file (a device, a
// FIFO) costs at most max_bytes + 1 bytes of memory.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

#include "common/error.h"

namespace imgshare {

// The whole content of `path`. IO_ERROR naming the file when it cannot be
// opened or read, is a directory, or holds more than max_bytes bytes.
[[nodiscard]] Result<std::string> read_text_file(const std::filesystem::path& path,
                                                 std::size_t max_bytes);

}  // namespace imgshare
