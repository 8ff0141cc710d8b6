// What the page-releasing file system tells an observer, in a header of its own so
// that image_store.h can offer it without exposing RocksDB types.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace imgshare::storage {

// Told, after each release, the file's name and the bytes [begin, end) released.
using PagesReleased =
    std::function<void(const std::string& file, std::uint64_t begin, std::uint64_t end)>;

}  // namespace imgshare::storage
