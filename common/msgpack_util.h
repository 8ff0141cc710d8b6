// msgpack adapter for the formats in common/ that are signed or stored
// (certificates, registration proofs, envelopes, key files): packing into
// Bytes, packing byte and text strings, and reading bytes that may be hostile.
//
// Promises: nothing here throws. unpack_bounded() refuses (BAD_REQUEST) input
// that breaks the given limits before anything is allocated for it, that is
// malformed or truncated, that carries trailing bytes, or that uses ext types.
// The read_* functions check one field's type and size and name the field in
// their BAD_REQUEST message.
#pragma once

#include <msgpack.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/error.h"

namespace imgshare::msgpack_util {

// A msgpack::packer stream that appends to a Bytes (no intermediate sbuffer copy).
class BytesWriter {
  public:
    explicit BytesWriter(Bytes& out) : out_(out) {}
    void write(const char* data, std::size_t size) {
        const auto* bytes = reinterpret_cast<const std::uint8_t*>(data);
        out_.insert(out_.end(), bytes, bytes + size);
    }

  private:
    Bytes& out_;
};

// `bytes` as one msgpack bin, on a packer over any stream (BytesWriter, a writer into
// SecretBytes). Sizes must fit 32 bits, as every field of these formats does.
template <class Stream>
void pack_bin(msgpack::packer<Stream>& packer, ByteView bytes) {
    packer.pack_bin(static_cast<std::uint32_t>(bytes.size()));
    packer.pack_bin_body(reinterpret_cast<const char*>(bytes.data()),
                         static_cast<std::uint32_t>(bytes.size()));
}

// `text` as one msgpack str, likewise.
template <class Stream>
void pack_str(msgpack::packer<Stream>& packer, std::string_view text) {
    packer.pack_str(static_cast<std::uint32_t>(text.size()));
    packer.pack_str_body(text.data(), static_cast<std::uint32_t>(text.size()));
}

enum class StringStorage {
    Copy,            // str/bin payloads are copied into the handle's zone
    ReferenceInput,  // str/bin point into `bytes`, which must outlive the handle (no copies of
                     // secrets left behind in the zone)
};

// msgpack::unpack of the value at data[offset..size) (throwing as it does),
// into a zone whose first block fits a value of `size` bytes: msgpack-c's
// default 8 KiB block, malloc'd and freed per header parsed, was most of what
// decoding a header cost. Every decoder here and in protocol/ goes through it.
[[nodiscard]] msgpack::object_handle unpack_sized(const char* data, std::size_t size,
                                                  std::size_t& offset,
                                                  msgpack::unpack_reference_func reference,
                                                  const msgpack::unpack_limit& limit);

// Exactly one msgpack object filling all of `bytes`. `what` names the input in messages
// ("certificate", "keys file /path").
[[nodiscard]] Result<msgpack::object_handle> unpack_bounded(
    ByteView bytes, const msgpack::unpack_limit& limit, std::string_view what,
    StringStorage storage = StringStorage::Copy);

// An array of exactly `size` elements.
[[nodiscard]] Result<std::span<const msgpack::object>> read_array(const msgpack::object& object,
                                                                  std::string_view field,
                                                                  std::size_t size);
// A non-negative integer.
[[nodiscard]] Result<std::uint64_t> read_uint(const msgpack::object& object,
                                              std::string_view field);
// A signed integer that fits in int64_t.
[[nodiscard]] Result<std::int64_t> read_int(const msgpack::object& object, std::string_view field);
// A str of at most max_size bytes.
[[nodiscard]] Result<std::string> read_string(const msgpack::object& object, std::string_view field,
                                              std::size_t max_size);
// A bin of min_size..max_size bytes; the view points into the object's storage.
[[nodiscard]] Result<ByteView> read_bin(const msgpack::object& object, std::string_view field,
                                        std::size_t min_size, std::size_t max_size);

}  // namespace imgshare::msgpack_util
