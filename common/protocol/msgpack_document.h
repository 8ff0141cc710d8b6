// Untrusted msgpack bytes, parsed within the protocol limits, read through views.
//
// This is the adapter around msgpack-c's reader: nothing from msgpack-c
// (types or exceptions) crosses this interface. A MsgpackDocument owns the
// parsed tree; MsgpackValue is a cheap view into it that must not outlive
// its document. Every accessor checks the value's kind and answers nullopt on
// a mismatch, so hostile input can only produce "wrong kind", never UB.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "common/bytes.h"
#include "common/error.h"

namespace imgshare {

class MsgpackValue {
  public:
    enum class Kind {
        nil,
        boolean,
        unsigned_integer,
        negative_integer,
        floating,
        string,
        binary,
        array,
        map,
        extension,
    };

    [[nodiscard]] Kind kind() const;
    // "string", "unsigned integer", ...: for error messages.
    [[nodiscard]] std::string_view kind_name() const;

    [[nodiscard]] std::optional<bool> as_bool() const;
    [[nodiscard]] std::optional<std::uint64_t> as_unsigned() const;
    // Only negative integers: msgpack writes every value >= 0 as unsigned.
    [[nodiscard]] std::optional<std::int64_t> as_negative() const;
    [[nodiscard]] std::optional<std::string_view> as_string() const;
    [[nodiscard]] std::optional<ByteView> as_binary() const;

    // Items of an array, entries of a map; 0 for any other kind.
    [[nodiscard]] std::size_t size() const;
    // Preconditions: kind() is array / map and index < size().
    [[nodiscard]] MsgpackValue item(std::size_t index) const;
    [[nodiscard]] MsgpackValue key(std::size_t index) const;
    [[nodiscard]] MsgpackValue value(std::size_t index) const;

  private:
    friend class MsgpackDocument;
    explicit MsgpackValue(const void* object) : object_(object) {}
    const void* object_;  // a msgpack::object owned by the document
};

class MsgpackDocument {
  public:
    // Parses exactly one msgpack value filling all of `bytes`. Failures:
    //   TOO_LARGE    bytes over kMaxFrameBytes; a str, bin, array or map over
    //                its limit (see scan_msgpack);
    //   BAD_REQUEST  anything malformed: truncation, trailing bytes, depth,
    //                ext types, invalid bytes.
    // Memory use is bounded by about 24 times bytes.size() (see msgpack_scan.h).
    // Never throws.
    [[nodiscard]] static Result<MsgpackDocument> parse(ByteView bytes);

    MsgpackDocument(MsgpackDocument&&) noexcept;
    MsgpackDocument& operator=(MsgpackDocument&&) noexcept;
    MsgpackDocument(const MsgpackDocument&) = delete;
    MsgpackDocument& operator=(const MsgpackDocument&) = delete;
    ~MsgpackDocument();

    [[nodiscard]] MsgpackValue root() const;

  private:
    friend Result<MsgpackDocument> unpack_within_limits(ByteView bytes);
    struct Impl;
    explicit MsgpackDocument(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// The msgpack-c step of MsgpackDocument::parse alone, without the pre-scan:
// msgpack::unpack under the protocol's unpack_limit, every msgpack-c exception
// mapped to an Error (size overflows of str/bin/array/map -> TOO_LARGE, all
// else, std::bad_alloc included -> BAD_REQUEST). Exposed so tests can prove this second line of
// defence holds on its own; production code calls MsgpackDocument::parse.
[[nodiscard]] Result<MsgpackDocument> unpack_within_limits(ByteView bytes);

}  // namespace imgshare
