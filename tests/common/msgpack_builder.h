// Builds msgpack frames for tests with msgpack-c directly, so log and
// decoder tests do not depend on the protocol module's codecs.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <msgpack.hpp>

#include "common/bytes.h"

namespace imgshare::testing {

class MsgpackBuilder {
  public:
    MsgpackBuilder& map(std::uint32_t entries) {
        packer_.pack_map(entries);
        return *this;
    }
    MsgpackBuilder& array(std::uint32_t items) {
        packer_.pack_array(items);
        return *this;
    }
    MsgpackBuilder& str(std::string_view text) {
        packer_.pack_str(static_cast<std::uint32_t>(text.size()));
        packer_.pack_str_body(text.data(), static_cast<std::uint32_t>(text.size()));
        return *this;
    }
    MsgpackBuilder& bin(ByteView bytes) {
        packer_.pack_bin(static_cast<std::uint32_t>(bytes.size()));
        packer_.pack_bin_body(reinterpret_cast<const char*>(bytes.data()),
                              static_cast<std::uint32_t>(bytes.size()));
        return *this;
    }
    MsgpackBuilder& uint(std::uint64_t value) {
        packer_.pack(value);
        return *this;
    }
    MsgpackBuilder& sint(std::int64_t value) {
        packer_.pack(value);
        return *this;
    }
    MsgpackBuilder& boolean(bool value) {
        packer_.pack(value);
        return *this;
    }
    MsgpackBuilder& nil() {
        packer_.pack_nil();
        return *this;
    }
    MsgpackBuilder& real(double value) {
        packer_.pack_double(value);
        return *this;
    }
    MsgpackBuilder& ext(std::int8_t type, ByteView bytes) {
        packer_.pack_ext(bytes.size(), type);
        packer_.pack_ext_body(reinterpret_cast<const char*>(bytes.data()),
                              static_cast<std::uint32_t>(bytes.size()));
        return *this;
    }

    [[nodiscard]] Bytes bytes() const {
        const auto* data = reinterpret_cast<const std::uint8_t*>(buffer_.data());
        return Bytes(data, data + buffer_.size());
    }

  private:
    msgpack::sbuffer buffer_;
    msgpack::packer<msgpack::sbuffer> packer_{buffer_};
};

}  // namespace imgshare::testing
