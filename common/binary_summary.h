// What the protocol log shows of a binary value: its length and a short
// digest, never its bytes.
//
// Promises:
// - up to 16 KiB (keys, signatures, certificates, envelopes) the text is
//   {"len":N,"sha256":"<first 16 hex of SHA-256>"};
// - a larger binary (an image chunk) is {"len":N,"sampled_sha256":"<16 hex>"},
//   the SHA-256 of its first and last 4 KiB: it tells frames apart across logs
//   (ciphertext never repeats) at a constant cost, and is no integrity check.
#pragma once

#include <string>

#include "common/bytes.h"

namespace imgshare {

void append_binary_summary(std::string& out, ByteView bytes);

// The same text as append_binary_summary; the last payload's summary on this
// thread is reused when the next has the same length and hashed bytes (the
// broker logs each relayed chunk twice).
void append_payload_summary(std::string& out, ByteView payload);

}  // namespace imgshare
