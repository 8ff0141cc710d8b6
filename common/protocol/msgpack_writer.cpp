#include "common/protocol/msgpack_writer.h"

#include <msgpack.hpp>

#include <utility>

namespace imgshare {
namespace {

// msgpack-c's packer writes to any type with write(const char*, size_t).
struct AppendToBytes {
    Bytes& out;
    void write(const char* data, std::size_t size) {
        out.insert(out.end(), reinterpret_cast<const std::uint8_t*>(data),
                   reinterpret_cast<const std::uint8_t*>(data) + size);
    }
};

msgpack::packer<AppendToBytes> packer_for(AppendToBytes& stream) {
    return msgpack::packer<AppendToBytes>(stream);
}

}  // namespace

// Sizes beyond uint32 cannot be expressed in msgpack; the protocol limits keep
// every encoded size far below that, so the narrowing casts below are exact.

void MsgpackWriter::map(std::size_t entries) {
    AppendToBytes stream{out_};
    packer_for(stream).pack_map(static_cast<std::uint32_t>(entries));
}

void MsgpackWriter::array(std::size_t items) {
    AppendToBytes stream{out_};
    packer_for(stream).pack_array(static_cast<std::uint32_t>(items));
}

void MsgpackWriter::string(std::string_view text) {
    AppendToBytes stream{out_};
    auto packer = packer_for(stream);
    packer.pack_str(static_cast<std::uint32_t>(text.size()));
    packer.pack_str_body(text.data(), static_cast<std::uint32_t>(text.size()));
}

void MsgpackWriter::binary(ByteView bytes) {
    AppendToBytes stream{out_};
    auto packer = packer_for(stream);
    packer.pack_bin(static_cast<std::uint32_t>(bytes.size()));
    packer.pack_bin_body(reinterpret_cast<const char*>(bytes.data()),
                         static_cast<std::uint32_t>(bytes.size()));
}

void MsgpackWriter::unsigned_integer(std::uint64_t value) {
    AppendToBytes stream{out_};
    packer_for(stream).pack_uint64(value);
}

void MsgpackWriter::signed_integer(std::int64_t value) {
    AppendToBytes stream{out_};
    packer_for(stream).pack_int64(value);
}

void MsgpackWriter::boolean(bool value) {
    AppendToBytes stream{out_};
    auto packer = packer_for(stream);
    if (value) {
        packer.pack_true();
    } else {
        packer.pack_false();
    }
}

void MsgpackWriter::nil() {
    AppendToBytes stream{out_};
    packer_for(stream).pack_nil();
}

Bytes MsgpackWriter::take() {
    return std::exchange(out_, Bytes{});
}

}  // namespace imgshare
