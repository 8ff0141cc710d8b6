#include "common/protocol/msgpack_writer.h"

#include <msgpack.hpp>

#include <algorithm>
#include <cstring>
#include <utility>

namespace imgshare {
namespace {

// The first allocation: a header, most request bodies and a LIST page of a
// few items fit without growing.
constexpr std::size_t kFirstCapacity = 512;

}  // namespace

// Sizes beyond uint32 cannot be expressed in msgpack; the protocol limits keep
// every encoded size far below that, so the narrowing casts below are exact.

template <class Stream>
void MsgpackValues<Stream>::map(std::size_t entries) {
    msgpack::packer<Stream>(static_cast<Stream&>(*this))
        .pack_map(static_cast<std::uint32_t>(entries));
}

template <class Stream>
void MsgpackValues<Stream>::array(std::size_t items) {
    msgpack::packer<Stream>(static_cast<Stream&>(*this))
        .pack_array(static_cast<std::uint32_t>(items));
}

template <class Stream>
void MsgpackValues<Stream>::string(std::string_view text) {
    msgpack::packer<Stream> packer(static_cast<Stream&>(*this));
    packer.pack_str(static_cast<std::uint32_t>(text.size()));
    packer.pack_str_body(text.data(), static_cast<std::uint32_t>(text.size()));
}

template <class Stream>
void MsgpackValues<Stream>::binary(ByteView bytes) {
    msgpack::packer<Stream> packer(static_cast<Stream&>(*this));
    packer.pack_bin(static_cast<std::uint32_t>(bytes.size()));
    packer.pack_bin_body(reinterpret_cast<const char*>(bytes.data()),
                         static_cast<std::uint32_t>(bytes.size()));
}

template <class Stream>
void MsgpackValues<Stream>::unsigned_integer(std::uint64_t value) {
    msgpack::packer<Stream>(static_cast<Stream&>(*this)).pack_uint64(value);
}

template <class Stream>
void MsgpackValues<Stream>::signed_integer(std::int64_t value) {
    msgpack::packer<Stream>(static_cast<Stream&>(*this)).pack_int64(value);
}

template <class Stream>
void MsgpackValues<Stream>::boolean(bool value) {
    msgpack::packer<Stream> packer(static_cast<Stream&>(*this));
    if (value) {
        packer.pack_true();
    } else {
        packer.pack_false();
    }
}

template <class Stream>
void MsgpackValues<Stream>::nil() {
    msgpack::packer<Stream>(static_cast<Stream&>(*this)).pack_nil();
}

template class MsgpackValues<MsgpackWriter>;
template class MsgpackValues<MsgpackSizer>;

void MsgpackWriter::write(const char* data, std::size_t size) {
    if (size == 0) return;  // an empty string's body: data may be null, which memcpy forbids
    if (out_.size() - size_ < size) {
        out_.resize(std::max({size_ + size, 2 * out_.size(), kFirstCapacity}));
    }
    std::memcpy(out_.data() + size_, data, size);
    size_ += size;
}

Bytes MsgpackWriter::take() {
    out_.resize(size_);
    size_ = 0;
    return std::exchange(out_, Bytes{});
}

}  // namespace imgshare
