// Builds msgpack bytes, one value at a time.
//
// The adapter around msgpack-c's packer: callers never see msgpack-c. Every
// value is written in its shortest msgpack form. The writer does not check
// structure: a map(n) must be followed by exactly n key/value pairs and an
// array(n) by n items, as the field descriptors (fields.h) guarantee.
// MsgpackSizer takes the same calls and only counts the bytes they would
// write, through the same packer, so the two never disagree.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/bytes.h"

namespace imgshare {

// The values, packed by msgpack-c into Stream's write(data, size).
// Instantiated (in the .cpp) for the two streams below only.
template <class Stream>
class MsgpackValues {
  public:
    void map(std::size_t entries);
    void array(std::size_t items);
    void string(std::string_view text);
    void binary(ByteView bytes);
    void unsigned_integer(std::uint64_t value);
    void signed_integer(std::int64_t value);
    void boolean(bool value);
    void nil();
};

class MsgpackWriter : public MsgpackValues<MsgpackWriter> {
  public:
    // The bytes written so far; leaves the writer empty.
    [[nodiscard]] Bytes take();

    // msgpack-c's packer writes through this.
    void write(const char* data, std::size_t size);

  private:
    // out_ is grown ahead of need and only its first size_ bytes are written:
    // a vector insert per packed value was a tenth of the storage node on LIST.
    Bytes out_;
    std::size_t size_ = 0;
};

class MsgpackSizer : public MsgpackValues<MsgpackSizer> {
  public:
    [[nodiscard]] std::size_t size() const { return size_; }

    void write(const char*, std::size_t size) { size_ += size; }

  private:
    std::size_t size_ = 0;
};

extern template class MsgpackValues<MsgpackWriter>;
extern template class MsgpackValues<MsgpackSizer>;

}  // namespace imgshare
