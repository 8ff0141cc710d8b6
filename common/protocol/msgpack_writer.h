// Builds msgpack bytes, one value at a time.
//
// The adapter around msgpack-c's packer: callers never see msgpack-c. Every
// value is written in its shortest msgpack form. The writer does not check
// structure: a map(n) must be followed by exactly n key/value pairs and an
// array(n) by n items, as the field descriptors (fields.h) guarantee.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/bytes.h"

namespace imgshare {

class MsgpackWriter {
  public:
    MsgpackWriter() = default;

    void map(std::size_t entries);
    void array(std::size_t items);
    void string(std::string_view text);
    void binary(ByteView bytes);
    void unsigned_integer(std::uint64_t value);
    void signed_integer(std::int64_t value);
    void boolean(bool value);
    void nil();

    // The bytes written so far; leaves the writer empty.
    [[nodiscard]] Bytes take();

  private:
    Bytes out_;
};

}  // namespace imgshare
