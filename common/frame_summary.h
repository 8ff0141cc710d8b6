// What the protocol log shows of a wire frame: a JSON rendering of a msgpack
// frame that keeps the message's structure and drops everything sensitive.
//
// Promises, for any input bytes (the frames are hostile):
// - never throws on malformed input and never allocates more than the
//   frame's size allows: decoding uses tight msgpack limits (depth 8,
//   arrays 1024, maps 64, strings 4096, binary 2 MiB, no ext types);
//   a frame that does not decode to exactly one value is shown as
//   {"undecodable":true,"len":N,"sha256":"<16 hex>"};
// - binary values are shown as {"len":N,"sha256":"<first 16 hex of SHA-256>"},
//   never their bytes; one over 16 KiB (an image chunk) as
//   {"len":N,"sampled_sha256":"<16 hex>"}, the SHA-256 of its first and last
//   4 KiB: it tells frames apart across logs (ciphertext never repeats) at a
//   constant cost, and is no integrity check;
// - the value under any map key whose name contains (case-insensitively)
//   "secret", "private", "passphrase", "password", "passwd", "seed" or
//   "content_key" is shown as "[redacted]", whatever its type. Sealed and
//   wrapped keys (public ciphertext) are not redacted: they appear as binary;
// - strings longer than 256 bytes are cut, with a marker giving the length;
// - at most 4096 values per frame are shown; further ones become "[elided]",
//   so one frame cannot blow up the log.
// The output is for people and tools reading the log; it is not a codec.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/bytes.h"

namespace imgshare {

using LogJson = nlohmann::ordered_json;

// {"len":N,"sha256":"<first 16 hex characters of SHA-256(bytes)>"}, or
// "sampled_sha256" for more than 16 KiB (see above).
[[nodiscard]] LogJson summarize_binary(ByteView bytes);

// The decoded frame as JSON, or the undecodable summary.
[[nodiscard]] LogJson summarize_msgpack_frame(ByteView frame);

// The same rendering appended to `out` as JSON text, written straight from
// the msgpack without a JSON document in between (what the log uses: a
// document per message cost more than relaying it). Strings and binaries are
// shown as common/json_text.h and common/binary_summary.h write them.
void append_msgpack_frame_summary(std::string& out, ByteView frame);
// A header frame {v, type, id, ...} as the members "type":T,"id":I and, unless
// the rest is just {"v":1}, "header":{rest}; a header that is not a map gives
// null type and id and the whole frame under "header".
void append_header_summary(std::string& out, ByteView frame);

// True for map keys whose values the log must never show.
[[nodiscard]] bool is_secret_field_name(std::string_view name);

}  // namespace imgshare
