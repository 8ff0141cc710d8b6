// Whole-file reads and crash-safe private writes.
//
// write_file_atomically() promises that after a crash (process or power) the
// path holds either its old contents or the complete new contents, never a
// mix, and that the file is created with exactly `mode` (the umask does not
// loosen or tighten it). read_file() never reads more than max_bytes + 1.
// Errors name the file.
#pragma once

#include <filesystem>

#include "common/bytes.h"
#include "common/error.h"

namespace imgshare {

enum class ExistingFile {
    Replace,  // an existing file at the path is atomically replaced
    Refuse,   // an existing file is left alone and the write fails (BAD_REQUEST)
};

// Writes a temporary file beside `path` (O_EXCL, O_NOFOLLOW, `mode`), fsyncs it, renames
// it over `path` (or, with ExistingFile::Refuse, to `path` only if nothing is there), then
// fsyncs the directory. IO_ERROR on any failure; the temporary file never survives one.
[[nodiscard]] Result<void> write_file_atomically(const std::filesystem::path& path,
                                                 ByteView contents, std::filesystem::perms mode,
                                                 ExistingFile existing = ExistingFile::Replace);

// The whole file. IO_ERROR naming the file if it cannot be opened or read (including when
// it does not exist), TOO_LARGE if it holds more than max_bytes.
[[nodiscard]] Result<Bytes> read_file(const std::filesystem::path& path, std::size_t max_bytes);

}  // namespace imgshare
