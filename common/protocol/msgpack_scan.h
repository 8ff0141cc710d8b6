// A structural check of untrusted msgpack bytes that allocates nothing.
//
// msgpack-c allocates an array's or map's element storage as soon as it reads
// the count, before the elements arrive: within unpack_limit, a 1 MiB frame of
// nested 1024-element array headers would still ask for gigabytes. Running
// this scan first proves that every declared element is present in the bytes,
// so what msgpack-c then allocates is bounded by the frame: at most one
// 24-byte msgpack::object per input byte, plus copies of strings and binaries.
#pragma once

#include "common/bytes.h"
#include "common/error.h"

namespace imgshare {

// Succeeds iff `bytes` holds exactly one complete msgpack value that keeps the
// protocol limits (common/protocol/limits.h). Failures:
//   TOO_LARGE    a str over kMaxStringBytes, a bin over kMaxBinBytes, an array
//                over kMaxArrayItems items or a map over kMaxMapItems entries;
//   BAD_REQUEST  empty input, truncation, trailing bytes, nesting deeper than
//                kMaxDepth containers, an ext type, the reserved byte 0xc1.
// Runs in time linear in bytes.size() and constant memory; never throws.
[[nodiscard]] Result<void> scan_msgpack(ByteView bytes);

// The length of the first complete msgpack value at the start of `bytes`,
// under the same limits and failures as scan_msgpack, except that bytes after
// that value are allowed (and not looked at).
[[nodiscard]] Result<std::size_t> measure_msgpack_value(ByteView bytes);

}  // namespace imgshare
